#!/usr/bin/env python3
"""The web page of `grantpress serve` in a real browser: headless Chromium driven by Selenium
(Debian's chromium, chromium-driver, python3-selenium), against the real server on loopback.
Sign in by keyboard, fill a template's form and download the document, follow a batch run to
its files, see the checks as an admin; labels, language and focus as accessibility needs them."""

import glob
import os
import shutil
import time
import unittest

import gptest
from gptest import fresh_dir, pdftotext, spaced
from test_server import PASSWORD, Server

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # scripts/setup.sh installs python3-selenium; without it the test says so
    webdriver = None

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@unittest.skipUnless(webdriver and CHROMIUM and os.path.exists(DRIVER),
                     "chromium, chromium-driver and python3-selenium are needed (scripts/setup.sh)")
class Browser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        gptest.sample_db()
        batches = ("[batch.apps]\nquery = SELECT p.id FROM projects p WHERE p.id = 1645 OR p.id IN "
                   "(SELECT id FROM projects ORDER BY id LIMIT 2) ORDER BY p.id\n"
                   "templates = application\nformats = pdf\noutput = {id}/{template}\nworkers = 1\n")
        cls.s = Server("web", batches=batches)
        cls.base = f"http://127.0.0.1:{cls.s.port}"

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def setUp(self):
        self.downloads = fresh_dir("web-downloads-" + self._testMethodName)
        os.makedirs(self.downloads)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,1000", "--lang=ru"):
            options.add_argument(arg)
        options.add_experimental_option("prefs", {"download.default_directory": self.downloads,
                                                  "download.prompt_for_download": False})
        self.driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
        self.driver.set_page_load_timeout(60)
        self.wait = WebDriverWait(self.driver, 60)

    def tearDown(self):
        self.driver.quit()

    def sign_in(self, user):
        d = self.driver
        d.get(self.base + "/")
        self.wait.until(EC.title_contains("Вход"))
        self.assertTrue(d.current_url.endswith("/login"))
        self.assertEqual(d.find_element(By.TAG_NAME, "html").get_attribute("lang"), "ru")
        # By keyboard: the user field has the focus, Tab reaches the password, Enter sends the form.
        self.assertEqual(d.switch_to.active_element.get_attribute("id"), "user")
        d.switch_to.active_element.send_keys(user, Keys.TAB)
        self.assertEqual(d.switch_to.active_element.get_attribute("id"), "password")
        d.switch_to.active_element.send_keys(PASSWORD, Keys.ENTER)
        self.wait.until(EC.title_contains("Шаблоны"))

    def downloaded(self, suffix):
        deadline = time.time() + 60
        while time.time() < deadline:
            done = [f for f in glob.glob(os.path.join(self.downloads, "*" + suffix)) if not f.endswith(".crdownload")]
            if done:
                return done[0]
            time.sleep(0.2)
        self.fail(f"no {suffix} file downloaded into {self.downloads}: {os.listdir(self.downloads)}")

    def assert_labelled(self):
        """Every visible field has a label that names it."""
        for field in self.driver.find_elements(By.CSS_SELECTOR, "input:not([type=hidden]), select"):
            fid = field.get_attribute("id")
            self.assertTrue(fid, field.get_attribute("outerHTML"))
            self.assertTrue(self.driver.find_elements(By.CSS_SELECTOR, f"label[for='{fid}']"), f"no label for #{fid}")

    def test_a_viewer_fills_the_form_and_downloads_the_document(self):
        self.sign_in("viewer")
        d = self.driver
        self.assert_labelled()
        # The batches page offers no run button to a viewer, and no checks link.
        self.assertFalse(d.find_elements(By.LINK_TEXT, "Проверка шаблонов"))
        field = d.find_element(By.ID, "t-application-id")
        self.assertEqual(field.get_attribute("required"), "true")
        # A project picker: focusing the field fetches its choices into the field's datalist.
        field.click()
        listed = self.wait.until(lambda drv: drv.find_element(By.ID, "t-application-id-list").get_attribute("data-loaded"))
        self.assertGreater(int(listed), 1)
        option = d.find_element(By.CSS_SELECTOR, "#t-application-id-list option[value='1645']")
        self.assertIn("Клуб неравнодушных", option.get_attribute("label"))
        form = field.find_element(By.XPATH, "./ancestor::form")
        # An empty required field is not sent: the browser says so.
        form.find_element(By.XPATH, ".//button[text()='Сформировать']").click()
        self.assertFalse(d.execute_script("return arguments[0].validity.valid", field))
        self.assertEqual(os.listdir(self.downloads), [])
        field.send_keys("1645")
        Select(form.find_element(By.ID, "t-application-format")).select_by_value("pdf")
        form.find_element(By.XPATH, ".//button[text()='Сформировать']").click()
        pdf = self.downloaded(".pdf")
        self.assertEqual(os.path.basename(pdf), "application-1645.pdf")
        self.assertIn("Клуб неравнодушных", spaced(pdftotext(pdf)))
        # A record that does not exist: the page says why, in the CLI's words.
        field.clear()
        field.send_keys("99999")
        form.find_element(By.XPATH, ".//button[text()='Сформировать']").click()
        self.wait.until(EC.title_contains("Документ не сформирован"))
        self.assertIn("returned 0 rows", d.find_element(By.CSS_SELECTOR, "[role=alert]").text)

    def test_an_operator_runs_a_batch_and_follows_it_to_its_files(self):
        self.sign_in("oper")
        d = self.driver
        d.find_element(By.LINK_TEXT, "Пакеты и запуски").click()
        self.wait.until(EC.title_contains("Пакеты"))
        d.find_element(By.CSS_SELECTOR, "#batch-apps button[type=submit]").click()
        # The progress box fills while it runs; when it ends, a link to the run's results.
        link = self.wait.until(EC.element_to_be_clickable((By.ID, "run-link-apps")))
        self.assertIn("завершён: выполнен", d.find_element(By.ID, "state-apps").text)
        # Loaded again at the end: the run is in the history table, the button starts a new run.
        self.assertIn("Запустить", d.find_element(By.CSS_SELECTOR, "#batch-apps button[type=submit]").text)
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "tbody tr"))
        self.assertIn("3 records", d.find_element(By.CSS_SELECTOR, "pre[data-progress=apps]").text)
        link.click()
        self.wait.until(EC.title_contains("Запуск №"))
        self.assertIn("выполнен", d.find_element(By.TAG_NAME, "main").text)
        d.find_element(By.PARTIAL_LINK_TEXT, "1645/application.pdf").click()
        pdf = self.downloaded(".pdf")
        self.assertIn("Клуб неравнодушных", spaced(pdftotext(pdf)))

    def test_an_admin_sees_the_checks_and_signs_out(self):
        self.sign_in("admin")
        d = self.driver
        d.find_element(By.LINK_TEXT, "Проверка шаблонов").click()
        self.wait.until(EC.title_contains("Проверка шаблонов"))
        rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")[1].text
                for r in d.find_elements(By.CSS_SELECTOR, "tbody tr")}
        self.assertEqual(rows.get("application"), "без ошибок")
        d.find_element(By.XPATH, "//button[text()='Выйти']").click()
        self.wait.until(EC.title_contains("Вход"))
        d.get(self.base + "/batches")
        self.wait.until(EC.title_contains("Вход"))


if __name__ == "__main__":
    gptest.main()
