"""The fault catalogue (issue 13): a full disk, a read-only file system, a locked database, the
database deleted or PostgreSQL stopped in the middle of a batch, SIGKILL at twenty random
moments, SIGINT to the scheduler during a catch-up run. Whatever happens: nothing partial at a
final path, no run that lost work reports success, and the rerun completes and verifies.

The disk and file-system cases mount a small tmpfs (root, or sudo without a password); without
either they are skipped, saying why (CI runs as root)."""
import contextlib
import glob
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
import unittest
import zipfile

import gptest
from gptest import fresh_dir, grantpress

SEED = 1645


def mount_command():
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


@contextlib.contextmanager
def tmpfs(path, size):
    """A tmpfs of `size` at `path` (made), unmounted afterwards whatever happens."""
    prefix = mount_command()
    if prefix is None:
        raise unittest.SkipTest("mounting a tmpfs needs root or sudo without a password")
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(prefix + ["mount", "-t", "tmpfs", "-o", f"size={size},mode=1777", "tmpfs", path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise unittest.SkipTest("cannot mount a tmpfs here: " + r.stderr.strip())
    try:
        yield lambda *opts: subprocess.run(prefix + ["mount", "-o", "remount," + ",".join(opts), path], check=True)
    finally:
        subprocess.run(prefix + ["umount", "-l", path], capture_output=True)


def final_files(d):
    return [f for f in glob.glob(os.path.join(d, "**", "*"), recursive=True)
            if os.path.isfile(f) and not os.path.basename(f).startswith(".")]


def temporaries(d):
    return [f for f in glob.glob(os.path.join(d, "**", ".*.tmp-*"), recursive=True)]


def assert_whole(test, d):
    """Every document at a final path is whole: a PDF from %PDF to its last %%EOF, a zip that reads."""
    for f in final_files(d):
        if f.endswith(".pdf"):
            with open(f, "rb") as fh:
                data = fh.read()
            test.assertTrue(data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), f)
        elif f.endswith((".xlsx", ".zip")):
            with zipfile.ZipFile(f) as z:
                test.assertIsNone(z.testzip(), f)


def manifest(out, batch):
    with open(os.path.join(out, batch, batch + ".manifest.json"), encoding="utf-8") as f:
        return json.load(f)


BATCH = """
[batch.apps]
query = SELECT id FROM projects ORDER BY id LIMIT :limit
param.limit = 20
templates = application
formats = pdf,xlsx
output = {id}
"""


class Faults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db()

    def config(self, name, out, db=None, tail=BATCH):
        return gptest.write_config(name + ".ini", db=db or self.db, output=out, tail=tail)

    # --- the disk ---------------------------------------------------------------------------

    def test_a_full_disk_stops_the_batch_with_73_and_the_rerun_completes(self):
        out = os.path.join(gptest.ARGS.work_dir, "full-disk")
        with tmpfs(out, "400k") as remount:
            cfg = self.config("full", out)
            r = grantpress("--config", cfg, "batch", "apps", "--workers", "1", "--quiet")
            self.assertEqual(r.returncode, 73, r.stdout + r.stderr)
            self.assertIn("No space left on device", r.stderr)
            self.assertIn("is full", r.stderr)
            self.assertIn("status: stopped", r.stdout)
            self.assertEqual(temporaries(out), [])
            assert_whole(self, out)
            # The run history lives on the same full disk: the run is recorded, or it says it was not.
            if "the run was not recorded" not in r.stderr:
                runs = grantpress("--config", cfg, "runs").stdout
                self.assertIn("stopped", runs.splitlines()[0], runs)
            # A render to the full disk: 73, and the files already there are left as they were.
            before = {f: open(f, "rb").read() for f in final_files(os.path.join(out, "apps"))}
            r = grantpress("--config", cfg, "render", "application", "--param", f"id={SEED}",
                           "--out", os.path.join(out, "apps"))
            self.assertEqual(r.returncode, 73, r.stderr)
            self.assertIn("the disk is full", r.stderr)
            self.assertEqual({f: open(f, "rb").read() for f in final_files(os.path.join(out, "apps"))}, before)
            self.assertEqual(temporaries(out), [])

            remount("size=20m")
            r = grantpress("--config", cfg, "batch", "apps", "--quiet")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            m = manifest(out, "apps")
            self.assertEqual((m["status"], len(m["records"])), ("complete", 20))
            v = grantpress("verify", os.path.join(out, "apps", "apps.manifest.json"))
            self.assertEqual(v.returncode, 0, v.stdout + v.stderr)

    def test_a_database_on_a_read_only_file_system_renders(self):
        where = os.path.join(gptest.ARGS.work_dir, "ro-fs")
        with tmpfs(where, "20m") as remount:
            db = os.path.join(where, "grants.db")
            shutil.copyfile(self.db, db)
            remount("ro")
            out = fresh_dir("ro-fs-out")
            cfg = self.config("rofs", out, db=db)
            r = grantpress("--config", cfg, "render", "application", "--param", f"id={SEED}")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(len([f for f in final_files(out) if f.endswith(".pdf")]), 1)

    # --- the database -----------------------------------------------------------------------

    def test_a_locked_database_is_a_data_error_that_says_so(self):
        db = os.path.join(gptest.ARGS.work_dir, "locked.db")
        shutil.copyfile(self.db, db)
        writer = sqlite3.connect(db, isolation_level=None)
        try:
            writer.execute("BEGIN EXCLUSIVE")
            writer.execute("UPDATE projects SET title = title WHERE id = 1")
            out = fresh_dir("locked-out")
            started = time.time()
            r = grantpress("--config", self.config("locked", out, db=db), "render", "application",
                           "--param", f"id={SEED}")
            waited = time.time() - started
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        self.assertEqual(r.returncode, 65, r.stderr)
        self.assertIn("database is locked", r.stderr)
        self.assertIn("another program has held a lock", r.stderr)
        self.assertGreater(waited, 9, "waits for the writer before giving up")
        self.assertEqual(final_files(out), [])

    def test_the_database_deleted_in_the_middle_of_a_batch(self):
        db = os.path.join(gptest.ARGS.work_dir, "deleted.db")
        shutil.copyfile(self.db, db)
        out = fresh_dir("deleted-out")
        cfg = self.config("deleted", out, db=db)
        p = subprocess.Popen([gptest.ARGS.grantpress, "--config", cfg, "batch", "apps", "--param", "limit=60",
                              "--workers", "1", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        while time.time() < deadline and len(glob.glob(os.path.join(out, "apps", "*.pdf"))) < 3:
            time.sleep(0.02)
        os.remove(db)
        stdout, stderr = p.communicate(timeout=600)
        m = manifest(out, "apps")
        done = len(m["records"])
        # The open connection may still read the unlinked file to the end; a new one cannot. Either
        # way the outcome matches what was written, and success only when every record was.
        if p.returncode == 0:
            self.assertEqual((m["status"], done), ("complete", 60))
        else:
            self.assertEqual(p.returncode, 65, stdout + stderr)
            self.assertEqual(m["status"], "failed")
            self.assertIn("not found", stderr)
        v = grantpress("verify", os.path.join(out, "apps", "apps.manifest.json"))
        self.assertEqual(v.returncode, 0 if p.returncode == 0 else 65, v.stdout)
        self.assertIn("0 problem(s)", v.stdout)
        self.assertEqual(temporaries(out), [])
        assert_whole(self, out)

    def test_postgresql_stopped_in_the_middle_of_a_batch(self):
        if not shutil.which("pg_ctlcluster") and not glob.glob("/usr/lib/postgresql/*/bin/postgres"):
            self.skipTest("no PostgreSQL server installed (scripts/setup.sh installs it)")
        out = fresh_dir("pg-stop-out")
        cfg = gptest.write_config(
            "pgstop.ini", output=out, extra="default_source = sample\n",
            tail=f"[source.pg]\nkind = odbc\nconnection = {gptest.PG_CONNECTION}\n"
                 "[batch.pgapps]\nsource = pg\nquery = SELECT id FROM projects ORDER BY id LIMIT 40\n"
                 "templates = application\nformats = pdf,xlsx\noutput = {id}\nworkers = 1\n")
        rc_file = os.path.join(gptest.ARGS.work_dir, "pgstop.rc")
        log = os.path.join(gptest.ARGS.work_dir, "pgstop.log")
        script = (
            f'"$GP" --config "{cfg}" batch pgapps --quiet >"{log}" 2>&1 & b=$!\n'
            f'for i in $(seq 1 2400); do [ "$(ls "{out}"/pgapps/*.pdf 2>/dev/null | wc -l)" -ge 5 ] && break; '
            'sleep 0.05; done\n'
            # A fast shutdown of the server, as an administrator's restart would do.
            'kill -INT "$(head -n 1 "$GP_PG_SOCKET_DIR/.s.PGSQL.$GP_PG_PORT.lock")"\n'
            f'wait $b; echo $? >"{rc_file}"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("GP_PG_")}
        env["GP"] = gptest.ARGS.grantpress
        r = subprocess.run([os.path.join(gptest.ARGS.source_dir, "scripts", "pg-run.sh"), "--generator",
                            gptest.ARGS.samplegen, "--", "bash", "-c", script],
                           capture_output=True, text=True, env=env, timeout=900)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(rc_file) as f:
            rc = int(f.read())
        with open(log, encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(rc, 65, text)
        m = manifest(out, "pgapps")
        self.assertEqual(m["status"], "failed", text)
        failed = [x for x in m["not_rendered"] if x["status"] == "failed"]
        self.assertGreater(len(failed), 0)
        self.assertEqual(len(m["records"]) + len(m["not_rendered"]), 40)
        self.assertGreaterEqual(len(m["records"]), 5)
        self.assertIn("failed: record", text)
        self.assertNotIn("Pwd=", text)
        self.assertEqual(temporaries(out), [])
        assert_whole(self, out)

    # --- signals ----------------------------------------------------------------------------

    def test_sigkill_at_twenty_random_moments_then_the_rerun_completes_and_verifies(self):
        out = fresh_dir("kill-out")
        cfg = self.config("kill", out)
        args = [gptest.ARGS.grantpress, "--config", cfg, "batch", "apps", "--param", "limit=30", "--quiet"]
        started = time.time()
        r = subprocess.run(args, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        duration = time.time() - started
        seed = random.randrange(1 << 30)
        rng = random.Random(seed)
        for i in range(20):
            moment = rng.uniform(0.0, duration)
            p = subprocess.Popen(args + ["--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(moment)
            p.send_signal(signal.SIGKILL)
            p.wait()
            with self.subTest(kill=i, seed=seed, moment=round(moment, 3)):
                assert_whole(self, out)
                # The manifest on disk is always one whole JSON document.
                self.assertIn(manifest(out, "apps")["status"], ("complete", "failed", "stopped"))
        r = subprocess.run(args, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, f"seed {seed}: " + r.stdout + r.stderr)
        self.assertEqual(temporaries(out), [])
        m = manifest(out, "apps")
        self.assertEqual((m["status"], len(m["records"])), ("complete", 30))
        v = grantpress("verify", os.path.join(out, "apps", "apps.manifest.json"))
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)

    def test_sigint_to_the_scheduler_during_a_catch_up_run_says_stopped(self):
        out = fresh_dir("sched-int-out")
        cfg = self.config("schedint", out, tail=BATCH.replace("param.limit = 20", "param.limit = 60") +
                          "schedule = 0 6 * * *\ncatch_up = true\nworkers = 1\n")
        r = grantpress("--config", cfg, "batch", "apps", "--quiet")  # one run on record: the next is caught up
        self.assertEqual(r.returncode, 0, r.stderr)
        shutil.rmtree(os.path.join(out, "apps"))
        p = subprocess.Popen([gptest.ARGS.grantpress, "--config", cfg, "schedule", "--now", "2030-01-02 05:00"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(p.stdout), daemon=True)
        reader.start()
        deadline = time.time() + 300
        while time.time() < deadline and len(glob.glob(os.path.join(out, "apps", "*.pdf"))) < 5:
            time.sleep(0.02)
        p.send_signal(signal.SIGINT)
        p.wait(timeout=600)
        reader.join(timeout=60)
        text = "".join(lines) + p.stderr.read()
        p.stdout.close()
        p.stderr.close()
        self.assertIn("catch-up", text)
        self.assertNotIn("complete", "".join(l for l in lines if "batch apps" in l), text)
        m = manifest(out, "apps")
        self.assertEqual(m["status"], "stopped", text)
        self.assertLess(len(m["records"]), 60)
        self.assertGreater(len([x for x in m["not_rendered"] if x["status"] == "not run"]), 0)
        latest = grantpress("--config", cfg, "runs").stdout.splitlines()[0]
        self.assertIn("catch-up", latest)
        self.assertIn("stopped", latest)
        self.assertNotRegex(latest, r"complete|60/60")
        self.assertEqual(temporaries(out), [])
        assert_whole(self, out)


if __name__ == "__main__":
    gptest.main()
