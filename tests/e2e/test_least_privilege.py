"""Least privilege (issue 20) over the real CLI: a template's query only reads the database (a
write, an ATTACH, a PRAGMA is a template error at the <query>, for `render` and `check`, and
leaves no file behind); a template reads only files inside its folder, also through symbolic
links; every number a template or reports.ini gives is finite and in range."""
import hashlib
import os
import shutil
import unittest

import gptest
from gptest import files_in, fresh_dir, grantpress

TEMPLATE = 66


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Case(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db()
        cls.config = gptest.write_config("least-privilege.ini", db=cls.db)

    def folder(self, name):
        d = fresh_dir(name)
        os.makedirs(d)
        return d

    def write(self, folder, name, text):
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def render(self, path):
        out = fresh_dir("out-" + os.path.basename(path))
        r = grantpress("--config", self.config, "render", path, "--format", "pdf,xlsx", "--out", out)
        return r, out

    def check(self, path):
        return grantpress("--config", self.config, "check", path)


class ReadOnlyQueries(Case):
    def setUp(self):
        self.attached = os.path.join("/tmp", f"gp-least-privilege-{os.getpid()}.db")
        if os.path.exists(self.attached):
            os.remove(self.attached)
        self.before = sha256(self.db)

    def tearDown(self):
        if os.path.exists(self.attached):
            os.remove(self.attached)

    def refused(self, sql, what):
        """A template whose query (line 3) is `sql` is refused by render and check, at 3:3."""
        d = self.folder("ro-" + what.split()[0].lower())
        path = self.write(d, "evil.xml", '<report title="x">\n'
                                         '  <param name="id" type="integer" default="1645"/>\n'
                                         f'  <query name="evil">{sql}</query>\n'
                                         '  <table rows="evil"><column title="a">{x}</column></table>\n'
                                         '</report>\n')
        r, out = self.render(path)
        self.assertEqual(r.returncode, TEMPLATE, r.stderr)
        self.assertIn(f"{path}:3:3: query 'evil' on data source 'sample': {what} is refused: "
                      "GrantPress only reads the database", r.stderr)
        self.assertEqual(files_in(out), [])
        r = self.check(path)
        self.assertEqual(r.returncode, TEMPLATE, r.stderr)
        self.assertIn(f"{path}:3:3: query 'evil' on data source 'sample': {what} is refused: "
                      "GrantPress only reads the database", r.stderr)
        self.assertFalse(os.path.exists(self.attached), "the query created " + self.attached)
        self.assertEqual(sha256(self.db), self.before, "the database file changed")

    def test_attach_is_refused_and_creates_no_file(self):
        self.refused(f"ATTACH DATABASE '{self.attached}' AS x", f"ATTACH DATABASE '{self.attached}'")

    def test_a_write_after_a_select_is_refused(self):
        self.refused("SELECT 1 AS x; DELETE FROM projects", "DELETE FROM 'projects'")

    def test_update_and_insert_are_refused(self):
        self.refused("UPDATE projects SET title = 'x' WHERE id = :id", "UPDATE 'projects' (column title)")
        self.refused("INSERT INTO projects(id) VALUES (:id + 100000)", "INSERT INTO 'projects'")

    def test_schema_changes_and_pragmas_are_refused(self):
        self.refused("CREATE TABLE evil(x)", "changing the schema")
        self.refused("PRAGMA writable_schema = 1", "PRAGMA writable_schema = 1")

    def test_load_extension_is_refused(self):
        self.refused("SELECT load_extension('/tmp/evil.so') AS x", "the function load_extension()")

    def test_reading_still_works(self):
        d = self.folder("ro-read")
        path = self.write(d, "read.xml", '<report title="x">\n'
                                         '  <query name="n" one="true">WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL '
                                         'SELECT i + 1 FROM c WHERE i &lt; 3) SELECT COUNT(*) AS n, '
                                         '(SELECT upper(title) FROM projects WHERE id = 1645) AS t FROM c</query>\n'
                                         '  <paragraph>{n.n} {n.t}</paragraph>\n'
                                         '</report>\n')
        r, out = self.render(path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(files_in(out), ["read.pdf", "read.xlsx"])
        self.assertIn("3 Клуб неравнодушных", gptest.pdftotext(os.path.join(out, "read.pdf")))
        self.assertEqual(self.check(path).returncode, 0)
        self.assertEqual(sha256(self.db), self.before)


class ConfinedFiles(Case):
    def setUp(self):
        self.root = self.folder("confined")
        self.templates = os.path.join(self.root, "templates")
        os.makedirs(os.path.join(self.templates, "logos"))
        os.makedirs(os.path.join(self.root, "outside"))
        logo = os.path.join(gptest.ARGS.source_dir, "tests", "data", "templates", "fill", "logo.png")
        shutil.copy(logo, os.path.join(self.root, "outside", "secret.png"))
        shutil.copy(logo, os.path.join(self.templates, "logos", "logo.png"))

    def image_template(self, src):
        return self.write(self.templates, "img.xml",
                          f'<report title="x">\n  <paragraph>a</paragraph>\n  <image src="{src}" width="30mm"/>\n'
                          '</report>\n')

    def assertRefused(self, src):
        path = self.image_template(src)
        secret = os.path.realpath(os.path.join(self.root, "outside", "secret.png"))
        for r in (self.render(path)[0], self.check(path)):
            self.assertEqual(r.returncode, TEMPLATE, r.stderr)
            self.assertIn(f"{path}:3:10: image '{src}' resolves outside the templates folder", r.stderr)
            self.assertIn(secret, r.stderr)
        self.assertEqual(files_in(self.render(path)[1]), [])

    def test_a_link_to_a_picture_outside_is_refused(self):
        os.symlink(os.path.join(self.root, "outside", "secret.png"), os.path.join(self.templates, "logo.png"))
        self.assertRefused("logo.png")

    def test_a_linked_folder_leading_outside_is_refused(self):
        os.symlink(os.path.join(self.root, "outside"), os.path.join(self.templates, "shared"))
        self.assertRefused("shared/secret.png")

    def test_links_inside_the_folder_still_work(self):
        os.symlink("logos/logo.png", os.path.join(self.templates, "logo.png"))
        os.symlink(os.path.join(self.templates, "logos"), os.path.join(self.templates, "alias"))
        for src in ("logo.png", "alias/logo.png"):
            path = self.image_template(src)
            r, out = self.render(path)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(files_in(out), ["img.pdf", "img.xlsx"])
            self.assertEqual(self.check(path).returncode, 0)



class NumbersValidated(Case):
    """Every number of a template is finite, whole and in range, for check and render alike."""
    CASES = [
        # (attribute on line 2 of the root, or a body line, what the message says)
        ('font-size="nan"', None, 'font-size="nan": give points from 6 to 36'),
        ('font-size="inf"', None, 'font-size="inf": give points from 6 to 36'),
        ('margins="nan"', None, 'margins="nan": give 1 to 4 sizes in mm from 0 to 100'),
        ('margins="20 10 1e999"', None, 'margins="20 10 1e999": give 1 to 4 sizes in mm from 0 to 100'),
        (None, '<table rows="q"><column title="a" width="1e308mm">{a}</column></table>',
         'width="1e308mm": use 30mm, 25% or * / 2*'),
        (None, '<table rows="q"><column title="a" width="-5">{a}</column></table>', 'width="-5": use 30mm'),
        (None, '<table rows="q"><column title="a" width="nan%">{a}</column></table>', 'width="nan%": use 30mm'),
        (None, '<table rows="q"><column title="a" width="inf*">{a}</column></table>', 'width="inf*": use 30mm'),
        (None, '<image src="logo.png" width="nanmm"/>', 'width="nanmm": give millimetres from 1 to 1000'),
        (None, '<chart type="bar" rows="q" category="{a}" height="infmm"><series name="s">{a}</series></chart>',
         'height="infmm": give millimetres from 20 to 400'),
    ]

    def test_each_bad_number_is_a_template_error_at_its_attribute(self):
        d = self.folder("numbers")
        shutil.copy(os.path.join(gptest.ARGS.source_dir, "tests", "data", "templates", "fill", "logo.png"), d)
        for root, body, message in self.CASES:
            with self.subTest(root=root, body=body):
                lines = ['<report title="x"' + (f"\n        {root}" if root else "") + ">",
                         '  <query name="q">SELECT 1 AS a</query>', "  " + (body or "<paragraph>a</paragraph>"),
                         "</report>"]
                text = "\n".join(lines) + "\n"
                path = self.write(d, "numbers.xml", text)
                attribute = next(a for a in ("font-size=", "margins=", "width=", "height=") if a in message)
                line = 2 if root else 3
                column = text.splitlines()[line - 1].index(attribute) + 1
                r, out = self.render(path)
                self.assertEqual(r.returncode, TEMPLATE, r.stderr)
                self.assertIn(f"{path}:{line}:{column}: {message}", r.stderr)
                self.assertEqual(files_in(out), [])
                r = self.check(path)
                self.assertEqual(r.returncode, TEMPLATE, r.stderr)
                self.assertIn(f"{path}:{line}:{column}: {message}", r.stderr)

    def test_reports_ini_margin_of_nan_is_a_config_error(self):
        for key, value in (("margin_top", "nan"), ("margin_left", "inf"), ("font_size", "NaN")):
            with self.subTest(key=key, value=value):
                config = gptest.write_config("numbers.ini", db=self.db, extra=f"[page]\n{key} = {value}\n")
                with open(config, encoding="utf-8") as f:
                    line = f.read().splitlines().index(f"{key} = {value}") + 1
                out = fresh_dir("out-numbers-ini")
                for args in (["render", "registry", "--out", out], ["check", "registry"]):
                    r = grantpress("--config", config, *args)
                    self.assertEqual(r.returncode, 78, r.stderr)
                    self.assertIn(f"{config}:{line}: {key} = '{value}' is not a number between", r.stderr)
                self.assertEqual(files_in(out), [])


if __name__ == "__main__":
    gptest.main()
