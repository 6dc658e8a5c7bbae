"""Bad input: each case gets a clear message naming the thing and what to do, its own exit
code, and leaves no file at an output path."""
import os
import unittest

import gptest
from gptest import files_in, fresh_dir, grantpress

USAGE, DATA, TEMPLATE, OUTPUT, CONFIG = 64, 65, 66, 73, 78


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db()
        cls.config = gptest.write_config(db=cls.db)

    def render(self, *extra, config=None, out=None):
        out = out or fresh_dir("out-bad")
        r = grantpress("--config", config or self.config, "render", *extra, "--out", out)
        return r, out

    def assertFails(self, r, code, *needles):
        self.assertEqual(r.returncode, code, r.stdout + r.stderr)
        for n in needles:
            self.assertIn(n, r.stderr)
        self.assertEqual(r.stdout, "")

    def test_unknown_id(self):
        r, out = self.render("application", "--param", "id=999999")
        self.assertFails(r, DATA, "query 'project'", "id=999999", "check the record ID")
        self.assertEqual(files_in(out), [])

    def test_malformed_id(self):
        r, out = self.render("application", "--param", "id=16x45")
        self.assertFails(r, USAGE, "id='16x45' is not an integer")
        self.assertEqual(files_in(out), [])

    def test_missing_and_unknown_parameters(self):
        r, out = self.render("application")
        self.assertFails(r, USAGE, "needs --param id=VALUE")
        r, out = self.render("application", "--param", "id=1645", "--param", "year=2022")
        self.assertFails(r, USAGE, "no parameter 'year'", "it takes: id")
        self.assertEqual(files_in(out), [])

    def test_unknown_template(self):
        r, out = self.render("aplication", "--param", "id=1645")
        self.assertFails(r, TEMPLATE, "unknown template 'aplication'", "available: application")
        self.assertEqual(files_in(out), [])

    def test_broken_template_names_file_and_line(self):
        path = os.path.join(gptest.ARGS.work_dir, "broken.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write('<report title="x">\n  <section title="Раздел">\n    <tabel rows="q"/>\n  </section>\n</report>\n')
        r, out = self.render(path)
        self.assertFails(r, TEMPLATE, "broken.xml:3", "unknown element <tabel>")
        self.assertEqual(files_in(out), [])

    def test_malformed_config(self):
        path = os.path.join(gptest.ARGS.work_dir, "bad.ini")
        with open(path, "w", encoding="utf-8") as f:
            f.write("[engine]\ntemplates = templates\noutput out\n")
        r, out = self.render("application", "--param", "id=1645", config=path)
        self.assertFails(r, CONFIG, "bad.ini:3", "expected 'key = value'")
        self.assertEqual(files_in(out), [])

    def test_missing_config(self):
        r, out = self.render("application", "--param", "id=1645", config="/nonexistent/reports.ini")
        self.assertFails(r, CONFIG, "/nonexistent/reports.ini", "--config")

    def test_missing_database(self):
        missing = os.path.join(gptest.ARGS.work_dir, "no-such.db")
        config = gptest.write_config("missing-db.ini", db=missing)
        r, out = self.render("application", "--param", "id=1645", config=config)
        self.assertFails(r, DATA, "no-such.db", "not found", "make-sample-db.sh")
        self.assertFalse(os.path.exists(missing), "the missing database must not be created")
        self.assertEqual(files_in(out), [])

    def test_unwritable_output_folder(self):
        blocker = os.path.join(gptest.ARGS.work_dir, "a-file")
        with open(blocker, "w") as f:
            f.write("not a folder")
        target = os.path.join(blocker, "out")  # works even as root, who ignores permission bits
        r, _ = self.render("application", "--param", "id=1645", out=target)
        self.assertFails(r, OUTPUT, target, "--out")

    def test_unknown_format_and_option(self):
        r, out = self.render("application", "--param", "id=1645", "--format", "docx")
        self.assertFails(r, USAGE, "unknown format 'docx'")
        r = grantpress("--config", self.config, "render", "application", "--colour")
        self.assertEqual(r.returncode, USAGE, r.stderr)
        r = grantpress("--config", self.config, "publish")
        self.assertFails(r, USAGE, "unknown command 'publish'")

    def test_failed_render_leaves_earlier_files_alone(self):
        out = fresh_dir("out-keep")
        r, _ = self.render("application", "--param", "id=1645", out=out)
        self.assertEqual(r.returncode, 0, r.stderr)
        before = {n: os.path.getmtime(os.path.join(out, n)) for n in files_in(out)}
        r, _ = self.render("application", "--param", "id=999999", out=out)
        self.assertEqual(r.returncode, DATA)
        self.assertEqual({n: os.path.getmtime(os.path.join(out, n)) for n in files_in(out)}, before)

    def test_help_and_templates(self):
        r = grantpress("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("render TEMPLATE", r.stdout)
        r = grantpress("--config", self.config, "templates")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("application  --param id=", r.stdout)


if __name__ == "__main__":
    gptest.main()
