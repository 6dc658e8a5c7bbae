"""scripts/gallery.sh: the README's pictures made from a sample database — four PNGs of the
promised sizes, the same bytes every time, and clear failures that leave no pictures."""
import filecmp
import os
import struct
import subprocess
import unittest

import gptest
from gptest import files_in, fresh_dir

PICTURES = {"application.png": 420, "application-2.png": 420, "final_report.png": 420, "registry.png": 1052}


def png_size(path):
    """(width, height) from a PNG's IHDR chunk."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


class Gallery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.config = gptest.write_config("gallery.ini")
        cls.script = os.path.join(gptest.ARGS.source_dir, "scripts", "gallery.sh")

    def gallery(self, *args):
        return subprocess.run([self.script, *args], capture_output=True, text=True, timeout=600)

    def make(self, name, config=None):
        out = fresh_dir(name)
        r = self.gallery("--out", out, "--config", config or self.config, "--grantpress", gptest.ARGS.grantpress)
        return r, out

    def test_four_pictures_of_the_promised_sizes_the_same_every_time(self):
        r, out = self.make("gallery")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(files_in(out), sorted(PICTURES))
        for name, width in PICTURES.items():
            w, h = png_size(os.path.join(out, name))
            self.assertEqual(w, width, name)
            self.assertGreater(h, 100, name)
        r, again = self.make("gallery-again")
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in PICTURES:
            self.assertTrue(filecmp.cmp(os.path.join(out, name), os.path.join(again, name), shallow=False), name)

    def test_bad_arguments_exit_64_and_say_which(self):
        for args, needle in ((["--bogus"], "unknown argument '--bogus'"), (["--out"], "--out needs a value")):
            r = self.gallery(*args)
            self.assertEqual(r.returncode, 64, r.stderr)
            self.assertIn(needle, r.stderr)
            self.assertIn("usage: scripts/gallery.sh", r.stderr)

    def test_missing_program_or_database_leaves_no_pictures(self):
        out = fresh_dir("gallery-no-program")
        r = self.gallery("--out", out, "--grantpress", os.path.join(out, "nowhere", "grantpress"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("run scripts/build.sh first", r.stderr)
        self.assertEqual(files_in(out), [])

        missing_db = gptest.write_config("gallery-missing-db.ini", db=os.path.join(out, "no-such.db"))
        r, out = self.make("gallery-no-db", config=missing_db)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no-such.db", r.stderr)  # grantpress's own message, naming the file
        self.assertEqual(files_in(out), [])


if __name__ == "__main__":
    gptest.main()
