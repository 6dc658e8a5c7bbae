"""`grantpress user` over the real CLI: the accounts of `grantpress serve` in the [server] users
file — added, listed, their passwords and roles changed, API tokens made and revoked, removed.
No password, hash or token secret ever reaches standard output or error but the new token,
shown once; the file is private (0600, in a 0700 folder) and holds neither passwords nor
tokens; mistakes exit 64, a broken or unprotected file 78, an unwritable one 73."""
import os
import re
import select
import stat
import subprocess
import time
import unittest

import gptest
from gptest import fresh_dir

USAGE, OUTPUT, CONFIG = 64, 73, 78
PASSWORD = "Correct-Horse-Battery-1"
NEW_PASSWORD = "Staple-Tumbler-Meadow-2"
TOKEN = re.compile(r"gpt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Users(unittest.TestCase):
    def setUp(self):
        self.dir = fresh_dir("users-" + self._testMethodName)
        os.makedirs(self.dir)
        self.users = os.path.join(self.dir, "state", "users")
        self.config = self.write_config(self.users)

    def write_config(self, users):
        # `user` never opens the database: a path is enough.
        return gptest.write_config(f"users-{self._testMethodName}.ini", db=os.path.join(self.dir, "none.db"),
                                   output=os.path.join(self.dir, "out"), tail=f"[server]\nusers = {users}\n")

    def user(self, *args, password=None, config=None):
        """`grantpress --config … user ARGS`, with `password` as standard input (a pipe, not a terminal)."""
        env = dict(os.environ)
        env.pop("SOURCE_DATE_EPOCH", None)
        r = subprocess.run([gptest.ARGS.grantpress, "--config", config or self.config, "user", *args],
                           input=None if password is None else password + "\n", capture_output=True, text=True,
                           env=env)
        for secret in (PASSWORD, NEW_PASSWORD, "$600000$"):  # every hash written holds "$600000$"
            self.assertNotIn(secret, r.stdout + r.stderr, args)
        self.assertNotRegex(r.stdout + r.stderr, r"sha256\$[0-9a-f]{64}", args)  # a token's digest
        return r

    def file_text(self):
        with open(self.users, encoding="utf-8") as f:
            return f.read()

    def assert_refused(self, r, code, message):
        self.assertEqual(r.returncode, code, r.stderr)
        self.assertIn("grantpress: error: " + message, r.stderr)
        self.assertEqual(r.stdout, "")

    def test_users_and_tokens_from_adding_to_removing(self):
        r = self.user("add", "alice", "--role", "operator", password=PASSWORD)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "added user alice (operator)\n")
        self.assertEqual(mode(self.users), 0o600)
        self.assertEqual(mode(os.path.dirname(self.users)), 0o700)
        self.assertRegex(self.file_text(), r"(?m)^user alice operator pbkdf2-sha256\$600000\$\S+\$\S+$")
        self.assertNotIn(PASSWORD, self.file_text())
        self.assertEqual(self.user("add", "bob", "--role", "viewer", password=PASSWORD).returncode, 0)

        r = self.user("list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "users:\n  alice  operator\n  bob    viewer\ntokens: none\n")

        before = self.file_text()
        r = self.user("passwd", "alice", password=NEW_PASSWORD)
        self.assertEqual((r.returncode, r.stdout), (0, "changed the password of alice\n"), r.stderr)
        self.assertNotEqual(self.file_text(), before)
        self.assertNotIn(NEW_PASSWORD, self.file_text())
        r = self.user("role", "alice", "admin")
        self.assertEqual((r.returncode, r.stdout), (0, "alice is now admin\n"), r.stderr)

        r = self.user("token", "alice")
        self.assertEqual(r.returncode, 0, r.stderr)
        match = TOKEN.fullmatch(r.stdout.strip())
        self.assertTrue(match, r.stdout)
        token, token_id, secret = match.group(0), match.group(1), match.group(2)
        self.assertEqual((r.stdout + r.stderr).count(token), 1)  # shown once
        self.assertEqual((r.stdout + r.stderr).count(secret), 1)
        self.assertIn(f"token {token_id} for alice: copy it now, it will not be shown again", r.stderr)
        self.assertNotIn(secret, self.file_text())
        self.assertRegex(self.file_text(), rf"(?m)^token {token_id} alice \d+ sha256\$[0-9a-f]{{64}}$")
        self.assertEqual(mode(self.users), 0o600)

        r = self.user("list")
        self.assertRegex(r.stdout, rf"tokens:\n  {token_id}  alice  created \d{{4}}-\d\d-\d\d \d\d:\d\d\n")
        self.assertNotIn(secret, r.stdout + r.stderr)

        r = self.user("revoke", token_id)
        self.assertEqual((r.returncode, r.stdout), (0, f"revoked token {token_id} of alice\n"), r.stderr)
        self.assertNotIn(token_id, self.file_text())
        self.assertIn("tokens: none\n", self.user("list").stdout)

        self.assertEqual(self.user("token", "alice").returncode, 0)
        r = self.user("remove", "alice")
        self.assertEqual((r.returncode, r.stdout), (0, "removed user alice and revoked 1 token\n"), r.stderr)
        self.assertNotIn("alice", self.file_text())
        self.assertEqual(self.user("remove", "bob").stdout, "removed user bob\n")
        r = self.user("list")
        self.assertEqual((r.returncode, r.stdout),
                         (0, f"no users in {self.users}: add one with 'grantpress user add NAME --role ROLE'\n"))
        self.assertEqual(mode(self.users), 0o600)

    def test_a_change_waits_for_another_in_progress_and_loses_nothing(self):
        import fcntl
        self.assertEqual(self.user("add", "anna", "--role", "viewer", password=PASSWORD).returncode, 0)
        token = self.user("token", "anna").stdout.strip()
        token_id = token.split("_")[1]
        # Another `grantpress user` holds the lock (as while its admin types a password)…
        with open(self.users + ".lock", "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            revoke = subprocess.Popen([gptest.ARGS.grantpress, "--config", self.config, "user", "revoke", token_id],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(1)
            self.assertIsNone(revoke.poll(), "the revoke did not wait for the change in progress")
            fcntl.flock(held, fcntl.LOCK_UN)
        out, errors = revoke.communicate(timeout=60)
        self.assertEqual(revoke.returncode, 0, errors)
        # …and a later change does not bring the revoked token back.
        self.assertEqual(self.user("add", "boris", "--role", "viewer", password=PASSWORD).returncode, 0)
        self.assertNotIn(token_id, self.file_text())
        self.assertIn("user boris viewer", self.file_text())

    def test_mistakes_exit_64_and_change_nothing(self):
        self.assertEqual(self.user("add", "alice", "--role", "viewer", password=PASSWORD).returncode, 0)
        before = self.file_text()
        self.assert_refused(self.user("add", "bob", "--role", "boss", password=PASSWORD), USAGE,
                            "unknown role 'boss': use viewer, operator or admin")
        r = self.user("add", "bob", "--role", "viewer", password="nine-char")
        self.assert_refused(r, USAGE, "the password is too short: use at least 10 characters")
        self.assertNotIn("nine-char", r.stderr)
        self.assert_refused(self.user("add", "bob", password=PASSWORD), USAGE,
                            "user add takes a user name and a role: user add NAME --role viewer|operator|admin")
        self.assert_refused(self.user("add", "alice", "--role", "admin", password=PASSWORD), USAGE,
                            f"user 'alice' already exists in {self.users}")
        for args in (("passwd", "nobody"), ("role", "nobody", "admin"), ("remove", "nobody"), ("token", "nobody")):
            self.assert_refused(self.user(*args, password=PASSWORD), USAGE, "no user 'nobody'")
        self.assert_refused(self.user("revoke", "0123456789ab"), USAGE, "no token '0123456789ab'")
        self.assert_refused(self.user("rename", "alice"), USAGE, "unknown user command 'rename'")
        self.assert_refused(self.user(), USAGE, "user takes a subcommand")
        self.assertIn("Run 'grantpress --help' for usage.", self.user("role", "alice").stderr)
        self.assertEqual(self.file_text(), before)

    def test_a_broken_or_unprotected_file_exits_78_naming_it(self):
        os.makedirs(os.path.dirname(self.users))
        with open(self.users, "w", encoding="utf-8") as f:
            f.write("# accounts\nuser alice boss pbkdf2-sha256$1$AAAAAAAAAAAAAAAAAAAAAA==$x\n")
        os.chmod(self.users, 0o600)
        for args in (("list",), ("token", "alice"), ("add", "bob", "--role", "viewer")):
            r = self.user(*args, password=PASSWORD)
            self.assert_refused(r, CONFIG, f"{self.users}:2: user 'alice' has an unknown role 'boss'")
            self.assertNotIn("AAAAAAAAAAAAAAAAAAAAAA", r.stderr)
        os.chmod(self.users, 0o640)
        self.assert_refused(self.user("list"), CONFIG, f"{self.users}: the users file holds password hashes")
        self.assertIn(f"run 'chmod 600 {self.users}'", self.user("list").stderr)

    def test_an_unwritable_file_exits_73(self):
        # Its folder a dangling symbolic link: nothing to read, nowhere to write (root included).
        link = os.path.join(self.dir, "link")
        os.symlink(os.path.join(self.dir, "nowhere"), link)
        users = os.path.join(link, "users")
        r = self.user("add", "alice", "--role", "viewer", password=PASSWORD, config=self.write_config(users))
        self.assert_refused(r, OUTPUT, f"cannot write the users file {users}")

    def test_at_a_terminal_the_password_is_asked_twice_without_echo(self):
        def run(first, second):
            master, slave = os.openpty()
            p = subprocess.Popen([gptest.ARGS.grantpress, "--config", self.config, "user", "passwd", "alice"],
                                 stdin=slave, stdout=subprocess.PIPE, stderr=slave)
            os.close(slave)
            seen = b""
            try:
                for answer in (first, second):
                    prompt = len(seen)
                    deadline = time.monotonic() + 30
                    while b": " not in seen[prompt:] and time.monotonic() < deadline:
                        if select.select([master], [], [], 0.2)[0]:
                            seen += os.read(master, 1024)
                    os.write(master, answer.encode() + b"\n")
                out, _ = p.communicate(timeout=60)
                while select.select([master], [], [], 0.2)[0]:
                    try:
                        seen += os.read(master, 1024)
                    except OSError:  # the other end closed
                        break
            finally:
                os.close(master)
            return p.returncode, out.decode(), seen.decode(errors="replace")

        self.assertEqual(self.user("add", "alice", "--role", "viewer", password=PASSWORD).returncode, 0)
        code, out, terminal = run(NEW_PASSWORD, NEW_PASSWORD)
        self.assertEqual((code, out), (0, "changed the password of alice\n"), terminal)
        self.assertIn("New password for alice: ", terminal)
        self.assertIn("The same password again: ", terminal)
        self.assertNotIn(NEW_PASSWORD, terminal)  # the echo was off
        before = self.file_text()
        code, out, terminal = run(PASSWORD, NEW_PASSWORD)
        self.assertEqual(code, USAGE, terminal)
        self.assertIn("the two passwords differ: nothing was changed", terminal)
        self.assertEqual(self.file_text(), before)


if __name__ == "__main__":
    gptest.main()
