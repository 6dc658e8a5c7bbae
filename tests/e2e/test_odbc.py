"""ODBC data sources end to end over the CLI: PostgreSQL 15 through psqlODBC (the throwaway
server that scripts/pg-run.sh starts for scripts/test.sh) and the SQLite ODBC driver. The
same data gives the same bytes as the built-in SQLite source; Cyrillic survives LANG=C;
money prints exactly; parameters are data; errors name the source and never a secret."""
import glob
import os
import unittest

import gptest
from gptest import files_in, fresh_dir, grantpress, pdftotext, spaced, squash

TITLE = 'Клуб неравнодушных - 2022 "Тверская, 21"'
EVIL = [
    "x' OR '1'='1",
    "'; DROP TABLE projects; --",
    "1645); DELETE FROM projects; --",
    "\\'; SELECT pg_sleep(0); --",
    "' UNION SELECT version(), 1, 1 --",
    ":q ? $1 %s {q}",
    TITLE,
]


class OdbcRender(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = gptest.pg_env()
        cls.db = gptest.sample_db()  # the same generator output pg-run.sh loads (60 projects, seed 1)
        src = gptest.ARGS.source_dir
        cls.fixtures = os.path.join(src, "tests", "e2e", "fixtures")
        sources = (f"[source.pg]\nkind = odbc\nconnection = {gptest.PG_CONNECTION}\n"
                   f"[source.lite]\nkind = odbc\nconnection = Driver=SQLite3;Database={cls.db}\n"
                   "[source.dsn]\nkind = odbc\n"
                   "connection = DSN=grantpress_e2e;Uid=${system.env.GP_PG_USER};Pwd=${system.env.GP_PG_PASSWORD}\n")
        cls.config = gptest.write_config("odbc.ini", db=cls.db, extra="default_source = sample\n")
        with open(cls.config, "a", encoding="utf-8") as f:
            f.write(sources)
            f.write("[batch.pgapps]\nquery = SELECT p.id FROM projects p WHERE p.id IN (1645, 2, 3) ORDER BY p.id\n"
                    "templates = application\nformats = pdf\noutput = {id}/{template}\nsource = pg\n")
        # The fixtures' templates, with the same sources.
        cls.probe_config = os.path.join(gptest.ARGS.work_dir, "odbc-probe.ini")
        with open(cls.config, encoding="utf-8") as f:
            text = f.read().replace(f"templates = {src}/templates", f"templates = {cls.fixtures}")
        with open(cls.probe_config, "w", encoding="utf-8") as f:
            f.write(text)
        gptest.psql("DROP TABLE IF EXISTS money_probe; CREATE TABLE money_probe (id integer PRIMARY KEY, "
                    "amount NUMERIC(18,2)); INSERT INTO money_probe VALUES (1, 12345678901234.56), (2, -0.01), "
                    "(3, 2691000.00)")

    def render(self, name, *args, config=None, env=None, source="pg"):
        out = fresh_dir(f"odbc-{name}")
        r = grantpress("--config", config or self.config, "render", *args, "--source", source, "--out", out, env=env)
        return r, out

    def assertSameFiles(self, a, b):
        self.assertEqual(files_in(a), files_in(b))
        self.assertTrue(files_in(a))
        for name in files_in(a):
            with open(os.path.join(a, name), "rb") as fa, open(os.path.join(b, name), "rb") as fb:
                self.assertTrue(fa.read() == fb.read(), f"{name} differs between {a} and {b}")

    def reference(self):
        r, out = self.render("sqlite", "application", "--param", "id=1645", "--format", "pdf,xlsx", source="sample")
        self.assertEqual(r.returncode, 0, r.stderr)
        return out

    def test_application_from_postgres_is_byte_identical_to_sqlite(self):
        ref = self.reference()
        r, out = self.render("pg", "application", "--param", "id=1645", "--format", "pdf,xlsx")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(files_in(out), ["application-1645.pdf", "application-1645.xlsx"])
        self.assertSameFiles(ref, out)

    def test_every_shipped_document_from_postgres_is_byte_identical_to_sqlite(self):
        # The templates' SQL (CTEs, window functions, CAST of optional parameters, SUM over
        # NUMERIC) must mean the same on both databases, down to the last byte of output.
        for template, params in (("final_report", ["--param", "id=1645"]), ("budget", ["--param", "id=1645"]),
                                 ("registry", ["--param", "year=2022"]), ("registry", []), ("summary", [])):
            with self.subTest(template=template, params=params):
                name = template + "-" + "-".join(p.replace("=", "") for p in params[1::2])
                args = [template, *params, "--format", "pdf,xlsx"]
                r, ref = self.render(name + "-sqlite", *args, source="sample")
                self.assertEqual(r.returncode, 0, r.stderr)
                r, out = self.render(name + "-pg", *args)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertSameFiles(ref, out)

    def test_cyrillic_is_intact_under_the_c_locale(self):
        ref = self.reference()
        c = {"LANG": "C", "LC_ALL": "C", "LC_CTYPE": "C"}
        r, out = self.render("pg-c", "application", "--param", "id=1645", "--format", "pdf,xlsx", env=c)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(squash(TITLE), squash(pdftotext(os.path.join(out, "application-1645.pdf"), "-raw")))
        self.assertSameFiles(ref, out)

    def test_sqlite_odbc_driver_gives_the_same_bytes(self):
        ref = self.reference()
        r, out = self.render("lite", "application", "--param", "id=1645", "--format", "pdf,xlsx", source="lite")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertSameFiles(ref, out)

    def test_a_dsn_gives_the_same_bytes(self):
        # A user DSN (unixODBC reads $ODBCINI) naming the driver, server and database.
        ini = os.path.join(gptest.ARGS.work_dir, "odbc-dsn.ini")
        with open(ini, "w", encoding="utf-8") as f:
            f.write(f"[grantpress_e2e]\nDriver = PostgreSQL Unicode\nServername = {self.pg['GP_PG_HOST']}\n"
                    f"Port = {self.pg['GP_PG_PORT']}\nDatabase = {self.pg['GP_PG_DB']}\n")
        ref = self.reference()
        r, out = self.render("dsn", "application", "--param", "id=1645", "--format", "pdf,xlsx", source="dsn",
                             env={"ODBCINI": ini, "LANG": "C", "LC_ALL": "C"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertSameFiles(ref, out)

    def probe(self, name, q, amount_id=1, env=None):
        r, out = self.render(name, "odbc_probe", "--param", f"q={q}", "--param", f"amount_id={amount_id}",
                             "--format", "pdf,xlsx", config=self.probe_config, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        pdfs = glob.glob(os.path.join(out, "*.pdf"))
        self.assertEqual(len(pdfs), 1, files_in(out))
        return pdftotext(pdfs[0]), glob.glob(os.path.join(out, "*.xlsx"))[0]

    def test_money_prints_exactly(self):
        text, xlsx = self.probe("money", "x")
        self.assertIn("12 345 678 901 234,56 ₽", spaced(text))
        text, _ = self.probe("money-neg", "x", amount_id=2)
        self.assertIn("-0,01 ₽", spaced(text).replace("−", "-"))

    def test_parameters_are_data_never_sql(self):
        total = gptest.psql("SELECT count(*) FROM projects").strip()
        for i, evil in enumerate(EVIL):
            text, _ = self.probe(f"evil{i}", evil, env={"LANG": "C", "LC_ALL": "C"})
            flat = squash(text)
            self.assertIn(squash(f"[{evil}]"), flat, evil)
            matches = "1" if evil == TITLE else "0"
            self.assertIn(squash(f"Совпадений {matches}"), flat, evil)
            self.assertIn(squash(f"Проектов {total}"), flat, evil)
        self.assertEqual(gptest.psql("SELECT count(*) FROM projects").strip(), total)

    def test_a_write_through_postgres_is_refused_as_a_template_error(self):
        # The engine's session is read-only (default_transaction_read_only): the server refuses.
        before = gptest.psql("SELECT count(*), sum(amount) FROM money_probe")
        d = fresh_dir("odbc-write-template")
        os.makedirs(d)
        path = os.path.join(d, "evil.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write('<report title="x">\n  <query name="evil">INSERT INTO money_probe VALUES (99, 1) RETURNING id</query>\n'
                    '  <table rows="evil"><column title="a">{id}</column></table>\n</report>\n')
        r, out = self.render("write", path)
        self.assertEqual(r.returncode, 66, r.stderr)
        self.assertIn(f"{path}:2:3: query 'evil' on data source 'pg': writing is refused: GrantPress only reads the "
                      "database", r.stderr)
        self.assertIn("read-only transaction", r.stderr)
        self.assertEqual(files_in(out), [])
        self.assertEqual(gptest.psql("SELECT count(*), sum(amount) FROM money_probe"), before)

    def assertDataError(self, r, *needles):
        self.assertEqual(r.returncode, 65, r.stdout + r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertIn("data source 'pg'", r.stderr)
        for n in needles:
            self.assertIn(n, r.stderr)
        self.assertNotIn(self.pg["GP_PG_PASSWORD"], r.stderr)
        self.assertNotIn("Pwd=", r.stderr)
        self.assertNotIn("Driver={", r.stderr)

    def test_server_down(self):
        # Port 1: nothing listens there.
        r, out = self.render("down", "application", "--param", "id=1645", env={"GP_PG_PORT": "1"})
        self.assertDataError(r, "cannot connect", "Is the database server running")
        self.assertEqual(files_in(out), [])

    def test_wrong_password(self):
        r, out = self.render("badpw", "application", "--param", "id=1645",
                             env={"GP_PG_PASSWORD": self.pg["GP_PG_PASSWORD"] + "-wrong"})
        self.assertDataError(r, "password authentication failed")
        self.assertNotIn(self.pg["GP_PG_PASSWORD"] + "-wrong", r.stderr)
        self.assertEqual(files_in(out), [])

    def test_missing_driver(self):
        config = os.path.join(gptest.ARGS.work_dir, "odbc-nodriver.ini")
        with open(self.config, encoding="utf-8") as f:
            text = f.read().replace("Driver={PostgreSQL Unicode}", "Driver={GrantPress No Such Driver}")
        with open(config, "w", encoding="utf-8") as f:
            f.write(text)
        r, out = self.render("nodriver", "application", "--param", "id=1645", config=config)
        self.assertDataError(r, "ODBC driver or DSN is not installed")
        self.assertEqual(files_in(out), [])

    def test_missing_table(self):
        r, out = self.render("notable", "odbc_missing_table", "--param", "id=1645", config=self.probe_config)
        self.assertDataError(r, "query 'project'", "no_such_projects")
        self.assertEqual(files_in(out), [])

    def test_credentials_never_reach_output_manifests_or_messages(self):
        out = fresh_dir("odbc-batch")
        r = grantpress("--config", self.config, "batch", "pgapps", "--out", out)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        secret = self.pg["GP_PG_PASSWORD"].encode()
        found = [p for p in glob.glob(os.path.join(out, "**", "*"), recursive=True) if os.path.isfile(p)]
        self.assertTrue(any(p.endswith(".pdf") for p in found), found)
        for p in found:
            with open(p, "rb") as f:
                self.assertNotIn(secret, f.read(), p)
        self.assertNotIn(self.pg["GP_PG_PASSWORD"], r.stdout + r.stderr)


if __name__ == "__main__":
    gptest.main()
