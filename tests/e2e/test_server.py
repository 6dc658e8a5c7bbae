#!/usr/bin/env python3
"""`grantpress serve` over HTTP on loopback: every endpoint of the API and the pages, each error
code, accounts and roles, sessions with CSRF, sign-in throttling, the render queue's 503,
downloads that cannot leave a run's folder, graceful shutdown, and an access log without
secrets. The server is the real binary, started and stopped here."""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import unittest
import urllib.parse
import zipfile
import io

import gptest
from gptest import fresh_dir, grantpress, pdftotext, squash

PASSWORD = "верный-пароль-42"
TOKEN = re.compile(r"gpt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SLOW_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<report title="Медленный отчёт">
  <param name="n" type="integer" required="true"/>
  <query name="slow" one="true">
    SELECT COUNT(*) AS total FROM (SELECT 1 FROM projects a, projects b, projects c, projects d, projects e LIMIT :n)
  </query>
  <paragraph>Строк: {slow.total}</paragraph>
</report>
"""


def exchange(conn, method, path, body=None, headers=None, raw=None):
    """One request on `conn` (closed after it): a JSON body when `body` is given, else the bytes
    `raw`; returns (status, headers by lower-case name, payload)."""
    h = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    payload = r.read()
    conn.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), payload


class Server:
    """One `grantpress serve` process with its own configuration and accounts."""

    def __init__(self, name, server_section="", batches="", before=None):
        self.dir = fresh_dir("serve-" + name)
        os.makedirs(self.dir)
        templates = os.path.join(self.dir, "templates")
        shutil.copytree(os.path.join(gptest.ARGS.source_dir, "templates"), templates)
        with open(os.path.join(templates, "slow.xml"), "w", encoding="utf-8") as f:
            f.write(SLOW_TEMPLATE)
        self.port = free_port()
        self.config = gptest.write_config(
            name=f"serve-{name}.ini", templates=templates, output=os.path.join(self.dir, "out"),
            tail=f"[server]\nport = {self.port}\nusers = {self.dir}/users\n{server_section}\n{batches}")
        self.tokens = {}
        for user, role in (("admin", "admin"), ("oper", "operator"), ("viewer", "viewer")):
            r = subprocess.run([gptest.ARGS.grantpress, "--config", self.config, "user", "add", user, "--role", role],
                               input=PASSWORD + "\n", capture_output=True, text=True)
            assert r.returncode == 0, r.stderr
            r = grantpress("--config", self.config, "user", "token", user)
            assert r.returncode == 0, r.stderr
            self.tokens[user] = TOKEN.search(r.stdout).group(0)
        if before:
            before(self)
        self.log_path = os.path.join(self.dir, "server.log")
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen([gptest.ARGS.grantpress, "--config", self.config, "serve"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.request("GET", "/api/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not answer within 30 s: " + self.read_log())

    def request(self, method, path, body=None, token=None, headers=None, cookie=None, raw=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if cookie:
            h["Cookie"] = cookie
        return exchange(http.client.HTTPConnection("127.0.0.1", self.port, timeout=60), method, path, body, h, raw)

    def json(self, method, path, **kw):
        status, headers, payload = self.request(method, path, **kw)
        return status, headers, json.loads(payload) if payload else None

    def read_log(self):
        self.log.flush()
        with open(self.log_path, encoding="utf-8") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()  # a test that failed must not leave a server behind
                self.proc.wait()
                raise
        if not self.log.closed:
            self.log.close()
        return self.proc.returncode

    def renders(self):
        return self.json("GET", "/api/health")[2]["renders"]

    def wait_for(self, condition, what, seconds=120):
        deadline = time.time() + seconds
        while not condition():
            if time.time() > deadline:
                raise AssertionError(f"{what}: not within {seconds} s; log:\n{self.read_log()}")
            time.sleep(0.05)


def render_cli(config, out, *params):
    r = grantpress("--config", config, "render", "application", *[a for p in params for a in ("--param", p)],
                   "--format", "pdf,xlsx", "--out", out)
    assert r.returncode == 0, r.stderr


class Api(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db()
        batches = ("[batch.apps]\nquery = SELECT p.id FROM projects p WHERE p.id = 1645 OR p.id IN "
                   "(SELECT id FROM projects ORDER BY id LIMIT 2) ORDER BY p.id\n"
                   "templates = application\nformats = pdf\noutput = {id}/{template}\npackage = {id}/package\nworkers = 1\n"
                   # Three slow records, one at a time: long enough to be found running.
                   "[batch.slow]\nquery = SELECT id, 100000000 AS n FROM projects ORDER BY id LIMIT 3\n"
                   "templates = slow\nformats = pdf\noutput = {id}\nworkers = 1\n")
        cls.s = Server("api", batches=batches)

    @classmethod
    def tearDownClass(cls):
        cls.assert_clean_stop = cls.s.stop()

    def test_health_and_openapi_describe_every_route(self):
        status, _, body = self.s.json("GET", "/api/health")
        self.assertEqual((status, body["status"]), (200, "ok"))
        self.assertEqual(set(body["renders"]), {"active", "waiting", "workers", "queue"})
        status, _, spec = self.s.json("GET", "/api/openapi.json")
        self.assertEqual(status, 200)
        self.assertEqual(spec["openapi"], "3.0.3")
        # Every documented path exists: with its placeholders filled, none answers 404 "no such address".
        for path, methods in spec["paths"].items():
            concrete = path.replace("{name}", "apps").replace("{id}", "1").replace("{path}", "x")
            if "/templates/" in path:
                concrete = concrete.replace("apps", "application")
            for method in methods:
                status, _, payload = self.s.request(method.upper(), concrete, token=self.s.tokens["admin"],
                                                    body={} if method == "post" else None)
                self.assertNotIn(b"no such address", payload, f"{method} {path}")

    def test_templates_with_their_parameters(self):
        status, _, templates = self.s.json("GET", "/api/templates", token=self.s.tokens["viewer"])
        self.assertEqual(status, 200)
        by_name = {t["name"]: t for t in templates}
        self.assertIn("application", by_name)
        self.assertEqual(by_name["application"]["params"],
                         [{"name": "id", "type": "integer", "required": True,
                           "choices": "/api/templates/application/params/id/choices"}])
        self.assertEqual([p["name"] for p in by_name["registry"]["params"]], ["grantor", "year"])

    def test_a_parameter_lists_its_choices(self):
        viewer = self.s.tokens["viewer"]
        status, _, choices = self.s.json("GET", "/api/templates/application/params/id/choices", token=viewer)
        self.assertEqual(status, 200)
        projects = self.sql_ids()
        self.assertEqual([c["value"] for c in choices], [str(i) for i in projects])
        seed = next(c for c in choices if c["value"] == "1645")
        self.assertIn("Клуб неравнодушных", seed["label"])
        for path, code, kind in (("/api/templates/application/params/nosuch/choices", 400, "usage"),
                                 ("/api/templates/registry/params/year/choices", 400, "usage"),
                                 ("/api/templates/nosuch/params/id/choices", 404, "template")):
            with self.subTest(path=path):
                status, _, payload = self.s.json("GET", path, token=viewer)
                self.assertEqual((status, payload["error"]["kind"]), (code, kind), payload)
        self.assertEqual(self.s.json("GET", "/api/templates/application/params/id/choices")[0], 401)

    def sql_ids(self):
        import sqlite3
        with sqlite3.connect(self.db) as conn:
            return [r[0] for r in conn.execute("SELECT id FROM projects ORDER BY id")]

    def test_render_gives_the_same_bytes_as_the_cli(self):
        out = fresh_dir("serve-cli-render")
        render_cli(self.s.config, out, "id=1645")
        for fmt in ("pdf", "xlsx"):
            status, headers, payload = self.s.request("POST", "/api/templates/application/render",
                                                      body={"params": {"id": 1645}, "format": fmt},
                                                      token=self.s.tokens["viewer"])
            self.assertEqual(status, 200, payload[:300])
            self.assertIn(f'filename="application-1645.{fmt}"', headers["content-disposition"])
            with open(os.path.join(out, f"application-1645.{fmt}"), "rb") as f:
                self.assertEqual(hashlib.sha256(payload).hexdigest(), hashlib.sha256(f.read()).hexdigest(), fmt)
        self.assertEqual(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        status, headers, payload = self.s.request("POST", "/api/templates/application/render",
                                                  body={"params": {"id": "1645"}, "format": "zip"},
                                                  token=self.s.tokens["viewer"])
        self.assertEqual((status, headers["content-type"]), (200, "application/zip"))
        names = zipfile.ZipFile(io.BytesIO(payload)).namelist()
        self.assertEqual(names, ["application-1645.pdf", "application-1645.xlsx"])

    def test_errors_carry_the_cli_kind_and_message(self):
        viewer = self.s.tokens["viewer"]
        cases = [
            ({"params": {"id": "abc"}}, "application", 400, "usage", "id"),
            ({"params": {}}, "application", 400, "usage", "id"),
            ({"params": {"id": 99999}}, "application", 404, "data", "returned 0 rows"),
            ({"params": {"id": 1645}}, "nosuch", 404, "template", "unknown template"),
            ({"params": {"id": 1645}, "format": "docx"}, "application", 400, "usage", "format"),
        ]
        for body, template, code, kind, words in cases:
            with self.subTest(body=body, template=template):
                status, headers, payload = self.s.json("POST", f"/api/templates/{template}/render", body=body, token=viewer)
                self.assertEqual(status, code, payload)
                self.assertEqual(payload["error"]["kind"], kind)
                self.assertIn(words, payload["error"]["message"])
        status, _, payload = self.s.json("POST", "/api/templates/application/render", raw=b"{not json", token=viewer,
                                         headers={"Content-Type": "application/json"})
        self.assertEqual((status, payload["error"]["kind"]), (400, "usage"))
        # A body over [server] max_body is refused from its Content-Length, before it is read.
        with socket.create_connection(("127.0.0.1", self.s.port), timeout=30) as raw:
            raw.sendall(b"POST /api/templates/application/render HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                        viewer.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n{")
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                chunk = raw.recv(65536)
                if not chunk:
                    break
                answer += chunk
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:100])
        self.assertIn(b"max_body", answer)
        status, headers, payload = self.s.json("GET", "/api/templates/application/render", token=viewer)
        self.assertEqual((status, headers.get("allow")), (405, "POST"))
        self.assertEqual(self.s.json("GET", "/api/nothing-here", token=viewer)[0], 404)

    def test_accounts_roles_and_tokens(self):
        self.assertEqual(self.s.json("GET", "/api/templates")[0], 401)
        self.assertEqual(self.s.json("GET", "/api/templates", token="gpt_000000000000_" + "A" * 43)[0], 401)
        self.assertEqual(self.s.json("GET", "/api/templates", token="garbage")[0], 401)
        status, _, payload = self.s.json("POST", "/api/batches/apps/runs", body={}, token=self.s.tokens["viewer"])
        self.assertEqual((status, payload["error"]["kind"]), (403, "auth"))
        self.assertIn("operator", payload["error"]["message"])
        self.assertEqual(self.s.json("GET", "/api/checks", token=self.s.tokens["oper"])[0], 403)
        status, _, checks = self.s.json("GET", "/api/checks", token=self.s.tokens["admin"])
        self.assertEqual(status, 200)
        names = [t["name"] for t in checks["templates"]]
        self.assertIn("application", names)
        self.assertEqual(checks["problems"], 0, checks)

    def test_sessions_need_the_csrf_token_for_changes(self):
        status, headers, body = self.s.json("POST", "/api/session", body={"user": "viewer", "password": PASSWORD})
        self.assertEqual(status, 200, body)
        cookie_header = headers["set-cookie"]
        self.assertIn("HttpOnly", cookie_header)
        self.assertIn("SameSite=Strict", cookie_header)
        cookie = cookie_header.split(";")[0]
        self.assertEqual(self.s.json("GET", "/api/session", cookie=cookie)[2]["user"], "viewer")
        status, _, payload = self.s.json("POST", "/api/templates/application/render", body={"params": {"id": 1645}},
                                         cookie=cookie)
        self.assertEqual((status, payload["error"]["kind"]), (403, "auth"))
        status, _, _ = self.s.request("POST", "/api/templates/application/render", body={"params": {"id": 1645}},
                                      cookie=cookie, headers={"X-CSRF-Token": body["csrf"]})
        self.assertEqual(status, 200)
        self.assertEqual(self.s.json("DELETE", "/api/session", cookie=cookie, headers={"X-CSRF-Token": body["csrf"]})[0], 200)
        self.assertEqual(self.s.json("GET", "/api/session", cookie=cookie)[0], 401)

    def test_failed_sign_ins_are_throttled(self):
        for _ in range(5):
            self.assertEqual(self.s.json("POST", "/api/session", body={"user": "oper", "password": "wrong-password"})[0], 401)
        status, headers, payload = self.s.json("POST", "/api/session", body={"user": "oper", "password": PASSWORD})
        self.assertEqual(status, 429, "the right password does not open a locked account")
        self.assertGreater(int(headers["retry-after"]), 0)
        self.assertEqual(self.s.json("POST", "/api/session", body={"user": "nobody", "password": "x" * 12})[0], 401)

    def test_batch_run_followed_to_its_files(self):
        oper = self.s.tokens["oper"]
        status, _, payload = self.s.json("POST", "/api/batches/apps/runs", body={}, token=oper)
        self.assertEqual(status, 202, payload)
        status, _, payload = self.s.json("POST", "/api/batches/apps/runs", body={}, token=oper)
        self.assertIn(status, (202, 409))  # 409 while it runs; a run this fast may be over already
        deadline = time.time() + 60
        while True:
            _, _, progress = self.s.json("GET", "/api/batches/apps/progress", token=self.s.tokens["viewer"])
            if not progress["running"] and "run" in progress:
                break
            self.assertLess(time.time(), deadline, progress)
            time.sleep(0.2)
        self.assertEqual(progress["status"], "complete", progress)
        status, _, run = self.s.json("GET", f"/api/runs/{progress['run']}", token=self.s.tokens["viewer"])
        self.assertEqual(status, 200)
        self.assertEqual(run["batch"], "apps")
        self.assertEqual(run["records"]["total"], 3)
        files = {f["path"]: f for f in run["files"]}
        self.assertIn("1645/application.pdf", files)
        self.assertIn("1645/package.zip", files)
        manifest = json.loads(self.s.request("GET", files["apps.manifest.json"]["href"], token=oper)[2])
        listed = {f["path"]: f["sha256"] for r in manifest["records"] for f in r["files"]}
        status, headers, pdf = self.s.request("GET", files["1645/application.pdf"]["href"], token=oper)
        self.assertEqual((status, headers["content-type"]), (200, "application/pdf"))
        self.assertEqual(hashlib.sha256(pdf).hexdigest(), listed["1645/application.pdf"])
        # Only what the manifest lists: no other file, no way out of the batch folder.
        for path in ("1645/nothing.pdf", "../../serve-api.ini", "%2e%2e/%2e%2e/users", "1645/../../users"):
            status, _, _ = self.s.request("GET", f"/api/runs/{progress['run']}/files/{path}", token=oper)
            self.assertIn(status, (400, 404), path)
        # A manifest is not trusted: one edited to list a file outside the run's folder (the
        # accounts, here) gets nothing from the server.
        manifest_path = os.path.join(self.s.dir, "out", "apps", "apps.manifest.json")
        with open(manifest_path, encoding="utf-8") as f:
            original = f.read()
        edited = json.loads(original)
        edited["records"][0]["files"].append({"path": "../../users", "size": 1, "sha256": "0" * 64})
        # …or a link inside the folder that leads out of it.
        leak = os.path.join(self.s.dir, "out", "apps", "1645", "leak.pdf")
        os.symlink(os.path.join(self.s.dir, "users"), leak)
        edited["records"][0]["files"].append({"path": "1645/leak.pdf", "size": 1, "sha256": "0" * 64})
        with open(manifest_path, "w", encoding="utf-8") as f:
            json.dump(edited, f)
        try:
            for path in ("../../users", "..%2F..%2Fusers", "1645/leak.pdf"):
                status, _, payload = self.s.request("GET", f"/api/runs/{progress['run']}/files/{path}", token=oper)
                self.assertIn(status, (400, 404), path)
                self.assertNotIn(b"pbkdf2", payload)
        finally:
            os.remove(leak)
            with open(manifest_path, "w", encoding="utf-8") as f:
                f.write(original)
        _, _, runs = self.s.json("GET", "/api/runs", token=self.s.tokens["viewer"])
        self.assertIn(progress["run"], [r["id"] for r in runs])
        self.assertEqual(self.s.json("GET", "/api/runs/999999", token=oper)[0], 404)
        self.assertEqual(self.s.json("POST", "/api/batches/apps/stop", body={}, token=oper)[0], 409)
        self.assertEqual(self.s.json("POST", "/api/batches/nosuch/runs", body={}, token=oper)[0], 400)

    def test_a_batch_that_cannot_start_is_refused_not_reported_started(self):
        oper = self.s.tokens["oper"]
        status, _, payload = self.s.json("POST", "/api/batches/apps/runs", body={"params": {"yeer": "2023"}}, token=oper)
        self.assertEqual((status, payload["error"]["kind"]), (400, "usage"), payload)
        self.assertIn("takes no parameter 'yeer'", payload["error"]["message"])
        # The command line refuses it the same way (it was ignored before).
        r = grantpress("--config", self.s.config, "batch", "apps", "--param", "yeer=2023", "--quiet")
        self.assertEqual(r.returncode, 64, r.stderr)
        self.assertIn("takes no parameter 'yeer'", r.stderr)

    def test_a_running_batch_is_409_and_stops_on_request(self):
        oper = self.s.tokens["oper"]
        self.assertEqual(self.s.json("POST", "/api/batches/slow/runs", body={}, token=oper)[0], 202)
        status, _, payload = self.s.json("POST", "/api/batches/slow/runs", body={}, token=oper)
        self.assertEqual((status, payload["error"]["kind"]), (409, "busy"))
        self.assertIn("already running", payload["error"]["message"])
        _, _, batches = self.s.json("GET", "/api/batches", token=oper)
        self.assertTrue(next(b for b in batches if b["name"] == "slow")["running"])
        self.assertEqual(self.s.json("POST", "/api/batches/slow/stop", body={}, token=oper)[0], 202)
        deadline = time.time() + 120
        while True:
            _, _, progress = self.s.json("GET", "/api/batches/slow/progress", token=oper)
            if not progress["running"] and "run" in progress:
                break
            self.assertLess(time.time(), deadline, progress)
            time.sleep(0.2)
        # The record in flight finished; the others were not run, and the history says so.
        self.assertEqual(progress["status"], "stopped", progress)
        _, _, run = self.s.json("GET", f"/api/runs/{progress['run']}", token=oper)
        self.assertEqual(run["status"], "stopped")
        self.assertGreater(run["records"]["notRun"], 0)
        self.assertIn("stopped", run["reason"])

    def test_the_log_has_a_line_per_request_and_no_secret(self):
        self.s.json("POST", "/api/session", body={"user": "admin", "password": PASSWORD})
        # A user name with a line break cannot forge a log line.
        self.s.json("POST", "/api/session", body={"user": "x\n[2026-01-01 00:00:00] access forged", "password": "y" * 12})
        self.s.json("GET", "/api/templates", token=self.s.tokens["admin"])
        log = self.s.read_log()
        self.assertRegex(log, r"access 127\.0\.0\.1 admin GET /api/templates 200 \d+ \d+ms")
        self.assertIn("listening on http://127.0.0.1:", log)
        self.assertNotIn("\n[2026-01-01 00:00:00] access forged", log)
        self.assertIn("sign-in failed for 'x?[2026-01-01 00:00:00] access forged'", log)
        for secret in [PASSWORD] + list(self.s.tokens.values()):
            self.assertNotIn(secret, log)
        for token in self.s.tokens.values():
            self.assertNotIn(token.split("_", 2)[2], log)  # not even the secret part alone


class Limits(unittest.TestCase):
    """One worker and a queue of one: the third concurrent render is turned away with 503;
    SIGTERM lets the render in flight finish and the server exits 0."""

    def test_a_full_queue_is_503_and_shutdown_finishes_what_runs(self):
        s = Server("limits", server_section="workers = 1\nqueue = 1\ntimeout = 300\n")
        try:
            self.queue_and_stop(s)
        finally:
            s.stop()

    def queue_and_stop(self, s):
        viewer = s.tokens["viewer"]
        results = {}

        def slow(key):
            results[key] = s.request("POST", "/api/templates/slow/render", body={"params": {"n": 100000000}}, token=viewer)

        first = threading.Thread(target=slow, args=("first",))
        first.start()
        s.wait_for(lambda: s.renders()["active"] == 1, "the first render holds the worker")
        second = threading.Thread(target=slow, args=("second",))
        second.start()
        s.wait_for(lambda: s.renders()["waiting"] == 1, "the second render waits in the queue")
        status, headers, payload = s.json("POST", "/api/templates/slow/render", body={"params": {"n": 10}}, token=viewer)
        self.assertEqual(status, 503, payload)
        self.assertEqual(payload["error"]["kind"], "busy")
        self.assertEqual(headers["retry-after"], "5")
        # An idle keep-alive connection (a browser's) must not hold the shutdown for the 60 s timeout.
        idle = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        idle.request("GET", "/api/health")
        idle.getresponse().read()
        # SIGTERM now: both renders finish and are answered, then the server exits 0.
        stopped_at = time.time()
        s.proc.send_signal(signal.SIGTERM)
        first.join(300)
        second.join(300)
        self.assertEqual(results["first"][0], 200)
        self.assertEqual(results["second"][0], 200)
        self.assertIn("Строк: 100 000 000", squash_pdf(results["first"][2]))
        self.assertEqual(s.proc.wait(timeout=300), 0)
        # Both renders, then at most the keep-alive timeout (5 s) for the idle connection: never
        # the 300 s request timeout.
        self.assertLess(time.time() - stopped_at, 120, "the idle connection held the shutdown")
        idle.close()
        self.assertIn("SIGTERM", s.read_log())
        with self.assertRaises(OSError):
            s.request("GET", "/api/health")
        s.log.close()


def squash_pdf(data):
    path = os.path.join(gptest.ARGS.work_dir, "answer.pdf")
    with open(path, "wb") as f:
        f.write(data)
    return gptest.spaced(pdftotext(path))


class Scheduled(unittest.TestCase):
    def test_with_schedule_true_the_server_runs_the_scheduled_batches(self):
        batches = ("[batch.nightly]\nquery = SELECT p.id FROM projects p WHERE p.id = 1645\ntemplates = application\n"
                   "formats = pdf\noutput = {id}/{template}\nschedule = 30 3 * * *\ncatch_up = true\n")

        def earlier_run(server):  # a run on record from long ago: the scheduler owes a catch-up at start
            r = grantpress("--config", server.config, "batch", "nightly", "--quiet", "--now", "2020-01-01 00:00")
            self.assertEqual(r.returncode, 0, r.stderr)

        s = Server("sched", server_section="schedule = true\n", batches=batches, before=earlier_run)
        try:
            deadline = time.time() + 60
            while True:
                _, _, runs = s.json("GET", "/api/runs", token=s.tokens["viewer"])
                caught = [r for r in runs if r["trigger"] == "catch-up" and r["status"] == "complete"]
                if caught:
                    break
                self.assertLess(time.time(), deadline, runs)
                time.sleep(0.3)
            self.assertEqual(caught[0]["batch"], "nightly")
            self.assertIn("scheduler started: 1 scheduled batch", s.read_log())
            # SIGHUP rereads reports.ini for the scheduler and never stops the server.
            s.proc.send_signal(signal.SIGHUP)
            s.wait_for(lambda: "SIGHUP: the scheduler rereads" in s.read_log(), "the reload")
            self.assertEqual(s.json("GET", "/api/health")[0], 200)
            self.assertIsNone(s.proc.poll())
        finally:
            self.assertEqual(s.stop(), 0)


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


@unittest.skipUnless(NGINX and shutil.which("openssl"), "nginx and openssl are needed (scripts/setup.sh)")
class BehindNginx(unittest.TestCase):
    """The shipped nginx site (packaging/nginx/grantpress.conf), run as it is but for its port,
    certificate and upstream, in front of the server: TLS outside, loopback inside."""

    def test_signing_in_and_rendering_through_the_shipped_proxy(self):
        s = Server("nginx")
        d = fresh_dir("nginx")
        os.makedirs(os.path.join(d, "logs"))
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        with open(os.path.join(gptest.ARGS.source_dir, "packaging", "nginx", "grantpress.conf"), encoding="utf-8") as f:
            site = f.read()
        port = free_port()
        site = (site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
                .replace("/etc/letsencrypt/live/reports.example.org/fullchain.pem", cert)
                .replace("/etc/letsencrypt/live/reports.example.org/privkey.pem", key)
                .replace("http://127.0.0.1:8080", f"http://127.0.0.1:{s.port}"))
        self.assertIn(f"proxy_pass http://127.0.0.1:{s.port};", site)
        with open(os.path.join(d, "site.conf"), "w", encoding="utf-8") as f:
            f.write(site)
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"daemon off;\npid {d}/nginx.pid;\nerror_log {d}/logs/error.log;\nevents {{}}\n"
                    f"http {{\n access_log {d}/logs/access.log;\n client_body_temp_path {d}/body;\n"
                    f" proxy_temp_path {d}/proxy;\n fastcgi_temp_path {d}/fcgi;\n uwsgi_temp_path {d}/uwsgi;\n"
                    f" scgi_temp_path {d}/scgi;\n include {d}/site.conf;\n}}\n")
        proxy = subprocess.Popen([NGINX, "-p", d, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            import ssl
            context = ssl.create_default_context(cafile=cert)

            def call(method, path, body=None, headers=None):
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=60)
                return exchange(conn, method, path, body, headers)

            deadline = time.time() + 20
            while True:
                try:
                    if call("GET", "/api/health")[0] == 200:
                        break
                except OSError:
                    pass
                self.assertLess(time.time(), deadline, proxy.stderr.read1().decode() if proxy.poll() is not None else "")
                time.sleep(0.1)
            status, headers, body = call("POST", "/api/session", {"user": "viewer", "password": PASSWORD})
            self.assertEqual(status, 200, body)
            # Behind TLS the session cookie is Secure: the proxy says the request came over https.
            self.assertIn("Secure", headers["set-cookie"])
            self.assertIn("max-age=31536000", headers["strict-transport-security"])
            csrf = json.loads(body)["csrf"]
            status, headers, pdf = call("POST", "/api/templates/application/render", {"params": {"id": 1645}},
                                        {"Cookie": headers["set-cookie"].split(";")[0], "X-CSRF-Token": csrf})
            self.assertEqual((status, headers["content-type"]), (200, "application/pdf"))
            self.assertTrue(pdf.startswith(b"%PDF"))
        finally:
            proxy.terminate()
            proxy.wait(timeout=30)
            proxy.stderr.close()
            self.assertEqual(s.stop(), 0)


class Configuration(unittest.TestCase):
    def test_a_bad_server_section_is_a_configuration_error_naming_the_line(self):
        for section, words in (("bind = example.org\n", "is not an IP address"), ("port = 70000\n", "port"),
                               ("schedule = maybe\n", "true or false"), ("tls = on\n", "unknown key 'tls'")):
            with self.subTest(section=section):
                config = gptest.write_config(name="serve-bad.ini", tail="[server]\n" + section)
                r = grantpress("--config", config, "serve")
                self.assertEqual(r.returncode, 78, r.stderr)
                self.assertIn(words, r.stderr)
                self.assertRegex(r.stderr, r"serve-bad\.ini:\d+")

    def test_a_taken_port_is_an_output_error(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            config = gptest.write_config(name="serve-taken.ini", tail=f"[server]\nport = {taken.getsockname()[1]}\n")
            r = grantpress("--config", config, "serve")
        self.assertEqual(r.returncode, 73, r.stderr)
        self.assertIn("cannot listen on 127.0.0.1:", r.stderr)

    def test_serve_refuses_arguments_and_options(self):
        config = gptest.write_config(name="serve-args.ini")
        self.assertEqual(grantpress("--config", config, "serve", "now").returncode, 64)
        self.assertEqual(grantpress("--config", config, "serve", "--param", "id=1").returncode, 64)


if __name__ == "__main__":
    gptest.main()
