"""`grantpress check`: every problem of a template at once as file:line:col: message, exit 66
when there is any and 0 (with "OK name") when clean; and broken templates given to `render`
fail cleanly, leaving no output file."""
import os
import shutil
import unittest

import gptest
from gptest import files_in, fresh_dir, grantpress

DATA, TEMPLATE = 65, 66


def fixtures(kind):
    return os.path.join(gptest.ARGS.source_dir, "tests", "data", "templates", kind)


def write(name, text):
    path = os.path.join(gptest.ARGS.work_dir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class Check(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db()
        cls.config = gptest.write_config(db=cls.db)

    def check(self, *names, config=None):
        return grantpress("--config", config or self.config, "check", *names)

    def test_shipped_templates_are_clean(self):
        r = self.check()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK application", r.stdout.splitlines())
        self.assertEqual(r.stderr, "")
        r = self.check("application")
        self.assertEqual((r.returncode, r.stdout), (0, "OK application\n"), r.stderr)

    def test_lists_every_problem_at_once_with_line_and_column(self):
        for name in ("references", "elements", "values", "filters", "choices"):
            path = os.path.join(fixtures("broken"), name + ".xml")
            with open(os.path.join(fixtures("broken"), name + ".expected"), encoding="utf-8") as f:
                expected = [f"{path}:{line}" for line in f.read().splitlines()]
            r = self.check(path)
            self.assertEqual(r.returncode, TEMPLATE, r.stderr)
            self.assertEqual(r.stdout, "")
            lines = r.stderr.splitlines()
            self.assertEqual(lines[-1], f"grantpress: {len(expected)} problems found")
            # The sample database has the same schema as the unit tests' one: the same problems.
            self.assertEqual(lines[:-1], expected, name)

    def test_hints_name_what_was_meant(self):
        path = write("typos.xml", '<report title="x">\n'
                                  '  <query name="p" one="true">SELECT id, title FROM projects WHERE id = 1645</query>\n'
                                  '  <sektion title="a"/>\n'
                                  '  <paragraph>{p.titel} {p.title | uper}</paragraph>\n'
                                  '  <pagebreak olny="pdf"/>\n'
                                  '</report>\n')
        r = self.check(path)
        self.assertEqual(r.returncode, TEMPLATE)
        self.assertEqual(r.stderr.splitlines(), [
            f"{path}:3:3: unknown element <sektion> (did you mean <section>?)",
            f"{path}:4:15: {{p.titel}}: no column 'titel' in query 'p' (columns: id, title) (did you mean {{p.title}}?)",
            f"{path}:4:35: unknown filter 'uper' (did you mean 'upper'?)",
            f"{path}:5:14: <pagebreak> has no attribute 'olny' (did you mean 'only'?)",
            "grantpress: 4 problems found",
        ])

    def test_good_and_bad_together(self):
        bad = os.path.join(fixtures("broken"), "malformed.xml")
        r = self.check("application", bad, "no-such-template")
        self.assertEqual(r.returncode, TEMPLATE)
        self.assertEqual(r.stdout, "OK application\n")
        self.assertIn(f"{bad}:5:5: malformed XML: Tag mismatch", r.stderr)
        self.assertIn("unknown template 'no-such-template'", r.stderr)
        self.assertIn("2 problems found", r.stderr)

    def test_without_a_database_the_rest_is_still_checked(self):
        config = gptest.write_config("no-db.ini", db=os.path.join(gptest.ARGS.work_dir, "missing.db"))
        r = self.check(config=config)
        self.assertEqual(r.returncode, DATA, r.stderr)
        self.assertIn("OK application (columns not checked)", r.stdout)
        self.assertIn("missing.db", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(gptest.ARGS.work_dir, "missing.db")))
        bad = os.path.join(fixtures("broken"), "elements.xml")
        r = self.check(bad, config=config)
        self.assertEqual(r.returncode, TEMPLATE)
        self.assertIn(f"{bad}:9:3: unknown element <tabel>", r.stderr)

    def test_help_mentions_check(self):
        r = grantpress("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("check [TEMPLATE…]", r.stdout)


class BrokenRender(unittest.TestCase):
    """A malformed template never crashes the engine or leaves a (partial) output file."""

    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db()
        cls.config = gptest.write_config(db=cls.db)

    def render(self, path, *params):
        out = fresh_dir("out-broken")
        args = [a for p in params for a in ("--param", p)]
        r = grantpress("--config", self.config, "render", path, *args, "--format", "pdf,xlsx", "--out", out)
        return r, out

    def test_every_broken_fixture(self):
        folder = fixtures("broken")
        names = sorted(n for n in os.listdir(folder) if n.endswith(".xml"))
        self.assertGreaterEqual(len(names), 7)
        for name in names:
            path = os.path.join(folder, name)
            # Required parameters get a value, so that the template itself is what fails.
            r, out = self.render(path, "id=1645")
            self.assertEqual(r.returncode, TEMPLATE, f"{name}: {r.stderr}")
            self.assertIn(path + ":", r.stderr, name)
            self.assertNotIn("internal error", r.stderr, name)
            self.assertEqual(r.stdout, "", name)
            self.assertEqual(files_in(out), [], name)

    def test_problem_only_the_database_knows(self):
        path = write("unknown-column.xml", '<report title="x">\n'
                                           '  <query name="p">SELECT id, title FROM projects ORDER BY id</query>\n'
                                           '  <table rows="p"><column title="a">{titel}</column></table>\n'
                                           '</report>\n')
        r, out = self.render(path)
        self.assertEqual(r.returncode, TEMPLATE, r.stderr)
        self.assertIn(f"{path}:3:38: {{titel}}: no column 'titel' in query 'p'", r.stderr)
        self.assertEqual(files_in(out), [])

    def test_failure_while_streaming_rows_leaves_nothing(self):
        # The table's rows are read only while the PDF is written: the failure comes mid-render.
        path = write("stream-fails.xml", '<report title="x">\n'
                                         '  <query name="p">SELECT id, title FROM projects ORDER BY id</query>\n'
                                         '  <table rows="p" stream="true"><column title="a">{id * 2 + title}</column></table>\n'
                                         '</report>\n')
        r, out = self.render(path)
        self.assertEqual(r.returncode, DATA, r.stderr)
        self.assertIn("'+' needs numbers", r.stderr)
        self.assertIn("row 1 of query 'p'", r.stderr)
        self.assertEqual(files_in(out), [])

    def test_missing_image_is_a_template_error(self):
        folder = fresh_dir("tpl-image")
        os.makedirs(folder)
        shutil.copy(os.path.join(fixtures("fill"), "logo.png"), folder)
        good = os.path.join(folder, "logo.xml")
        with open(good, "w", encoding="utf-8") as f:
            f.write('<report title="x">\n  <image src="logo.png" width="30mm"/>\n  <image src="{param.name}.png"/>\n'
                    '  <param name="name" default="logo"/>\n</report>\n')
        r, out = self.render(good)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(files_in(out), ["logo.pdf", "logo.xlsx"])
        r, out = self.render(good, "name=other")
        self.assertEqual(r.returncode, TEMPLATE, r.stderr)
        self.assertIn(f"{good}:3:15: image 'other.png' not found", r.stderr)
        self.assertEqual(files_in(out), [])


if __name__ == "__main__":
    gptest.main()
