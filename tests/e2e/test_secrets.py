"""Secret parameters (issue 20): a parameter declared secret="true", or used as a password in
<protection>, is used but never shown — not in file names, standard output or error, error
messages, manifests, the batch state, the run history, alerts or the documents' metadata.
Every file the runs leave is searched for the secret values."""
import glob
import os
import subprocess
import unittest
import zipfile

import gptest
from gptest import fresh_dir, grantpress

PIN = "Pin-Secret-8675309"
OWNER = "Owner-Secret-5550199"

PROTECTED = """<?xml version="1.0" encoding="UTF-8"?>
<report title="Заявка {project.title}" subject="Проект {param.id}">
  <param name="id" type="integer" required="true"/>
  <param name="pin" type="text" required="true"/>
  <query name="project" one="true">SELECT title FROM projects WHERE id = :id</query>
  <protection owner-password="{env.GP_TEST_OWNER}" user-password="{param.pin}" allow="print"/>
  <section title="Проект">
    <fields row="project"><field label="Название">{title}</field></fields>
  </section>
</report>
"""

# A secret bound in a query is fine; this one is also a number, to see a malformed value masked.
BOUND = """<?xml version="1.0" encoding="UTF-8"?>
<report title="Код">
  <param name="code" type="integer" secret="true" required="true"/>
  <query name="p" one="true">SELECT title FROM projects WHERE id = :code</query>
  <section title="Проект">
    <fields row="p"><field label="Название">{title}</field></fields>
  </section>
</report>
"""


class Secrets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db()
        cls.templates = fresh_dir("secret-templates")
        os.makedirs(cls.templates)
        for name, text in (("protected", PROTECTED), ("bound", BOUND)):
            with open(os.path.join(cls.templates, name + ".xml"), "w", encoding="utf-8") as f:
                f.write(text)
        cls.out = fresh_dir("secret-out")
        cls.config = gptest.write_config(
            "secrets.ini", db=cls.db, templates=cls.templates, output=cls.out,
            tail="[batch.prot]\nquery = SELECT id, 'Pin-Secret-' || (8675300 + 9) AS pin FROM projects "
                 "ORDER BY id LIMIT 3\ntemplates = protected\nformats = pdf,xlsx\noutput = {id}/{template}\n"
                 "package = all\n"
                 "[batch.leaky]\nquery = SELECT id, 'x' AS pin FROM projects LIMIT 1\ntemplates = protected\n"
                 "output = {id}-{pin}\n")
        cls.env = {"GP_TEST_OWNER": OWNER}

    def gp(self, *args):
        return grantpress("--config", self.config, *args, env=self.env)

    def assert_nowhere(self, text, where=""):
        for secret in (PIN, OWNER):
            self.assertNotIn(secret, text, where)

    def assert_no_file_holds_a_secret(self, root):
        files = [p for p in glob.glob(os.path.join(root, "**", "*"), recursive=True) + glob.glob(os.path.join(root, "**", ".*"),
                                                                                              recursive=True)
                 if os.path.isfile(p)]
        self.assertTrue(files)
        for path in files:
            self.assert_nowhere(path, path)
            with open(path, "rb") as f:
                data = f.read()
            for secret in (PIN, OWNER):
                self.assertNotIn(secret.encode(), data, path)
            if path.endswith((".zip", ".xlsx")):
                with zipfile.ZipFile(path) as z:
                    for member in z.namelist():
                        self.assert_nowhere(member, path)
                        body = z.read(member)
                        for secret in (PIN, OWNER):
                            self.assertNotIn(secret.encode(), body, f"{path}:{member}")
        return files

    def test_render_protects_the_pdf_and_names_the_file_without_the_pin(self):
        out = fresh_dir("secret-render")
        r = self.gp("render", "protected", "--param", "id=1645", "--param", f"pin={PIN}", "--format", "pdf,xlsx",
                    "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_nowhere(r.stdout + r.stderr)
        self.assertEqual(sorted(os.listdir(out)), ["protected-1645.pdf", "protected-1645.xlsx"])
        pdf = os.path.join(out, "protected-1645.pdf")
        self.assertNotEqual(subprocess.run(["qpdf", "--check", pdf], capture_output=True).returncode, 0)
        opened = subprocess.run(["qpdf", f"--password={PIN}", "--check", pdf], capture_output=True, text=True)
        self.assertEqual(opened.returncode, 0, opened.stdout + opened.stderr)
        info = subprocess.run(["pdfinfo", "-upw", PIN, pdf], capture_output=True, text=True)
        self.assertEqual(info.returncode, 0, info.stderr)
        self.assert_nowhere(info.stdout)
        self.assert_no_file_holds_a_secret(out)

    def test_error_messages_show_stars(self):
        r = self.gp("render", "protected", "--param", "id=999999", "--param", f"pin={PIN}", "--out", fresh_dir("s-e"))
        self.assertEqual(r.returncode, 65, r.stderr)
        self.assertIn("pin=***", r.stderr)
        self.assert_nowhere(r.stdout + r.stderr)
        for pin, why in (("Пин-Секрет-1", "printable ASCII"), ("x" * 40, "at most 32"), (OWNER, "must differ")):
            r = self.gp("render", "protected", "--param", "id=1645", "--param", f"pin={pin}", "--out", fresh_dir("s-e1"))
            self.assertEqual(r.returncode, 64, r.stderr)
            self.assertIn("protected.xml:6:", r.stderr)
            self.assertIn(why, r.stderr)
            self.assertNotIn(pin, r.stdout + r.stderr)
        r = self.gp("render", "bound", "--param", "code=12x34", "--out", fresh_dir("s-e2"))
        self.assertEqual(r.returncode, 64, r.stderr)
        self.assertIn("code='***'", r.stderr)
        self.assertNotIn("12x34", r.stderr)

    def test_a_secret_shown_in_the_document_is_a_template_error(self):
        for body, where in (('<paragraph>ПИН: {param.pin}</paragraph>', "paragraph"),
                            ('<paragraph>{pin}</paragraph>', "bare name")):
            path = os.path.join(self.templates, "shows.xml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(PROTECTED.replace("</report>", body + "\n</report>"))
            try:
                for command in (["check", "shows"], ["render", "shows", "--param", "id=1645", "--param", f"pin={PIN}",
                                                     "--out", fresh_dir("s-shows")]):
                    r = self.gp(*command)
                    self.assertEqual(r.returncode, 66, (where, command, r.stdout, r.stderr))
                    self.assertIn("shows.xml:10:", r.stderr)
                    self.assertIn("parameter 'pin' is secret", r.stderr)
                    self.assert_nowhere(r.stdout + r.stderr)
            finally:
                os.remove(path)
        path = os.path.join(self.templates, "titled.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(BOUND.replace('<report title="Код">', '<report title="Код {param.code}">'))
        try:
            r = self.gp("check", "titled")
            self.assertEqual(r.returncode, 66, r.stderr)
            self.assertIn("titled.xml:2:", r.stderr)
            self.assertIn("parameter 'code' is secret", r.stderr)
        finally:
            os.remove(path)
        r = self.gp("check", "protected", "bound")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_batch_leaves_no_secret_in_any_file_log_or_history(self):
        out = os.path.join(self.out, "prot")
        r = self.gp("batch", "prot", "--quiet")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assert_nowhere(r.stdout + r.stderr)
        # --param too: shown as *** in the summary, the manifest and the history.
        r = self.gp("batch", "prot", "--param", f"pin={PIN}", "--force")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("parameters: pin=***", r.stdout)
        self.assert_nowhere(r.stdout + r.stderr)
        run = r.stdout.split("run: ")[1].split()[0]
        show = self.gp("runs", "--show", run)
        self.assertIn("parameters: pin=***", show.stdout)
        self.assert_nowhere(show.stdout + self.gp("runs").stdout)
        files = self.assert_no_file_holds_a_secret(self.out)  # documents, zip, manifest, state, history
        self.assertIn(os.path.join(out, ".grantpress-state.json"), files)
        self.assertIn(os.path.join(self.out, "grantpress-runs.db"), files)
        pdf = os.path.join(out, "1", "protected.pdf")
        self.assertEqual(subprocess.run(["qpdf", f"--password={PIN}", "--check", pdf], capture_output=True).returncode, 0)

    def test_a_file_name_from_a_secret_is_refused(self):
        r = self.gp("batch", "leaky", "--out", fresh_dir("s-leaky"))
        self.assertEqual(r.returncode, 78, r.stdout + r.stderr)
        self.assertIn("{pin}, a secret parameter", r.stderr)


if __name__ == "__main__":
    gptest.main()
