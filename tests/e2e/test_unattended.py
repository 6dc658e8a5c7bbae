"""Unattended runs that never lie (issue 12), over the real CLI: exit codes and summaries,
manifests that say whether a run is complete, options that are refused instead of ignored,
batch parameters computed from the clock, the check before the first record, and one
package per package path."""
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
import unittest
import zipfile

import gptest
from gptest import fresh_dir, grantpress

# Needs every record's id and nothing else: `year` comes from the batch parameters.
YEAR_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<report title="Отчёт за {param.year} год">
  <param name="id" type="integer" required="true"/>
  <param name="year" type="integer" required="true"/>
  <query name="p" one="true">SELECT title FROM projects WHERE id = :id</query>
  <section title="Проект">
    <fields row="p">
      <field label="Название">{title}</field>
      <field label="Год">{param.year}</field>
    </fields>
  </section>
</report>
"""

BATCHES = """
[batch.apps]
query = SELECT p.id, g.short_name AS grantor, c.year, p.title FROM projects p JOIN contests c ON c.id = p.contest_id JOIN grantors g ON g.id = c.grantor_id ORDER BY p.id LIMIT :limit
templates = application
formats = pdf
output = {id}/{template}
param.limit = 3
workers = 1

[batch.bundles]
query = SELECT p.id, g.short_name AS grantor, c.year FROM projects p JOIN contests c ON c.id = p.contest_id JOIN grantors g ON g.id = c.grantor_id ORDER BY p.id LIMIT 12
templates = application
formats = pdf
output = {grantor}/{id}/{template}
package = {grantor}/{year}/bundle
workers = 2

[batch.yearly]
query = SELECT p.id FROM projects p JOIN contests c ON c.id = p.contest_id WHERE c.year = :year ORDER BY p.id
templates = yearly
formats = pdf
output = {id}
param.year = {now.year - 1}
schedule = 30 6 * * *

[batch.needs_year]
query = SELECT p.id FROM projects p ORDER BY p.id LIMIT 4
templates = yearly
formats = pdf

[batch.broken]
query = SELECT id FROM (SELECT 1645 AS id UNION ALL SELECT 999999 AS id) ORDER BY id
templates = application
formats = pdf
schedule = 30 6 * * *
"""


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class Unattended(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db(60)
        cls.small = os.path.join(gptest.ARGS.work_dir, "small.db")
        shutil.copy(cls.db, cls.small)
        with sqlite3.connect(cls.small) as c:  # a second source: the same data with two projects
            c.execute("DELETE FROM projects WHERE id NOT IN (SELECT id FROM projects ORDER BY id LIMIT 2)")
        src = gptest.ARGS.source_dir
        cls.templates = fresh_dir("unattended-templates")
        os.makedirs(cls.templates)
        for name in ("application.xml", "registry.xml"):
            shutil.copy(os.path.join(src, "templates", name), cls.templates)
        with open(os.path.join(cls.templates, "yearly.xml"), "w", encoding="utf-8") as f:
            f.write(YEAR_TEMPLATE)
        cls.out = fresh_dir("unattended-out")
        cls.config = cls.write_config("unattended.ini", BATCHES)

    @classmethod
    def write_config(cls, name, batches, extra_sources=""):
        return gptest.write_config(name, db=cls.db, extra="default_source = sample\n", templates=cls.templates,
                                   output=cls.out,
                                   tail=f"[source.small]\nkind = sqlite\npath = {cls.small}\n{extra_sources}{batches}")

    def gp(self, *args, **kw):
        return grantpress("--config", self.config, *args, **kw)

    def manifest(self, out, name):
        with open(os.path.join(out, f"{name}.manifest.json"), encoding="utf-8") as f:
            return json.load(f)

    def run_id(self, r):
        m = re.search(r"runs --show (\d+)", r.stdout + r.stderr)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        return m.group(1)

    # --- 3. no option is ignored in silence -------------------------------------------------

    def test_batch_source_is_honoured(self):
        out = fresh_dir("u-source")
        r = self.gp("batch", "apps", "--source", "small", "--param", "limit=50", "--out", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("2 records: 2 done", r.stdout)
        self.assertEqual(self.manifest(out, "apps")["source"], "small")
        r = self.gp("batch", "apps", "--param", "limit=50", "--out", fresh_dir("u-source2"), "--quiet")
        self.assertIn("50 records: 50 done", r.stdout)

    def test_unknown_source_is_a_configuration_error_listing_the_known(self):
        out = fresh_dir("u-nosuch")
        r = self.gp("batch", "apps", "--source", "nosuch", "--out", out)
        self.assertEqual(r.returncode, 78, r.stdout + r.stderr)
        self.assertIn("no data source 'nosuch'", r.stderr)
        self.assertIn("sample, small", r.stderr)
        self.assertFalse(os.path.exists(out))

    def test_batch_section_source_must_exist(self):
        cfg = self.write_config("u-badsource.ini", "[batch.x]\nquery = SELECT id FROM projects\n"
                                "templates = application\nsource = nosuch\n")
        r = grantpress("--config", cfg, "batch", "x")
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertRegex(r.stderr, r"u-badsource\.ini:\d+: source = 'nosuch' names no \[source\.NAME\]")

    def test_options_that_do_not_apply_are_refused(self):
        cases = [
            (["render", "application", "--param", "id=1645", "--workers", "2"], "--workers does not apply to 'render'"),
            (["render", "application", "--param", "id=1645", "--once"], "--once does not apply to 'render'"),
            (["batch", "apps", "--format", "xlsx"], "--format does not apply to 'batch'"),
            (["schedule", "--once", "--source", "small"], "--source does not apply to 'schedule'"),
            (["runs", "--force"], "--force does not apply to 'runs'"),
            (["check", "--out", "x"], "--out does not apply to 'check'"),
        ]
        for args, message in cases:
            r = self.gp(*args)
            self.assertEqual(r.returncode, 64, (args, r.stdout, r.stderr))
            self.assertIn(message, r.stderr)
        r = grantpress("verify", "--config", self.config, "x.json")
        self.assertEqual(r.returncode, 64, r.stderr)
        self.assertIn("--config does not apply to 'verify'", r.stderr)

    def test_a_batch_query_that_writes_is_a_configuration_error(self):
        cfg = self.write_config("u-write.ini", "[batch.w]\nquery = DELETE FROM projects RETURNING id\n"
                                "templates = application\n")
        before = sha256(self.db)
        r = grantpress("--config", cfg, "batch", "w", "--out", fresh_dir("u-write"))
        self.assertEqual(r.returncode, 78, r.stdout + r.stderr)
        self.assertIn("[batch.w]", r.stderr)
        self.assertEqual(sha256(self.db), before)

    def test_mail_alerts_need_an_smtp_section(self):
        cfg = self.write_config("u-nosmtp.ini", "[batch.x]\nquery = SELECT 1645 AS id\ntemplates = application\n"
                                "notify = mailto:ops@example.org\n")
        r = grantpress("--config", cfg, "batch", "x", "--out", fresh_dir("u-nosmtp"))
        self.assertEqual(r.returncode, 78, r.stdout + r.stderr)
        self.assertIn("u-nosmtp.ini:", r.stderr)
        self.assertIn("[smtp]", r.stderr)

    def test_unknown_key_names_the_line_and_suggests(self):
        cfg = self.write_config("u-typo.ini", "[batch.x]\nquery = SELECT id FROM projects\n"
                                "templates = application\nworker = 2\n")
        r = grantpress("--config", cfg, "batch", "x")
        self.assertEqual(r.returncode, 78, r.stderr)
        line = read(cfg).splitlines().index("worker = 2") + 1
        self.assertIn(f"u-typo.ini:{line}: unknown key 'worker' in [batch.x] (did you mean 'workers'?)", r.stderr)
        cfg = self.write_config("u-typo2.ini", "[batch.x]\nquery = SELECT id FROM projects\n"
                                "templates = application\nparam.2x = 1\n")
        r = grantpress("--config", cfg, "batch", "x")
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertIn("unknown key 'param.2x'", r.stderr)

    # --- 1. exit codes and the run history tell the truth -----------------------------------

    def test_failed_record_exits_65_and_history_names_it(self):
        out = fresh_dir("u-broken")
        r = self.gp("batch", "broken", "--out", out, "--quiet")
        self.assertEqual(r.returncode, 65, r.stdout + r.stderr)
        self.assertIn("2 records: 1 done, 0 skipped, 1 failed", r.stdout)
        self.assertIn("status: failed", r.stdout)
        m = self.manifest(out, "broken")
        self.assertEqual(m["status"], "failed")
        self.assertEqual(m["total"], 2)
        self.assertEqual([(x["key"], x["status"]) for x in m["not_rendered"]], [("999999", "failed")])
        self.assertIn("999999", m["reason"])
        run = self.run_id(r)
        runs = self.gp("runs")
        line = next(l for l in runs.stdout.splitlines() if l.startswith(run + "  "))
        self.assertIn("broken  manual  failed", line)
        self.assertIn("record 999999", line)
        show = self.gp("runs", "--show", run)
        self.assertEqual(show.returncode, 0, show.stderr)
        self.assertIn("status: failed", show.stdout)
        self.assertRegex(show.stdout, r"failed records:\n  999999: ")
        self.assertIn("manifest: " + os.path.join(out, "broken.manifest.json"), show.stdout)
        v = grantpress("verify", os.path.join(out, "broken.manifest.json"))
        self.assertEqual(v.returncode, 65, v.stdout)
        self.assertIn("incomplete: the run is not complete: status 'failed'", v.stdout)
        for bad in ("0", "x", "999999"):
            s = self.gp("runs", "--show", bad)
            self.assertEqual(s.returncode, 64, s.stdout + s.stderr)

    def test_ctrl_c_exits_75_then_rerun_completes(self):
        out = fresh_dir("u-sigint")
        p = subprocess.Popen([gptest.ARGS.grantpress, "--config", self.config, "batch", "apps", "--out", out,
                              "--param", "limit=60", "--workers", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and len(glob.glob(os.path.join(out, "*", "application.pdf"))) < 5:
            time.sleep(0.02)
        p.send_signal(signal.SIGINT)
        stdout, stderr = p.communicate(timeout=600)
        self.assertEqual(p.returncode, 75, stdout + stderr)
        self.assertIn("not run (stopped)", stdout)
        self.assertIn("status: stopped", stdout)
        self.assertIn("run it again to finish", stderr)
        m = self.manifest(out, "apps")
        self.assertEqual(m["status"], "stopped")
        self.assertEqual(m["total"], 60)
        not_run = [x for x in m["not_rendered"] if x["status"] == "not run"]
        self.assertGreater(len(not_run), 0)
        self.assertEqual(len(m["records"]) + len(m["not_rendered"]), 60)
        self.assertEqual(m["params"], {"limit": "60"})
        v = grantpress("verify", os.path.join(out, "apps.manifest.json"))
        self.assertEqual(v.returncode, 65, v.stdout)
        self.assertIn("0 problem(s)", v.stdout)  # every listed file checks ...
        self.assertIn("incomplete: the run is not complete: status 'stopped'", v.stdout)  # ... but the run is short
        runs = self.gp("runs").stdout.splitlines()[0]
        self.assertIn("apps  manual  stopped", runs)
        self.assertIn("stopped by a signal", runs)

        r = self.gp("batch", "apps", "--out", out, "--param", "limit=60", "--quiet")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        total, done, skipped = map(int, re.search(r"(\d+) records: (\d+) done, (\d+) skipped", r.stdout).groups())
        self.assertEqual(total, 60)
        self.assertEqual(done, len(not_run))  # what was finished before the stop is kept
        self.assertEqual(self.manifest(out, "apps")["status"], "complete")
        v = grantpress("verify", os.path.join(out, "apps.manifest.json"))
        self.assertEqual(v.returncode, 0, v.stdout)
        self.assertNotIn("incomplete", v.stdout)

    def test_schedule_once_with_a_failing_batch_exits_non_zero_with_reason(self):
        r = self.gp("schedule", "--once", "--now", "2023-03-01 06:30", env={"TZ": "UTC"})
        self.assertEqual(r.returncode, 65, r.stdout + r.stderr)
        self.assertIn("batch broken failed", r.stdout)
        self.assertIn("record 999999", r.stdout)
        runs = self.gp("runs").stdout
        self.assertRegex(runs, r"broken  schedule  failed .*record 999999")

    # --- 4. parameters for batches and schedules --------------------------------------------

    def years(self):
        with sqlite3.connect(self.db) as c:
            return dict(c.execute("SELECT c.year, COUNT(*) FROM projects p JOIN contests c ON c.id = p.contest_id "
                                  "GROUP BY c.year").fetchall())

    def test_param_from_the_clock_renders_last_years_projects(self):
        years = self.years()
        r = self.gp("schedule", "--once", "--now", "2023-03-01 06:30", env={"TZ": "UTC"})
        self.assertIn(f"batch yearly complete: {years[2022]} done", r.stdout)
        m = self.manifest(os.path.join(self.out, "yearly"), "yearly")
        self.assertEqual(m["params"], {"year": "2022"})
        self.assertEqual(len(m["records"]), years[2022])
        pdf = m["records"][0]["files"][0]["path"]
        self.assertIn("Год2022", gptest.squash(gptest.pdftotext(os.path.join(self.out, "yearly", pdf))))
        show = self.gp("runs", "--show", re.search(r"yearly complete.*; run (\d+)", r.stdout).group(1))
        self.assertIn("parameters: year=2022", show.stdout)

    def test_param_on_the_command_line_overrides_the_section(self):
        years = self.years()
        out = fresh_dir("u-override")
        r = self.gp("batch", "yearly", "--param", "year=2023", "--out", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"{years[2023]} records", r.stdout)
        self.assertIn("parameters: year=2023", r.stdout)
        # --now moves the clock of a batch too: in January the previous year is two back.
        r = self.gp("batch", "yearly", "--now", "2024-01-10 00:00", "--out", out, "--quiet", env={"TZ": "UTC"})
        self.assertIn("parameters: year=2023", r.stdout)
        r = self.gp("schedule", "--once", "--now", "2023-03-01 06:30", "--param", "year=2021", env={"TZ": "UTC"})
        self.assertIn(f"batch yearly complete: {years[2021]} done", r.stdout)

    def test_previous_quarter_wraps_into_the_previous_year(self):
        cfg = self.write_config("u-quarter.ini", "[batch.q]\nquery = SELECT id FROM projects WHERE id = 1645 AND :quarter > 0 AND :qyear > 0 AND :from <> :to\n"
                                "templates = application\nformats = pdf\nparam.quarter = {prev_quarter.quarter}\n"
                                "param.qyear = {prev_quarter.year}\nparam.from = {prev_quarter.start}\n"
                                "param.to = {prev_quarter.end}\nparam.label = Q{prev_quarter.quarter}/{prev_quarter.year}\n")
        for now, expect in (("2024-01-15 06:00", "from=2023-10-01, label=Q4/2023, quarter=4, qyear=2023, to=2023-12-31"),
                            ("2024-05-02 06:00", "from=2024-01-01, label=Q1/2024, quarter=1, qyear=2024, to=2024-03-31")):
            r = grantpress("--config", cfg, "batch", "q", "--now", now, "--out", fresh_dir("u-q"), "--quiet",
                           env={"TZ": "UTC"})
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("parameters: " + expect, r.stdout)

    def test_a_param_that_does_not_compute_names_its_line(self):
        cfg = self.write_config("u-badparam.ini", "[batch.q]\nquery = SELECT id FROM projects\n"
                                "templates = application\nparam.year = {now.yaer - 1}\n")
        r = grantpress("--config", cfg, "batch", "q")
        self.assertEqual(r.returncode, 78, r.stderr)
        line = read(cfg).splitlines().index("param.year = {now.yaer - 1}") + 1
        self.assertIn(f"u-badparam.ini:{line}: param.year = {{now.yaer - 1}}", r.stderr)
        self.assertIn("is not a clock value (known: now.year", r.stderr)

    # --- 5. checked before the first record -------------------------------------------------

    def test_a_parameter_nobody_supplies_is_one_error_before_anything_is_written(self):
        out = fresh_dir("u-needs")
        r = self.gp("batch", "needs_year", "--out", out)
        self.assertEqual(r.returncode, 66, r.stdout + r.stderr)
        errors = [l for l in r.stderr.splitlines() if "needs parameter 'year'" in l]
        self.assertEqual(len(errors), 1, r.stderr)
        self.assertIn("yearly.xml:4:", errors[0])
        self.assertIn("template 'yearly'", errors[0])
        self.assertIn("its query returns the columns id", errors[0])
        self.assertNotIn("failed: record", r.stderr)
        self.assertFalse(os.path.exists(out))
        # A batch parameter of the wrong type is one error too.
        r = self.gp("batch", "needs_year", "--param", "year=abc", "--out", out)
        self.assertEqual(r.returncode, 64, r.stdout + r.stderr)
        self.assertIn("year", r.stderr)
        self.assertFalse(os.path.exists(out))
        r = self.gp("batch", "needs_year", "--param", "year=2022", "--out", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    # --- 6. one package per package path ----------------------------------------------------

    def test_records_sharing_a_package_path_share_one_zip(self):
        out = fresh_dir("u-bundles")
        r = self.gp("batch", "bundles", "--out", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with sqlite3.connect(self.db) as c:
            rows = c.execute("SELECT p.id, g.short_name, c.year FROM projects p JOIN contests c ON c.id = p.contest_id "
                             "JOIN grantors g ON g.id = c.grantor_id ORDER BY p.id LIMIT 12").fetchall()
        groups = {}
        for pid, grantor, year in rows:
            groups.setdefault((grantor, year), []).append(str(pid))
        self.assertTrue(any(len(ids) > 1 for ids in groups.values()), groups)  # the test means something
        zips = sorted(glob.glob(os.path.join(out, "**", "*.zip"), recursive=True))
        self.assertEqual(len(zips), len(groups), zips)
        self.assertFalse([z for z in zips if "~" in os.path.basename(z)], zips)
        m = self.manifest(out, "bundles")
        self.assertEqual(sorted(p["records"] for p in m["packages"]), sorted(groups.values()))
        for p in m["packages"]:
            ids = p["records"]
            self.assertTrue(p["path"].endswith(f"/{rows[[str(x[0]) for x in rows].index(ids[0])][2]}/bundle.zip"), p)
            self.assertEqual(p["status"], "written")
            with zipfile.ZipFile(os.path.join(out, p["path"])) as z:
                names = z.namelist()
                self.assertIsNone(z.testzip())
                self.assertEqual(names, p["members"])
                inner = json.loads(z.read("manifest.json"))
                self.assertEqual([x["key"] for x in inner["records"]], ids)
            expected = ([f"{i}/application.pdf" for i in ids] if len(ids) > 1 else ["application.pdf"]) + ["manifest.json"]
            self.assertEqual(names, expected)
            self.assertEqual(subprocess.run(["unzip", "-tq", os.path.join(out, p["path"])],
                                            capture_output=True).returncode, 0)
        digest = {z: sha256(z) for z in zips}
        r = self.gp("batch", "bundles", "--out", out, "--quiet", "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual({z: sha256(z) for z in zips}, digest)
        v = grantpress("verify", os.path.join(out, "bundles.manifest.json"))
        self.assertEqual(v.returncode, 0, v.stdout)

    def test_a_failed_record_keeps_its_package_unwritten(self):
        cfg = self.write_config("u-pkgfail.ini", "[batch.p]\nquery = SELECT id FROM (SELECT 1645 AS id UNION ALL SELECT 999999 AS id) ORDER BY id\n"
                                "templates = application\nformats = pdf\npackage = all\n")
        out = fresh_dir("u-pkgfail")
        r = grantpress("--config", cfg, "batch", "p", "--out", out, "--quiet")
        self.assertEqual(r.returncode, 65, r.stdout + r.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "all.zip")))
        m = self.manifest(out, "p")
        self.assertEqual(m["packages"][0]["status"], "not written")
        self.assertEqual(m["packages"][0]["reason"], "record 999999 failed")

    # --- names and folders that cannot be written --------------------------------------------

    def test_a_name_over_255_bytes_is_shortened_not_failed(self):
        cfg = self.write_config("u-long.ini", "[batch.l]\nquery = SELECT id, title || ' ' || title || ' ' || title || ' ' || "
                                "title AS t FROM projects WHERE id = 1645\ntemplates = application\nformats = pdf\n"
                                "output = {t} {t} {t}/{t} {t} {t}\npackage = {t}{t}{t}\n")
        out = fresh_dir("u-long")
        r = grantpress("--config", cfg, "batch", "l", "--out", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        files = [os.path.relpath(p, out) for p in glob.glob(os.path.join(out, "**", "*"), recursive=True) if os.path.isfile(p)]
        self.assertEqual(len(files), 3, files)  # the PDF, the package, the manifest
        for f in files:
            for part in f.split(os.sep):
                self.assertLessEqual(len(part.encode()), 200, part)
        self.assertTrue(any(f.endswith(".pdf") for f in files) and any(f.endswith(".zip") for f in files), files)
        # render names its file by the parameters: a long one is cut too
        long_title = "Клуб неравнодушных " * 30
        r = grantpress("--config", self.config, "render", "registry", "--param", f"grantor={long_title}",
                       "--format", "pdf", "--out", fresh_dir("u-long-render"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertLessEqual(len(os.path.basename(r.stdout.strip()).encode()), 204)

    def test_an_output_folder_that_cannot_be_written_is_one_output_error(self):
        blocker = os.path.join(gptest.ARGS.work_dir, "u-blocker")
        with open(blocker, "w") as f:
            f.write("a file where a folder should be")
        r = self.gp("batch", "apps", "--out", os.path.join(blocker, "sub"))
        self.assertEqual(r.returncode, 73, r.stdout + r.stderr)
        self.assertIn("cannot write to the batch's output folder", r.stderr)
        self.assertNotIn("failed: record", r.stderr)

    # --- signals and concurrent runs -----------------------------------------------------------

    def test_two_runs_of_one_batch_folder_do_not_race(self):
        out = fresh_dir("u-lock")
        first = subprocess.Popen([gptest.ARGS.grantpress, "--config", self.config, "batch", "apps", "--out", out,
                                  "--param", "limit=60", "--workers", "1", "--quiet"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and not glob.glob(os.path.join(out, "*", "application.pdf")):
            time.sleep(0.02)
        second = self.gp("batch", "apps", "--out", out, "--param", "limit=60", "--quiet")
        stdout, stderr = first.communicate(timeout=600)
        self.assertEqual(first.returncode, 0, stdout + stderr)
        self.assertEqual(second.returncode, 75, second.stdout + second.stderr)
        self.assertIn("batch apps is already running on", second.stderr)
        self.assertEqual(self.manifest(out, "apps")["status"], "complete")  # the second did not overwrite it
        r = self.gp("batch", "apps", "--out", out, "--param", "limit=60", "--quiet")  # free again
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_sigterm_during_a_render_leaves_no_temporary_file(self):
        big = os.path.join(gptest.ARGS.work_dir, "big.db")
        subprocess.run([os.path.join(gptest.ARGS.source_dir, "scripts", "make-sample-db.sh"), "--projects", "6000",
                        "--generator", gptest.ARGS.samplegen, "--out", big], check=True, stdout=subprocess.DEVNULL)
        cfg = self.write_config("u-big.ini", "", extra_sources=f"[source.big]\nkind = sqlite\npath = {big}\n")
        for sig in (signal.SIGTERM, signal.SIGINT):
            out = fresh_dir(f"u-sigrender-{int(sig)}")
            p = subprocess.Popen([gptest.ARGS.grantpress, "--config", cfg, "render", "registry", "--source", "big",
                                  "--format", "pdf,xlsx", "--out", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.time() + 60
            while time.time() < deadline and not glob.glob(os.path.join(out, ".*.tmp-*")):
                time.sleep(0.005)
            self.assertTrue(glob.glob(os.path.join(out, ".*.tmp-*")), "the render never started writing")
            p.send_signal(sig)
            p.communicate(timeout=60)
            self.assertEqual(p.returncode, -sig)
            self.assertEqual(os.listdir(out), [])  # neither a temporary nor a partial document

    # --- verify reads nothing outside the manifest's folder ---------------------------------

    def test_verify_refuses_paths_outside_the_manifest_folder(self):
        out = fresh_dir("u-verify")
        r = self.gp("batch", "apps", "--out", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        path = os.path.join(out, "apps.manifest.json")
        m = self.manifest(out, "apps")
        secret = os.path.join(gptest.ARGS.work_dir, "outside.txt")
        with open(secret, "w") as f:
            f.write("not yours")
        os.symlink(secret, os.path.join(out, "link.txt"))
        m["records"][0]["files"] = [{"path": "../outside.txt", "size": 9, "sha256": "0"},
                                    {"path": secret, "size": 9, "sha256": "0"},
                                    {"path": "link.txt", "size": 9, "sha256": "0"}]
        with open(path, "w", encoding="utf-8") as f:
            json.dump(m, f)
        v = grantpress("verify", path)
        self.assertEqual(v.returncode, 65, v.stdout)
        for p in ("../outside.txt", secret, "link.txt"):
            self.assertIn(p + ": refused: the path is absolute or leads outside the manifest's folder", v.stdout)
        self.assertNotIn("size 9", v.stdout)


class Server:
    """One tests/unit/notify_servers.py process on a free loopback port (a real aiosmtpd SMTP
    server or an http.server receiver), stopped when the test ends."""

    def __init__(self, test, kind, *args):
        self.dir = fresh_dir(f"{kind}-{test.id().rsplit('.', 1)[-1]}-{len(args)}")
        os.makedirs(self.dir)
        portfile = os.path.join(self.dir, "port")
        script = os.path.join(gptest.ARGS.source_dir, "tests", "unit", "notify_servers.py")
        self.proc = subprocess.Popen(["/usr/bin/python3", script, kind, portfile, self.dir, *args])
        test.addCleanup(self.stop)
        deadline = time.time() + 15
        while not os.path.exists(portfile):
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError(f"the {kind} server did not start")
            time.sleep(0.05)
        self.port = int(read(portfile))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def received(self, ext, count, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            done = sorted(f for f in os.listdir(self.dir) if f.endswith(ext))
            if len(done) >= count:
                return [os.path.join(self.dir, f) for f in done]
            time.sleep(0.05)
        return [os.path.join(self.dir, f) for f in sorted(os.listdir(self.dir)) if f.endswith(ext)]


class Alerts(unittest.TestCase):
    """A scheduled batch that fails sends an e-mail to a real SMTP server and a JSON summary to a
    real HTTP receiver on loopback; a failing alert never changes the outcome."""

    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db(60)

    def config(self, name, smtp_port, batches):
        return gptest.write_config(name, db=self.db, output=f"{gptest.ARGS.work_dir}/{name}-out",
                                   extra=f"[smtp]\nhost = 127.0.0.1\nport = {smtp_port}\n"
                                         "from = grantpress@example.org\ntimeout = 10\n",
                                   tail=batches)

    def test_a_failing_scheduled_batch_mails_the_failed_records_and_posts_a_summary(self):
        smtp = Server(self, "smtp")
        hook = Server(self, "http", "200")
        cfg = self.config("alerts.ini", smtp.port, f"""
[batch.broken]
query = SELECT id FROM (SELECT 1645 AS id UNION ALL SELECT 999999 AS id) ORDER BY id
templates = application
formats = pdf
schedule = 30 6 * * *
notify = mailto:ops@example.org, http://127.0.0.1:{hook.port}/gp-hook
""")
        r = grantpress("--config", cfg, "schedule", "--once", "--now", "2023-03-01 06:30", env={"TZ": "UTC"})
        self.assertEqual(r.returncode, 65, r.stdout + r.stderr)
        mails = smtp.received(".json", 1)
        self.assertEqual(len(mails), 1, r.stdout)
        with open(mails[0], encoding="utf-8") as f:
            mail = json.load(f)
        self.assertEqual(mail["rcpt_tos"], ["ops@example.org"])
        self.assertIn("broken", mail["subject"])
        self.assertIn("failed", mail["subject"])
        self.assertIn("999999", mail["body"])
        self.assertIn("returned 0 rows", mail["body"])
        self.assertIn("broken.manifest.json", mail["body"])
        posts = hook.received(".body", 1)
        self.assertEqual(len(posts), 1)
        with open(posts[0], encoding="utf-8") as f:
            summary = json.load(f)
        self.assertEqual(summary["batch"], "broken")
        self.assertEqual(summary["status"], "failed")
        self.assertEqual(summary["trigger"], "schedule")
        self.assertEqual([f["id"] for f in summary["failures"]], ["999999"])

    def test_notify_on_failure_stays_silent_for_a_complete_run_and_a_failed_alert_changes_nothing(self):
        smtp = Server(self, "smtp")
        hook = Server(self, "http", "500")
        cfg = self.config("alerts2.ini", smtp.port, f"""
[batch.quiet]
query = SELECT 1645 AS id
templates = application
formats = pdf
notify = mailto:ops@example.org

[batch.loud]
query = SELECT 1645 AS id
templates = application
formats = pdf
notify = http://127.0.0.1:{hook.port}/gp-hook
notify_on = always
""")
        r = grantpress("--config", cfg, "batch", "quiet", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = grantpress("--config", cfg, "batch", "loud", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)  # the run was complete: a refused alert does not change it
        self.assertIn("alert not sent: ", r.stderr)
        self.assertIn("500", r.stderr)
        self.assertEqual(len(hook.received(".body", 1)), 1)
        show = grantpress("--config", cfg, "runs", "--show", re.search(r"^run: (\d+)$", r.stdout, re.M).group(1))
        self.assertIn("status: complete", show.stdout)
        self.assertIn("alert not sent: http://127.0.0.1:", show.stdout)
        self.assertEqual(smtp.received(".json", 1, timeout=1), [])  # quiet: complete, notify_on = failure

    def test_notify_targets_are_checked_with_the_configuration(self):
        cfg = self.config("alerts3.ini", 25, "[batch.x]\nquery = SELECT 1645 AS id\ntemplates = application\n"
                          "notify = ftp://example.org\n")
        r = grantpress("--config", cfg, "batch", "x")
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertIn("alerts3.ini:", r.stderr)
        cfg = self.config("alerts4.ini", 25, "[batch.x]\nquery = SELECT 1645 AS id\ntemplates = application\n"
                          "notify = mailto:ops@example.org\nnotify_on = sometimes\n")
        r = grantpress("--config", cfg, "batch", "x")
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertIn("notify_on = 'sometimes': write failure or always", r.stderr)


if __name__ == "__main__":
    gptest.main()
