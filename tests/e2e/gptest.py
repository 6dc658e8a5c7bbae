"""Shared fixture for the end-to-end tests: command-line arguments given by ctest, a sample
database built once per work folder, and a reports.ini pointing at it."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import unittest

ARGS = None


def parse_args():
    """Reads --grantpress, --samplegen, --source-dir, --work-dir; returns unittest's argv."""
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--grantpress", required=True)
    p.add_argument("--samplegen", required=True)
    p.add_argument("--source-dir", required=True)
    p.add_argument("--work-dir", required=True)
    ARGS, rest = p.parse_known_args()
    os.makedirs(ARGS.work_dir, exist_ok=True)
    route_sanitizer_reports()
    return [sys.argv[0]] + rest


def sanitizer_dir():
    return os.path.join(ARGS.work_dir, "sanitizer-reports")


def route_sanitizer_reports():
    """Under a sanitizer build (scripts/test.sh's build-asan/), every grantpress and
    gp-samplegen this test starts writes its AddressSanitizer, LeakSanitizer or UBSan report to
    a file of its own (log_path: report.PID) in the work folder, whether the test reads the
    program's stderr or not; run_tests() fails the test when any is there. Programs not built with
    a sanitizer ignore these variables."""
    d = sanitizer_dir()
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"):
        opts = os.environ.get(name, "")
        os.environ[name] = (opts + ":" if opts else "") + "log_path=" + os.path.join(d, "report")


def sanitizer_reports():
    """The sanitizer reports written while the test ran, as (file, text)."""
    d = sanitizer_dir()
    out = []
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, name), encoding="utf-8", errors="replace") as f:
            out.append((name, f.read()))
    return out


def main():
    run_tests(parse_args())


def run_tests(argv, verbosity=2):
    """unittest.main, then a failure for every sanitizer report (see route_sanitizer_reports)."""
    result = unittest.main(argv=argv, verbosity=verbosity, exit=False).result
    ok = result.wasSuccessful()
    reports = sanitizer_reports()
    for name, text in reports:
        print(f"\n=== sanitizer report {name} (a program this test started) ===\n{text}", file=sys.stderr)
    if reports:
        print(f"FAILED: {len(reports)} sanitizer report(s) in {sanitizer_dir()}", file=sys.stderr)
    sys.exit(0 if ok and not reports else 1)


def sample_db(projects=60):
    """Builds (once) a sample database in the work folder with the repo's own script."""
    db = os.path.join(ARGS.work_dir, "grants.db")
    subprocess.run([os.path.join(ARGS.source_dir, "scripts", "make-sample-db.sh"), "--projects", str(projects),
                    "--generator", ARGS.samplegen, "--out", db], check=True, stdout=subprocess.DEVNULL)
    return db


def write_config(name="reports.ini", db=None, extra="", templates=None, output=None, tail=""):
    """A reports.ini in the work folder: the repo's templates (or `templates`) and fonts, output
    in `output` (default: work folder/out), `extra` at the end of [engine] (further sections may
    follow it), the source `sample` (`db`), then `tail` (more sources, batches)."""
    src = ARGS.source_dir
    path = os.path.join(ARGS.work_dir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"[engine]\ntemplates = {templates or src + '/templates'}\nfonts = {src}/fonts\n"
                f"output = {output or ARGS.work_dir + '/out'}\ncreated = 2026-01-01\n{extra}"
                f"[source.sample]\nkind = sqlite\npath = {db or sample_db()}\n{tail}")
    return path


def grantpress(*args, env=None):
    """Runs the CLI; returns CompletedProcess with text output."""
    e = dict(os.environ)
    e.pop("SOURCE_DATE_EPOCH", None)
    if env:
        e.update(env)
    return subprocess.run([ARGS.grantpress, *args], capture_output=True, text=True, env=e)


def fresh_dir(name):
    d = os.path.join(ARGS.work_dir, name)
    shutil.rmtree(d, ignore_errors=True)
    return d


def files_in(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def pdftotext(path, *opts):
    return subprocess.run(["pdftotext", *opts, path, "-"], capture_output=True, text=True, check=True).stdout


def squash(text):
    """Joins lines and drops all whitespace (no-break spaces too): wrapped text compares verbatim."""
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


def spaced(text):
    """Collapses whitespace runs (and no-break spaces) to one space."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


PG_KEYS = ("GP_PG_HOST", "GP_PG_PORT", "GP_PG_USER", "GP_PG_PASSWORD", "GP_PG_DB")


def pg_env():
    """The throwaway PostgreSQL server's connection details (GP_PG_*), exported by
    scripts/pg-run.sh, under which scripts/test.sh runs ctest. Without them the calling test
    fails when CI=true and is skipped (with the reason) otherwise."""
    missing = [k for k in PG_KEYS if not os.environ.get(k)]
    if missing:
        why = (f"no PostgreSQL server ({', '.join(missing)} unset): run the tests through scripts/pg-run.sh "
               "(scripts/test.sh does)")
        if os.environ.get("CI") == "true":
            raise AssertionError("CI=true needs PostgreSQL: " + why)
        raise unittest.SkipTest(why)
    return {k: os.environ[k] for k in PG_KEYS}


# The connection string of a [source.NAME] for that server; secrets stay in the environment.
PG_CONNECTION = ("Driver={PostgreSQL Unicode};Server=${system.env.GP_PG_HOST};Port=${system.env.GP_PG_PORT};"
                 "Database=${system.env.GP_PG_DB};Uid=${system.env.GP_PG_USER};Pwd=${system.env.GP_PG_PASSWORD}")


def psql(sql):
    """Runs SQL on the GP_PG_* server with psql (a client nobody here wrote); returns its output."""
    e = pg_env()
    env = dict(os.environ, PGPASSWORD=e["GP_PG_PASSWORD"])
    r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", e["GP_PG_HOST"], "-p", e["GP_PG_PORT"],
                        "-U", e["GP_PG_USER"], "-d", e["GP_PG_DB"], "-c", sql],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise AssertionError(f"psql failed: {r.stderr}")
    return r.stdout
