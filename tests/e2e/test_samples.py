#!/usr/bin/env python3
"""End-to-end tests of the sample data: gp-samplegen, scripts/make-sample-db.sh and the
resulting SQLite database (schema.sql + seed.sql + generated rows).

Run by ctest as:
  python3 tests/e2e/test_samples.py --grantpress PATH --samplegen PATH --source-dir REPO --work-dir DIR
Extra arguments are passed to unittest (e.g. -v, or a test name).
"""

import argparse
import datetime
import decimal
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import time
import unittest
from decimal import Decimal

import gptest

ARGS = None  # set in main()

# Record 1645, exactly as published (see samples/seed.sql).
SEED = {
    "title": 'Клуб неравнодушных - 2022 "Тверская, 21"',
    "organization": "АВТОНОМНАЯ НЕКОММЕРЧЕСКАЯ ОРГАНИЗАЦИЯ ПО РАЗВИТИЮ СОЦИАЛЬНОЙ АКТИВНОСТИ И "
    "СОЦИАЛЬНЫХ КОММУНИКАЦИЙ «АГЕНТСТВО СОЦИАЛЬНЫХ ТЕХНОЛОГИЙ И КОММУНИКАЦИЙ»",
    "start_date": "2022-01-01",
    "end_date": "2022-12-31",
    "goals": "Создание и внедрение актуальных моделей взаимодействия музейных организаций и СО НКО "
    "для усиления их роли в гражданско-патриотическом воспитании детей и молодежи г. Москвы. "
    "Расширение взаимодействия между обществом, музеями и СО НКО г. Москвы; - создание общего "
    "культурного пространства музеев и СО НКО г. Москвы; - усиление роли российских музеев в "
    "гражданско-патриотическом воспитании детей и молодежи г. Москвы; - создание и "
    "распространение новых практик совместной работы музейных организаций и СО НКО г. Москвы; "
    "-развитие форм гражданско-патриотического воспитания, исторического образования детей и "
    "молодежи.",
    "target_audience": "Специалисты профильных СО НКО г. Москвы; Специалисты музейных организаций "
    "г. Москвы; Представители НКО \u2013 доноров зарегистрированных на территории Москвы; "
    "Представители Общероссийских НКО, зарегистрированные на территории Москвы; Молодые "
    "москвичи в возрасте 14 \u2013 35 лет",
    "description": "В рамках реализации проекта музейные организации и заинтересованные СО НКО "
    "смогут разнообразить практики работы с наследием, аудиториями, территориями и местными "
    "сообществами, коммерческими и некоммерческими организациями. Участники проекта выйдут за "
    "рамки традиционной музейной деятельности, освоят новые подходы к работе, совмещающие "
    "предметные знания с гибкими социальными навыками. Это послужит развитию стратегического "
    "видения и повышению эффективности управления музеями, развитию деятельности СО НКО, "
    "научит более продуктивно взаимодействовать с заинтересованными в принятии тех или иных "
    "решений организациями. Произойдут качественные изменения в системе "
    "гражданско-патриотического воспитания молодых москвичей через культурно-досуговую "
    "деятельность.",
    "grantor": "Конкурс Грантов Мэра Москвы для социально-ориентированных НКО",
    "amount": Decimal("2691000.00"),
    "participants": 2200,
    "qualitative_results": "Объединение опыта и ресурсов НКО и музейных организаций Москвы для "
    "достижения социальных результатов, Создание нетворкинг-пространства НКО, власти и бизнеса "
    "Москвы, Формирование устойчивости взаимодействия московских музеев с НКО и организациями "
    "бизнеса, Повышение квалификации специалистов музеев и НКО Москвы",
}

STATUSES = {"запланировано", "в работе", "выполнено", "перенесено", "отменено"}
CENT = Decimal("0.01")


def dec(value):
    """Exact 2-place Decimal of a NUMERIC value as SQLite returns it (int, float or str)."""
    return Decimal(str(value)).quantize(CENT, rounding=decimal.ROUND_HALF_EVEN)


def inn_ok(inn):
    if not re.fullmatch(r"\d{10}", inn):
        return False
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return sum(int(d) * w for d, w in zip(inn, weights)) % 11 % 10 == int(inn[9])


def ogrn_ok(ogrn):
    return bool(re.fullmatch(r"\d{13}", ogrn)) and int(ogrn[:12]) % 11 % 10 == int(ogrn[12])


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)


def generate(*args):
    """Runs the generator and returns its stdout as bytes (checks the exit code)."""
    proc = subprocess.run([ARGS.samplegen, *args], capture_output=True, timeout=600)
    if proc.returncode != 0:
        raise AssertionError(f"gp-samplegen {' '.join(args)} exited {proc.returncode}: "
                             f"{proc.stderr.decode(errors='replace')}")
    return proc.stdout


def make_db(*args):
    script = os.path.join(ARGS.source_dir, "scripts", "make-sample-db.sh")
    return run(["bash", script, "--generator", ARGS.samplegen, *args])


class GeneratorTest(unittest.TestCase):
    def test_same_seed_gives_identical_output(self):
        first = hashlib.sha256(generate("--projects", "40", "--seed", "7")).hexdigest()
        second = hashlib.sha256(generate("--projects", "40", "--seed", "7")).hexdigest()
        self.assertEqual(first, second)

    def test_default_seed_is_1(self):
        self.assertEqual(generate("--projects", "5"), generate("--projects", "5", "--seed", "1"))

    def test_different_seed_gives_different_output(self):
        self.assertNotEqual(generate("--projects", "40", "--seed", "7"),
                            generate("--projects", "40", "--seed", "8"))

    def test_out_file_matches_stdout(self):
        path = os.path.join(ARGS.work_dir, "gen-out.sql")
        generate("--projects", "20", "--seed", "3", "--out", path)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), generate("--projects", "20", "--seed", "3"))

    def test_output_is_one_transaction(self):
        text = generate("--projects", "3").decode("utf-8")
        self.assertIn("\nBEGIN;\n", "\n" + text)
        self.assertTrue(text.endswith("COMMIT;\n"))

    def test_bad_arguments_exit_64_and_name_the_argument(self):
        cases = [
            (["--projects", "abc"], "--projects"),
            (["--projects", "-5"], "--projects"),
            (["--projects", "10", "--seed", "x1"], "--seed"),
            (["--projects"], "--projects"),
            (["--projects", "10", "--bogus"], "--bogus"),
            (["--seed", "3"], "--projects"),  # --projects is required
        ]
        for args, named in cases:
            with self.subTest(args=args):
                proc = run([ARGS.samplegen, *args])
                self.assertEqual(proc.returncode, 64, proc.stderr)
                self.assertIn(named, proc.stderr)
                self.assertEqual(proc.stdout, "")


class DatabaseTest(unittest.TestCase):
    """Builds one database with 50 generated projects and checks its content."""

    @classmethod
    def setUpClass(cls):
        cls.db_path = os.path.join(ARGS.work_dir, "grants.db")
        for leftover in (cls.db_path, cls.db_path + "-journal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        proc = make_db("--projects", "50", "--seed", "1", "--out", cls.db_path)
        if proc.returncode != 0:
            raise AssertionError(f"make-sample-db.sh failed ({proc.returncode}):\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        cls.db = sqlite3.connect(f"file:{cls.db_path}?mode=ro", uri=True)

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def query(self, sql, *params):
        return self.db.execute(sql, params).fetchall()

    def test_integrity(self):
        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])
        self.assertEqual(self.query("PRAGMA foreign_key_check"), [])

    def test_no_temp_files_left(self):
        left = [n for n in os.listdir(ARGS.work_dir) if n.startswith("grants.db.tmp.")]
        self.assertEqual(left, [])

    def test_project_counts(self):
        self.assertEqual(self.query("SELECT COUNT(*) FROM projects"), [(51,)])
        ids = [r[0] for r in self.query("SELECT id FROM projects WHERE id <> 1645 ORDER BY id")]
        self.assertEqual(ids, list(range(1, 51)))

    def test_seed_project_exact(self):
        rows = self.query(
            "SELECT p.title, o.name, p.start_date, p.end_date, p.goals, p.target_audience,"
            " p.description, g.name, p.amount, p.participants, p.qualitative_results,"
            " p.confirmed_by_region, c.year, o.region"
            " FROM projects p JOIN organizations o ON o.id = p.organization_id"
            " JOIN contests c ON c.id = p.contest_id JOIN grantors g ON g.id = c.grantor_id"
            " WHERE p.id = 1645")
        self.assertEqual(len(rows), 1)
        (title, org, start, end, goals, audience, description, grantor, amount, participants,
         results, confirmed, year, region) = rows[0]
        self.assertEqual(title, SEED["title"])
        self.assertEqual(org, SEED["organization"])
        self.assertEqual(start, SEED["start_date"])
        self.assertEqual(end, SEED["end_date"])
        self.assertEqual(goals, SEED["goals"])
        self.assertEqual(audience, SEED["target_audience"])
        self.assertEqual(description, SEED["description"])
        self.assertEqual(grantor, SEED["grantor"])
        self.assertEqual(dec(amount), SEED["amount"])
        self.assertEqual(participants, SEED["participants"])
        self.assertEqual(results, SEED["qualitative_results"])
        self.assertIsNone(confirmed)
        self.assertEqual(year, 2022)
        self.assertEqual(region, "г. Москва")

    def test_seed_budget_sums_to_amount(self):
        rows = self.query("SELECT requested FROM budget_lines WHERE project_id = 1645")
        self.assertGreaterEqual(len(rows), 10)
        self.assertEqual(sum(dec(r[0]) for r in rows), Decimal("2691000.00"))

    def test_seed_related_rows_in_reserved_range(self):
        for table in ("budget_lines", "calendar_plan", "indicators", "publications"):
            with self.subTest(table=table):
                self.assertEqual(self.query(
                    f"SELECT COUNT(*) FROM {table} WHERE (project_id = 1645) <> (id < 100)"), [(0,)])

    def test_every_budget_sums_exactly_to_amount(self):
        amounts = {pid: dec(a) for pid, a in self.query("SELECT id, amount FROM projects")}
        sums = {pid: Decimal(0) for pid in amounts}
        for pid, requested in self.query("SELECT project_id, requested FROM budget_lines"):
            sums[pid] += dec(requested)
        for pid, amount in amounts.items():
            with self.subTest(project=pid):
                self.assertEqual(sums[pid], amount)

    def test_budget_lines(self):
        counts = {}
        for pid, qty, price, requested, cofin, spent in self.query(
                "SELECT project_id, quantity, unit_price, requested, cofinancing, spent"
                " FROM budget_lines"):
            counts[pid] = counts.get(pid, 0) + 1
            with self.subTest(project=pid):
                self.assertEqual(dec(qty) * dec(price), dec(requested))  # exact, no rounding
                self.assertGreater(dec(requested), 0)
                self.assertGreaterEqual(dec(cofin), 0)
                self.assertLessEqual(dec(spent), dec(requested) * Decimal("1.05"))
        for pid, n in counts.items():
            if pid != 1645:
                self.assertTrue(6 <= n <= 15, (pid, n))
        self.assertEqual(self.query(
            "SELECT COUNT(*) FROM budget_lines WHERE typeof(requested) = 'real'")[0][0] > 0, True,
            "some amounts should have kopecks")

    def test_amount_range(self):
        for pid, amount in self.query("SELECT id, amount FROM projects WHERE id <> 1645"):
            self.assertTrue(Decimal(300000) <= dec(amount) <= Decimal(15000000), (pid, amount))

    def test_organizations_have_valid_inn_and_ogrn(self):
        for oid, inn, ogrn in self.query("SELECT id, inn, ogrn FROM organizations"):
            with self.subTest(organization=oid):
                self.assertTrue(inn_ok(inn), inn)
                self.assertTrue(ogrn_ok(ogrn), ogrn)
        self.assertEqual(self.query(
            "SELECT COUNT(*) FROM (SELECT inn FROM organizations GROUP BY inn HAVING COUNT(*) > 1)"),
            [(0,)])

    def test_dates_and_statuses(self):
        periods = {pid: (s, e) for pid, s, e in self.query(
            "SELECT id, start_date, end_date FROM projects")}
        for pid, (s, e) in periods.items():
            datetime.date.fromisoformat(s)
            datetime.date.fromisoformat(e)
            self.assertLessEqual(s, e)
        for pid, ps, pe, as_, ae, status, achieved in self.query(
                "SELECT project_id, planned_start, planned_end, actual_start, actual_end, status,"
                " achieved_result FROM calendar_plan"):
            s, e = periods[pid]
            with self.subTest(project=pid, planned=ps):
                self.assertIn(status, STATUSES)
                self.assertTrue(s <= ps <= pe <= e, (s, ps, pe, e))
                if as_ is not None and ae is not None:
                    self.assertLessEqual(as_, ae)
                if status == "выполнено":
                    self.assertIsNotNone(ae)
                    self.assertIsNotNone(achieved)
                if status == "запланировано":
                    self.assertIsNone(as_)
                    self.assertIsNone(achieved)
        for pid, day in self.query("SELECT project_id, published_on FROM publications"):
            datetime.date.fromisoformat(day)
            self.assertGreaterEqual(day, periods[pid][0])

    def test_per_project_row_counts(self):
        for table, lo, hi in (("calendar_plan", 5, 12), ("indicators", 3, 7)):
            for pid, n in self.query(
                    f"SELECT project_id, COUNT(*) FROM {table} WHERE project_id <> 1645"
                    " GROUP BY project_id"):
                self.assertTrue(lo <= n <= hi, (table, pid, n))
        self.assertEqual(self.query(
            "SELECT COUNT(*) FROM projects p WHERE NOT EXISTS"
            " (SELECT 1 FROM calendar_plan c WHERE c.project_id = p.id)"), [(0,)])
        for pid, n in self.query("SELECT project_id, COUNT(*) FROM publications"
                                 " WHERE project_id <> 1645 GROUP BY project_id"):
            self.assertLessEqual(n, 5)
        for (url,) in self.query("SELECT url FROM publications"):
            self.assertTrue(url.startswith("https://"), url)

    def test_text_lengths(self):
        goals, descriptions = [], []
        for g, d, a, r in self.query(
                "SELECT goals, description, target_audience, qualitative_results FROM projects"
                " WHERE id <> 1645"):
            goals.append(len(g))
            descriptions.append(len(d))
            self.assertTrue(150 <= len(a) <= 400, a)
            self.assertTrue(150 <= len(r) <= 400, r)
        for lengths in (goals, descriptions):
            self.assertTrue(500 <= min(lengths) and max(lengths) <= 1400, lengths)
            self.assertTrue(750 <= sum(lengths) / len(lengths) <= 1050, lengths)


class ScriptTest(unittest.TestCase):
    def test_idempotent_and_force_rebuilds(self):
        path = os.path.join(ARGS.work_dir, "idempotent.db")
        if os.path.exists(path):
            os.remove(path)
        first = make_db("--projects", "5", "--out", path)
        self.assertEqual(first.returncode, 0, first.stderr)
        before = os.stat(path)

        again = make_db("--projects", "5", "--out", path)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("exists", again.stdout)
        after = os.stat(path)
        self.assertEqual((after.st_mtime_ns, after.st_ino, after.st_size),
                         (before.st_mtime_ns, before.st_ino, before.st_size))

        time.sleep(0.02)
        forced = make_db("--projects", "7", "--out", path, "--force")
        self.assertEqual(forced.returncode, 0, forced.stderr)
        rebuilt = os.stat(path)
        self.assertNotEqual((rebuilt.st_mtime_ns, rebuilt.st_ino), (before.st_mtime_ns, before.st_ino))
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM projects").fetchone(), (8,))

    def test_missing_generator_says_build_first(self):
        path = os.path.join(ARGS.work_dir, "nogen.db")
        script = os.path.join(ARGS.source_dir, "scripts", "make-sample-db.sh")
        proc = run(["bash", script, "--generator", os.path.join(ARGS.work_dir, "no-such-binary"),
                    "--out", path])
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("build first: cmake --build build --target gp-samplegen", proc.stderr)
        self.assertFalse(os.path.exists(path))

    def test_failing_generator_leaves_nothing_behind(self):
        path = os.path.join(ARGS.work_dir, "failed.db")
        script = os.path.join(ARGS.source_dir, "scripts", "make-sample-db.sh")
        proc = run(["bash", script, "--generator", "/bin/false", "--out", path])
        self.assertNotEqual(proc.returncode, 0)
        self.assertFalse(os.path.exists(path))
        self.assertEqual([n for n in os.listdir(ARGS.work_dir) if n.startswith("failed.db")], [])

    def test_bad_script_argument(self):
        proc = make_db("--projects", "many", "--out", os.path.join(ARGS.work_dir, "bad.db"))
        self.assertEqual(proc.returncode, 64)
        self.assertIn("--projects", proc.stderr)


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--grantpress", required=True, help="grantpress CLI (unused here)")
    parser.add_argument("--samplegen", required=True, help="gp-samplegen binary")
    parser.add_argument("--source-dir", required=True, help="repository root")
    parser.add_argument("--work-dir", required=True, help="scratch directory (created)")
    ARGS, rest = parser.parse_known_args()
    ARGS.samplegen = os.path.abspath(ARGS.samplegen)
    ARGS.source_dir = os.path.abspath(ARGS.source_dir)
    ARGS.work_dir = os.path.abspath(ARGS.work_dir)
    os.makedirs(ARGS.work_dir, exist_ok=True)
    # gp-samplegen's sanitizer reports fail the test as in the other end-to-end tests.
    gptest.ARGS = ARGS
    gptest.route_sanitizer_reports()
    gptest.run_tests([sys.argv[0]] + rest, verbosity=1)


if __name__ == "__main__":
    main()
