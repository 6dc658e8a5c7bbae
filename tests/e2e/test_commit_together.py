"""All formats of a document appear together, even across a crash (issue 15): the render is
killed (SIGKILL, by a preloaded library: tests/support/crash_before_rename.c) after the new PDF
was renamed into place and before the XLSX was. The commit journal it left makes the next run
in that folder finish the set, so the new XLSX joins the new PDF; and a batch does the same for
its folder. Before, a new PDF stayed next to an old XLSX."""
import glob
import os
import shutil
import signal
import sqlite3
import subprocess
import unittest

import openpyxl

import gptest
from gptest import fresh_dir, grantpress

SEED = 1645
NEW_TITLE = "Новое название после сбоя"


def xlsx_text(path):
    wb = openpyxl.load_workbook(path)
    return " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)


def hidden(d):
    return sorted(os.path.basename(f) for f in glob.glob(os.path.join(d, "**", ".*"), recursive=True)
                  if not f.endswith(".grantpress-lock") and not f.endswith(".grantpress-state.json"))


class CommitTogether(unittest.TestCase):
    def setUp(self):
        self.shim = os.environ.get("GP_CRASH_SHIM")
        if not self.shim or not os.path.exists(self.shim):
            self.fail("GP_CRASH_SHIM names no library (ctest sets it to the built gp_crash_before_rename)")
        self.db = os.path.join(gptest.ARGS.work_dir, "commit.db")
        shutil.copyfile(gptest.sample_db(), self.db)

    def retitle(self):
        con = sqlite3.connect(self.db)
        con.execute("UPDATE projects SET title = ? WHERE id = ?", (NEW_TITLE, SEED))
        con.commit()
        con.close()

    def crashing(self, *args):
        env = dict(os.environ, LD_PRELOAD=self.shim, GP_CRASH_BEFORE_RENAME_TO=".xlsx",
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
        env.pop("SOURCE_DATE_EPOCH", None)
        return subprocess.run([gptest.ARGS.grantpress, *args], capture_output=True, text=True, env=env)

    def test_a_render_killed_between_the_renames_is_finished_by_the_next_run(self):
        out = fresh_dir("commit-render")
        cfg = gptest.write_config("commit.ini", db=self.db, output=out)
        render = ("--config", cfg, "render", "application", "--param", f"id={SEED}", "--format", "pdf,xlsx",
                  "--out", out)
        self.assertEqual(grantpress(*render).returncode, 0)
        pdf, xlsx = os.path.join(out, f"application-{SEED}.pdf"), os.path.join(out, f"application-{SEED}.xlsx")
        self.assertNotIn(NEW_TITLE, xlsx_text(xlsx))

        self.retitle()
        r = self.crashing(*render)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        # The crash left the new PDF, the old XLSX, the new XLSX in its temporary and the journal.
        self.assertIn(NEW_TITLE, gptest.spaced(gptest.pdftotext(pdf)))
        self.assertNotIn(NEW_TITLE, xlsx_text(xlsx))
        left = hidden(out)
        self.assertEqual(len([f for f in left if f.startswith(".grantpress-commit-")]), 1, left)
        self.assertEqual(len([f for f in left if f.startswith(f".application-{SEED}.xlsx.tmp-")]), 1, left)

        # The next render in that folder, of another document, first finishes the set.
        r = grantpress("--config", cfg, "render", "budget", "--param", f"id={SEED}", "--format", "pdf",
                       "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(NEW_TITLE, xlsx_text(xlsx))
        self.assertEqual(hidden(out), [])

    def test_a_batch_finishes_what_a_killed_batch_left_half_committed(self):
        out = fresh_dir("commit-batch")
        cfg = gptest.write_config(
            "commit-batch.ini", db=self.db, output=out,
            tail=f"[batch.one]\nquery = SELECT id FROM projects WHERE id = {SEED}\ntemplates = application\n"
                 "formats = pdf,xlsx\noutput = {id}\n")
        self.assertEqual(grantpress("--config", cfg, "batch", "one", "--quiet").returncode, 0)
        self.retitle()
        r = self.crashing("--config", cfg, "batch", "one", "--quiet")
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        xlsx = os.path.join(out, "one", f"{SEED}.xlsx")
        self.assertNotIn(NEW_TITLE, xlsx_text(xlsx))
        self.assertTrue(any(f.startswith(".grantpress-commit-") for f in hidden(out)), hidden(out))

        r = grantpress("--config", cfg, "batch", "one", "--quiet")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(NEW_TITLE, xlsx_text(xlsx))
        self.assertIn(NEW_TITLE, gptest.spaced(gptest.pdftotext(os.path.join(out, "one", f"{SEED}.pdf"))))
        self.assertEqual(hidden(out), [])
        v = grantpress("verify", os.path.join(out, "one", "one.manifest.json"))
        self.assertEqual(v.returncode, 0, v.stdout)


if __name__ == "__main__":
    gptest.main()
