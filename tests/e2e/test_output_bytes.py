"""Same data + same template = the same bytes, release after release: every shipped document,
in both formats, rendered from the end-to-end sample database, has the SHA-256 recorded in
tests/data/golden/shipped-documents.sha256. A refactoring that changes a byte of a shipped
document fails here; a deliberate change of the output is recorded by running this test with
GP_UPDATE_EXPECTED=1 and reviewing the new pages (pdftoppm) before committing the list."""
import hashlib
import os
import unittest

import gptest
from gptest import fresh_dir, grantpress

DOCUMENTS = (("application", ["--param", "id=1645"]), ("final_report", ["--param", "id=1645"]),
             ("budget", ["--param", "id=1645"]), ("registry", []), ("summary", []))


def golden():
    return os.path.join(gptest.ARGS.source_dir, "tests", "data", "golden", "shipped-documents.sha256")


class OutputBytes(unittest.TestCase):
    def test_every_shipped_document_has_its_recorded_bytes(self):
        out = fresh_dir("bytes-out")
        cfg = gptest.write_config("bytes.ini", output=out)
        actual = {}
        for name, params in DOCUMENTS:
            r = grantpress("--config", cfg, "render", name, *params, "--format", "pdf,xlsx",
                           "--out", os.path.join(out, name))
            self.assertEqual(r.returncode, 0, r.stderr)
            for path in r.stdout.split():
                with open(path, "rb") as f:
                    actual[f"{name}/{os.path.basename(path)}"] = hashlib.sha256(f.read()).hexdigest()
        self.assertEqual(len(actual), 2 * len(DOCUMENTS))
        lines = "".join(f"{digest}  {name}\n" for name, digest in sorted(actual.items()))
        if os.environ.get("GP_UPDATE_EXPECTED"):
            with open(golden(), "w") as f:
                f.write(lines)
        with open(golden()) as f:
            self.assertEqual(f.read(), lines, "a shipped document's bytes changed (see the module's docstring)")


if __name__ == "__main__":
    gptest.main()
