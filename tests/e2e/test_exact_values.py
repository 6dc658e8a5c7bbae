"""Values that cannot be read exactly (issue 13): text in an amount column, a comma decimal,
impossible dates, integer dates, a negative year. Before, each rendered with exit 0 and a wrong
figure or date in a document meant to be signed ('много' as 0,00 ₽, '12,50' as 12,00,
'2022-00-10' as 10.01.2022). Now each is a data error (exit 65) naming the query, the record,
the column and the value; nothing is written; a batch renders the other records, does not retry
the bad one, and says the run failed. Columns without a declared type arrive as numbers."""
import json
import os
import shutil
import sqlite3
import unittest

import gptest
from gptest import files_in, fresh_dir, grantpress

SEED = 1645


class ExactValues(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.clean = gptest.sample_db()

    def db_with(self, name, *statements):
        path = os.path.join(gptest.ARGS.work_dir, name + ".db")
        shutil.copyfile(self.clean, path)
        con = sqlite3.connect(path)
        con.execute("PRAGMA ignore_check_constraints = ON")  # a start date of 'скоро' is the point
        for sql in statements:
            con.execute(sql)
        con.commit()
        con.close()
        return path

    def render(self, name, db, *args):
        out = fresh_dir(name + "-out")
        cfg = gptest.write_config(name + ".ini", db=db, output=out)
        r = grantpress("render", *args, "--config", cfg)
        return r, out

    def assert_refused(self, name, sql, value, column, hint):
        db = self.db_with(name, sql)
        r, out = self.render(name, db, "application", "--param", f"id={SEED}", "--format", "pdf,xlsx")
        self.assertEqual(r.returncode, 65, r.stderr)
        self.assertIn(f"column '{column}'", r.stderr)
        self.assertIn(f"holds '{value}'", r.stderr)
        self.assertIn(f"(id {SEED})", r.stderr)
        self.assertIn(hint, r.stderr)
        self.assertIn("query '", r.stderr)
        self.assertEqual([f for root, _, fs in os.walk(out) for f in fs], [], "nothing is written")

    def test_text_in_an_amount_column(self):
        self.assert_refused("many", f"UPDATE projects SET amount = 'много' WHERE id = {SEED}", "много", "amount",
                            "not a decimal number")

    def test_a_comma_decimal_stored_as_text(self):
        self.assert_refused("comma", f"UPDATE projects SET amount = '12,50' WHERE id = {SEED}", "12,50", "amount",
                            "a decimal point, not a comma")

    def test_impossible_dates(self):
        for name, stored, shown in (("zero", "'0000-00-00'", "0000-00-00"), ("month0", "'2022-00-10'", "2022-00-10"),
                                    ("words", "'скоро'", "скоро"), ("number", "20220110", "the number 20220110"),
                                    ("bc", "'-0044-03-15'", "-0044-03-15")):
            with self.subTest(name):
                self.assert_refused("date-" + name, f"UPDATE projects SET start_date = {stored} WHERE id = {SEED}",
                                    shown, "start_date", "YYYY-MM-DD")

    def test_check_still_passes_on_the_template(self):
        # The template is not at fault: check (which reads no rows) passes on the same database.
        db = self.db_with("check", f"UPDATE projects SET amount = 'много' WHERE id = {SEED}")
        cfg = gptest.write_config("check.ini", db=db)
        r = grantpress("check", "application", "--config", cfg)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_batch_renders_the_others_and_fails_without_retrying(self):
        db = self.db_with("batch", f"UPDATE projects SET amount = 'много' WHERE id = {SEED}")
        out = fresh_dir("exact-batch-out")
        cfg = gptest.write_config(
            "exact-batch.ini", db=db, output=out,
            tail=f"[batch.apps]\nquery = SELECT id FROM projects WHERE id IN (1, 2, {SEED}) ORDER BY id\n"
                 "templates = application\nformats = pdf\noutput = {id}\n")
        r = grantpress("batch", "apps", "--config", cfg, "--quiet")
        self.assertEqual(r.returncode, 65, r.stdout + r.stderr)
        manifest = json.load(open(os.path.join(out, "apps", "apps.manifest.json"), encoding="utf-8"))
        self.assertEqual(manifest["status"], "failed")
        self.assertIn("'много'", manifest["reason"])
        by_key = {rec["key"]: rec for rec in manifest["records"] + manifest["not_rendered"]}
        bad = by_key[str(SEED)]
        self.assertEqual(bad["status"], "failed")
        self.assertIn("'много'", bad["error"])
        self.assertNotIn("attempts", bad["error"], "a bad value is not retried")
        self.assertEqual(by_key["1"]["status"], "done")
        self.assertEqual(by_key["2"]["status"], "done")
        self.assertNotIn(f"{SEED}.pdf", files_in(os.path.join(out, "apps")))

    def test_untyped_columns_are_numbers(self):
        templates = fresh_dir("exact-templates")
        os.makedirs(templates)
        with open(os.path.join(templates, "counts.xml"), "w", encoding="utf-8") as f:
            f.write("""<?xml version="1.0" encoding="UTF-8"?>
<report title="Счёт">
  <query name="n">SELECT COUNT(*) AS n, SUM(amount) AS total, CAST(SUM(participants) AS INTEGER) AS people,
    CASE WHEN COUNT(*) > 0 THEN 1 ELSE 0 END AS any FROM projects</query>
  <table rows="n">
    <column title="Проектов">{n}</column>
    <column title="Сумма">{total | money}</column>
    <column title="Участников">{people}</column>
  </table>
</report>
""")
        out = fresh_dir("exact-untyped-out")
        cfg = gptest.write_config("exact-untyped.ini", templates=templates, output=out)
        r = grantpress("render", "counts", "--format", "xlsx,pdf", "--config", cfg)
        self.assertEqual(r.returncode, 0, r.stderr)
        con = sqlite3.connect(self.clean)
        n, people = con.execute("SELECT COUNT(*), SUM(participants) FROM projects").fetchone()
        con.close()
        import openpyxl
        path = [os.path.join(root, f) for root, _, fs in os.walk(out) for f in fs if f.endswith(".xlsx")][0]
        ws = openpyxl.load_workbook(path).active
        values = [c.value for row in ws.iter_rows() for c in row]
        self.assertIn(n, values, "COUNT(*) is a number cell, not text")
        self.assertIn(people, values)
        self.assertFalse(any(isinstance(v, str) and v.strip() == str(n) for v in values))


if __name__ == "__main__":
    gptest.main()
