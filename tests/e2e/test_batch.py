"""Batches end to end over the CLI: bursting, skipping unchanged documents, kill -9 safety,
hostile names, packages, manifests and verify, and the scheduler with an injected clock."""
import glob
import os
import re
import signal
import sqlite3
import subprocess
import time
import unittest
import zipfile

import gptest
from gptest import fresh_dir, grantpress

BATCH = """
[batch.apps]
query = SELECT p.id, g.short_name AS grantor, p.title FROM projects p JOIN contests c ON c.id = p.contest_id JOIN grantors g ON g.id = c.grantor_id ORDER BY p.id = 1645 DESC, p.id LIMIT :limit
templates = application
formats = pdf,xlsx
output = {grantor}/{id} {title}/{template}
package = {grantor}/{id} {title}/package
workers = 2

[batch.nightly]
query = SELECT id, title FROM projects ORDER BY id LIMIT 3
templates = application
formats = pdf
schedule = 0 6 * * 1-5
catch_up = true
"""


def final_files(root):
    return sorted(p for p in glob.glob(os.path.join(root, "**", "*"), recursive=True)
                  if os.path.isfile(p) and not os.path.basename(p).startswith("."))


def temporaries(root):
    return [p for p in glob.glob(os.path.join(root, "**", ".*.tmp-*"), recursive=True)]


class Batch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = os.path.join(gptest.ARGS.work_dir, "batch.db")
        if os.path.exists(cls.db):
            os.remove(cls.db)
        subprocess.run([os.path.join(gptest.ARGS.source_dir, "scripts", "make-sample-db.sh"), "--projects", "220",
                        "--generator", gptest.ARGS.samplegen, "--out", cls.db], check=True, stdout=subprocess.DEVNULL)
        cls.config = os.path.join(gptest.ARGS.work_dir, "batch.ini")
        src = gptest.ARGS.source_dir
        cls.out = fresh_dir("out")  # the scheduler's batches and the run history
        with open(cls.config, "w", encoding="utf-8") as f:
            f.write(f"[engine]\ntemplates = {src}/templates\nfonts = {src}/fonts\noutput = {cls.out}\n"
                    f"created = 2026-01-01\n[source.sample]\nkind = sqlite\npath = {cls.db}\n{BATCH}")

    def batch(self, *args, out):
        return grantpress("--config", self.config, "batch", "apps", "--out", out, *args)

    def counts(self, r):
        m = re.search(r"(\d+) records: (\d+) done, (\d+) skipped, (\d+) failed", r.stdout)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        return tuple(int(x) for x in m.groups())

    def test_200_records_then_rerun_skips_then_one_change(self):
        out = fresh_dir("b200")
        r = self.batch("--param", "limit=200", "--quiet", out=out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.counts(r), (200, 200, 0, 0))
        files = final_files(out)
        self.assertEqual(len([f for f in files if f.endswith(".pdf")]), 200)
        self.assertEqual(len([f for f in files if f.endswith(".xlsx")]), 200)
        zips = [f for f in files if f.endswith(".zip")]
        self.assertEqual(len(zips), 200)
        seed = [f for f in zips if "/1645 " in f]
        self.assertEqual(len(seed), 1, zips[:3])
        self.assertIn('Клуб неравнодушных - 2022 _Тверская, 21_', seed[0])
        with zipfile.ZipFile(seed[0]) as z:
            self.assertIsNone(z.testzip())
            self.assertEqual(sorted(z.namelist()), ["application.pdf", "application.xlsx", "manifest.json"])
        t = subprocess.run(["unzip", "-t", seed[0]], capture_output=True, text=True)
        self.assertEqual(t.returncode, 0, t.stdout)

        manifest = os.path.join(out, "apps.manifest.json")
        v = grantpress("verify", manifest)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.assertIn("600 files checked, 0 problem(s)", v.stdout)
        with open(manifest, encoding="utf-8") as f:
            text = f.read()
        self.assertNotIn(self.db, text.replace('"source": "sample"', ""))  # the source by name only

        r = self.batch("--param", "limit=200", "--quiet", out=out)
        self.assertEqual(self.counts(r), (200, 0, 200, 0))

        with sqlite3.connect(self.db) as c:
            c.execute("UPDATE projects SET participants = participants + 1 WHERE id = 17")
        try:
            r = self.batch("--param", "limit=200", "--quiet", out=out)
            self.assertEqual(self.counts(r), (200, 1, 199, 0))
        finally:
            with sqlite3.connect(self.db) as c:
                c.execute("UPDATE projects SET participants = participants - 1 WHERE id = 17")

        # A flipped byte is caught, and the next run redoes that file alone.
        pdf = next(f for f in final_files(out) if f.endswith(".pdf") and "/1645 " in f)
        with open(pdf, "r+b") as f:
            f.seek(100)
            b = f.read(1)
            f.seek(100)
            f.write(bytes([b[0] ^ 0xFF]))
        v = grantpress("verify", manifest)
        self.assertNotEqual(v.returncode, 0)
        self.assertIn("altered", v.stdout)
        r = self.batch("--param", "limit=200", "--quiet", out=out)
        self.assertEqual(self.counts(r), (200, 2, 198, 0))  # 1645's altered PDF, and 17 changed back
        self.assertEqual(grantpress("verify", os.path.join(out, "apps.manifest.json")).returncode, 0)

    def test_kill_9_midway_leaves_no_partial_file(self):
        out = fresh_dir("bkill")
        p = subprocess.Popen([gptest.ARGS.grantpress, "--config", self.config, "batch", "apps", "--out", out,
                              "--param", "limit=120", "--workers", "1", "--quiet"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and len([f for f in final_files(out) if f.endswith(".pdf")]) < 15:
            time.sleep(0.05)
        p.send_signal(signal.SIGKILL)
        p.wait()
        for f in final_files(out):  # every file at a final path is complete
            if f.endswith(".pdf"):
                self.assertEqual(subprocess.run(["qpdf", "--check", f], capture_output=True).returncode, 0, f)
            elif f.endswith(".zip") or f.endswith(".xlsx"):
                with zipfile.ZipFile(f) as z:
                    self.assertIsNone(z.testzip(), f)
        r = self.batch("--param", "limit=120", "--quiet", out=out)
        self.assertEqual(r.returncode, 0, r.stderr)
        total, done, skipped, failed = self.counts(r)
        self.assertEqual((total, failed), (120, 0))
        self.assertEqual(temporaries(out), [])
        self.assertEqual(len([f for f in final_files(out) if f.endswith(".pdf")]), 120)
        self.assertEqual(grantpress("verify", os.path.join(out, "apps.manifest.json")).returncode, 0)

    def test_shards_split_the_records(self):
        outs = [fresh_dir(f"bshard{k}") for k in (1, 2)]
        seen = []
        for k, out in zip((1, 2), outs):
            r = self.batch("--param", "limit=10", "--shard", f"{k}/2", "--quiet", out=out)
            self.assertEqual(self.counts(r)[0], 5, r.stdout)
            seen += [f for f in final_files(out) if f.endswith(".pdf")]
        self.assertEqual(len(set(os.path.basename(os.path.dirname(f)) for f in seen)), 10)
        r = self.batch("--param", "limit=10", "--shard", "3/2", out=outs[0])
        self.assertEqual(r.returncode, 64, r.stderr)

    def test_failed_record_is_reported_and_others_continue(self):
        out = fresh_dir("bfail")
        with sqlite3.connect(self.db) as c:
            c.execute("UPDATE projects SET organization_id = -organization_id WHERE id = 3")
        try:
            r = self.batch("--param", "limit=5", "--quiet", out=out)
        finally:
            with sqlite3.connect(self.db) as c:
                c.execute("UPDATE projects SET organization_id = -organization_id WHERE id = 3")
        self.assertEqual(r.returncode, 65, r.stdout + r.stderr)
        self.assertEqual(self.counts(r), (5, 4, 0, 1))
        self.assertIn("failed: record 3: query 'project'", r.stderr)

    def test_hostile_names_stay_inside_the_output_folder(self):
        out = fresh_dir("bhostile")
        with sqlite3.connect(self.db) as c:
            old = c.execute("SELECT title FROM projects WHERE id = 2").fetchone()[0]
            c.execute("UPDATE projects SET title = ? WHERE id = 2", ("../../etc/passwd\t\n\r /" + "я" * 300,))
        try:
            r = self.batch("--param", "limit=3", "--quiet", out=out)
        finally:
            with sqlite3.connect(self.db) as c:
                c.execute("UPDATE projects SET title = ? WHERE id = 2", (old,))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.counts(r), (3, 3, 0, 0))
        root = os.path.realpath(out)
        files = final_files(out)
        self.assertEqual(len(files), 10)  # 3 records × (pdf, xlsx, zip) and the manifest
        for f in files:
            self.assertTrue(os.path.realpath(f).startswith(root + os.sep), f)
            for part in os.path.relpath(f, out).split(os.sep):
                self.assertLessEqual(len(part.encode()), 128, part)
                self.assertFalse(any(ord(ch) < 32 for ch in part), part)

    def test_unknown_batch_and_bad_shard(self):
        r = grantpress("--config", self.config, "batch", "nope")
        self.assertEqual(r.returncode, 64)
        self.assertIn("no batch 'nope'", r.stderr)
        self.assertIn("apps", r.stderr)

    def test_scheduler_runs_due_batch_once_and_keeps_history(self):
        # Monday 2026-01-05 06:00 local time is due for "0 6 * * 1-5".
        r = grantpress("--config", self.config, "schedule", "--now", "2026-01-05 06:00", "--once",
                       env={"TZ": "UTC"})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("batch nightly starts (schedule)", r.stdout)
        self.assertIn("batch nightly complete: 3 done", r.stdout)
        runs = grantpress("--config", self.config, "runs")
        self.assertIn("nightly  schedule  complete  3 records", runs.stdout)
        # Not due at 07:00 on a Sunday, and nothing was missed since the last run.
        r = grantpress("--config", self.config, "schedule", "--now", "2026-01-04 07:00", "--once",
                       env={"TZ": "UTC"})
        self.assertNotIn("starts", r.stdout)

    def test_scheduler_stops_cleanly_on_sigterm(self):
        p = subprocess.Popen([gptest.ARGS.grantpress, "--config", self.config, "schedule"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, out + err)
        self.assertIn("scheduler stopped", out)


if __name__ == "__main__":
    gptest.main()
