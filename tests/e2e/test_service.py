"""GrantPress as a service: the systemd unit checked by systemd itself, journald-ready log
lines, and SIGHUP rereading reports.ini without stopping a batch in flight."""
import os
import shutil
import signal
import subprocess
import threading
import time
import unittest

import gptest
from gptest import fresh_dir, grantpress

UNIT = "packaging/systemd/grantpress-schedule.service"
SERVE_UNIT = "packaging/systemd/grantpress-serve.service"

SCHEDULED = """
[batch.slow]
query = SELECT id FROM projects ORDER BY id LIMIT 60
templates = application
formats = pdf,xlsx
output = {id}
schedule = 0 6 * * *
catch_up = true
workers = 1
"""

ADDED = """
[batch.more]
query = SELECT id FROM projects ORDER BY id LIMIT 1
templates = application
formats = pdf
schedule = 0 7 * * *
"""

FAILING = """
[batch.broken]
query = SELECT 999999 AS id
templates = application
formats = pdf
schedule = 0 6 * * *
"""


class Lines:
    """Collects a child's stdout lines on a thread (select() on a buffered pipe misses lines
    already read into Python's buffer) and waits for one with a deadline."""

    def __init__(self, proc):
        self.proc, self.seen = proc, []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            self.seen.append(line)

    def index(self, text):
        return next((i for i, l in enumerate(list(self.seen)) if text in l), None)

    def wait_for(self, text, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.index(text) is not None:
                return
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r} within {timeout} s; seen:\n" + "".join(self.seen))


class Service(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db(60)

    def config(self, name, batches):
        return gptest.write_config(name + ".ini", db=self.db, output=os.path.join(gptest.ARGS.work_dir, name + "-out"),
                                   tail=batches)

    def unit_for_test(self, unit=UNIT):
        """The shipped unit with ExecStart pointing at the binary under test."""
        with open(os.path.join(gptest.ARGS.source_dir, unit), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("ExecStart=/usr/bin/grantpress ", text)
        path = os.path.join(fresh_dir("unit-" + os.path.basename(unit)), os.path.basename(unit))
        os.makedirs(os.path.dirname(path))
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("/usr/bin/grantpress", os.path.abspath(gptest.ARGS.grantpress)))
        return path, text

    def check_unit(self, unit, lines):
        path, text = self.unit_for_test(unit)
        r = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stderr.strip(), "")
        # systemd's own score of the sandbox: 4.0 or less ("OK" on its scale of 0 to 10).
        r = subprocess.run(["systemd-analyze", "security", "--offline=true", "--threshold=40", path],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for line in ("User=grantpress", "ProtectSystem=strict", "ReadWritePaths=/var/lib/grantpress",
                     "NoNewPrivileges=true") + lines:
            self.assertIn(line + "\n", text)

    def test_unit_is_valid_and_confined(self):
        self.check_unit(UNIT, ("Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID"))

    def test_the_server_unit_is_valid_and_confined(self):
        self.check_unit(SERVE_UNIT, ("Restart=on-failure",
                                     "ExecStart=/usr/bin/grantpress --config /etc/grantpress/reports.ini serve"))

    def test_sighup_rereads_the_configuration_without_stopping_a_batch(self):
        cfg = self.config("hup", SCHEDULED)
        out = os.path.join(gptest.ARGS.work_dir, "hup-out")
        shutil.rmtree(out, ignore_errors=True)
        # One run on record, so the scheduler (its clock moved to 2030) catches up at start.
        r = grantpress("--config", cfg, "batch", "slow", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        shutil.rmtree(os.path.join(out, "slow"))  # every document has to be made again: a long run
        p = subprocess.Popen([gptest.ARGS.grantpress, "--config", cfg, "schedule", "--now", "2030-01-02 05:00"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = Lines(p)
        try:
            lines.wait_for("batch slow starts (catch-up)")
            with open(cfg, "a", encoding="utf-8") as f:
                f.write(ADDED)
            p.send_signal(signal.SIGHUP)
            lines.wait_for("configuration reloaded")
            self.assertTrue(any("2 scheduled batch(es)" in l for l in lines.seen if "reloaded" in l), lines.seen)
            lines.wait_for("batch more next at 2030-01-02 07:00")
            with open(cfg, "a", encoding="utf-8") as f:
                f.write("[batch.bad]\nquery = SELECT 1 AS id\ntemplates = application\nschedule = 61 * * * *\n")
            p.send_signal(signal.SIGHUP)
            lines.wait_for("configuration not reloaded, the previous one stays in force")
            self.assertTrue(any("hup.ini:" in l for l in lines.seen if "not reloaded" in l), lines.seen)
            lines.wait_for("batch slow complete: 60 done", timeout=600)  # the run in flight was not stopped
            # ... and it was in flight: both reloads came before it ended.
            self.assertLess(lines.index("configuration not reloaded"), lines.index("batch slow complete"), lines.seen)
            self.assertIsNone(p.poll())
        finally:
            p.send_signal(signal.SIGTERM)
            # Not communicate(): it would read stdout too, racing the thread for the last lines.
            p.wait(timeout=600)
            lines.thread.join(timeout=60)
            err = p.stderr.read()
        self.assertEqual(p.returncode, 0, "".join(lines.seen) + err)
        lines.wait_for("scheduler stopped")

    def test_journal_lines_carry_priorities_and_no_terminal_codes(self):
        cfg = self.config("journal", FAILING)
        log = os.path.join(gptest.ARGS.work_dir, "journal.log")
        with open(log, "w+") as f:
            st = os.fstat(f.fileno())
            env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}", TZ="UTC")
            env.pop("SOURCE_DATE_EPOCH", None)
            r = subprocess.run([gptest.ARGS.grantpress, "--config", cfg, "schedule", "--once", "--now",
                                "2026-01-05 06:00"], stdout=f, stderr=subprocess.PIPE, text=True, env=env)
            f.seek(0)
            text = f.read()
        self.assertEqual(r.returncode, 65, text + r.stderr)
        lines = text.splitlines()
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[36]>", line)  # sd-daemon priority prefixes, no time stamps
        self.assertIn("<6>batch broken starts (schedule)", lines)
        self.assertTrue(any(l.startswith("<3>batch broken failed") for l in lines), lines)
        self.assertNotIn("\033", text + r.stderr)
        # Without the journal: time-stamped lines.
        r = grantpress("--config", cfg, "schedule", "--once", "--now", "2026-01-05 06:00", env={"TZ": "UTC"})
        self.assertTrue(r.stdout.startswith("[2026-01-05 06:00] scheduler started"), r.stdout)


if __name__ == "__main__":
    gptest.main()
