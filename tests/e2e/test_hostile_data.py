"""Hostile data (issue 13, part 4): text the engine cannot show as given gives valid documents
with a visible, documented replacement and one warning per document and field (README, "Text
the engine cannot show as given"); pictures that cannot be drawn whole are refused naming the
file. Every case runs the real CLI on a copy of the sample database changed with sqlite3 and
reads the output back with qpdf, pdftotext, pdffonts, openpyxl and a strict XML parser.

Held already and covered elsewhere: `../`, slashes and over-long titles in batch file names
(test_batch.test_hostile_names_stay_inside_the_output_folder); this adds reserved names."""
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import unittest
import xml.dom.minidom
import zipfile

import gptest
from gptest import fresh_dir, grantpress, pdftotext, squash

DATA, TEMPLATE = 65, 66
WARNING = "grantpress: warning: "


def read(path):
    with open(path, "rb") as f:
        return f.read()


def valid_xml(data):
    """Raises unless `data` is well-formed XML 1.0 in UTF-8 (expat refuses control characters
    and invalid bytes)."""
    data.decode("utf-8")
    xml.dom.minidom.parseString(data)


class HostileData(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pristine = gptest.sample_db()

    def setUp(self):
        self.db = os.path.join(gptest.ARGS.work_dir, "hostile.db")
        shutil.copyfile(self.pristine, self.db)
        self.config = gptest.write_config(name="hostile.ini", db=self.db)

    def sql(self, statement, *args):
        with sqlite3.connect(self.db) as c:
            c.execute(statement, args)

    def render(self, template="application", project=1645, formats="pdf,xlsx", config=None):
        out = fresh_dir("out-hostile")
        r = grantpress("--config", config or self.config, "render", template, "--param", f"id={project}",
                       "--format", formats, "--out", out)
        return r, out

    def rendered(self, *args, **kwargs):
        """Renders; the run must succeed. Returns (stderr warnings, pdf path, xlsx path)."""
        r, out = self.render(*args, **kwargs)
        self.assertEqual(r.returncode, 0, r.stderr)
        pdfs = glob.glob(os.path.join(out, "*.pdf"))
        xlsxs = glob.glob(os.path.join(out, "*.xlsx"))
        warnings = [line[len(WARNING):] for line in r.stderr.splitlines() if line.startswith(WARNING)]
        self.assertEqual(len(warnings), len(r.stderr.splitlines()), r.stderr)
        return warnings, pdfs[0] if pdfs else None, xlsxs[0] if xlsxs else None

    def assertValidPdf(self, pdf):
        check = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("No syntax or stream encoding errors found", check.stdout)

    def assertValidXlsx(self, path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith(".xml") or name.endswith(".rels"):
                    try:
                        valid_xml(z.read(name))
                    except Exception as e:  # noqa: BLE001 - any parser complaint fails the test
                        self.fail(f"{name}: {e}")
        import openpyxl
        openpyxl.load_workbook(path)

    def pages(self, pdf):
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"Pages:\s+(\d+)", info).group(1))

    def pdf_title(self, pdf):
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        return re.search(r"^Title:\s*(.*)$", info, re.M).group(1)

    def cells(self, xlsx, sheet):
        import openpyxl
        wb = openpyxl.load_workbook(xlsx)
        return [c.value for row in wb[sheet].iter_rows() for c in row if c.value is not None]

    def core_title(self, xlsx):
        with zipfile.ZipFile(xlsx) as z:
            doc = xml.dom.minidom.parseString(z.read("docProps/core.xml"))
        nodes = doc.getElementsByTagName("dc:title")
        return nodes[0].firstChild.data if nodes and nodes[0].firstChild else ""

    # ------------------------------------------------------------------ long text

    def test_megabyte_title(self):
        """Was exit 70: "libharu failed to set the document information: string too long"."""
        title = "Начало " + "долгое название проекта " * 43000 + "Конец"
        self.assertGreater(len(title.encode()), 1_000_000)
        self.sql("UPDATE projects SET title = ? WHERE id = 1645", title)
        warnings, pdf, xlsx = self.rendered()
        self.assertValidPdf(pdf)
        self.assertValidXlsx(xlsx)
        # Metadata: cut to 1,000 characters ending with '…' in both formats.
        for meta in (self.pdf_title(pdf), self.core_title(xlsx)):
            self.assertTrue(meta.startswith("Заявка: Начало долгое название"), meta[:80])
            self.assertTrue(meta.endswith("…"), meta[-20:])
            self.assertLessEqual(len(meta), 1000)
        # The title block and the fields keep all of it in the PDF: start and end are there.
        text = squash(pdftotext(pdf))
        self.assertIn("«Началодолгоеназвание", text)
        self.assertIn("Конец»", text)
        # XLSX cells: cut to Excel's 32,767 characters, ending with '…'.
        long_cells = [v for v in self.cells(xlsx, "Заявка") if isinstance(v, str) and len(v) > 30000]
        self.assertTrue(long_cells)
        for v in long_cells:
            self.assertEqual(len(v), 32767)
            self.assertTrue(v.endswith("…"))
        self.assertIn("application-1645: document property 'title': a text of 1,032,020 characters was cut to "
                      "1,000 for the document properties, ending with '…'", warnings)
        cut = [w for w in warnings if "was cut to Excel's 32,767 per cell" in w]
        self.assertTrue(cut, warnings)
        self.assertEqual(len(warnings), len(set(warnings)))

    def test_hundred_kilobytes_without_a_space(self):
        """Breaks somewhere, never runs off the page: a sane page count, start and end in the text."""
        word = "НАЧАЛО" + "ж" * 50000 + "КОНЕЦ"
        self.sql("UPDATE projects SET description = ? WHERE id = 1645", word)
        warnings, pdf, xlsx = self.rendered()
        # 50,011 characters: over Excel's limit too (the PDF keeps them all).
        self.assertEqual(warnings, ["application-1645: XLSX sheet 'Заявка', column A: a text of 50,011 characters "
                                    "was cut to Excel's 32,767 per cell, ending with '…'"])
        self.assertValidPdf(pdf)
        self.assertValidXlsx(xlsx)
        self.assertLess(self.pages(pdf), 60)
        text = squash(pdftotext(pdf))
        self.assertIn("НАЧАЛОжжж", text)
        self.assertIn("жжжКОНЕЦ", text)
        # Nothing lost, nothing added (headers and footers stand between the pages' parts).
        self.assertEqual(sum(len(run) for run in re.findall("ж{5,}", text)), 50000)
        # Every line stays inside the page: pdftotext -bbox puts no word beyond the right edge.
        bbox = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True, check=True).stdout
        width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
        for x in re.findall(r'xMax="([\d.]+)"', bbox):
            self.assertLessEqual(float(x), width)

    def test_text_over_excels_cell_limit(self):
        """Was exit 70 (libxlsxwriter refuses strings over 32,767 characters)."""
        text = "Описание " + "ю" * 40000 + " конец"
        self.sql("UPDATE projects SET description = ? WHERE id = 1645", text)
        warnings, pdf, xlsx = self.rendered()
        self.assertValidXlsx(xlsx)
        self.assertValidPdf(pdf)
        cut = [v for v in self.cells(xlsx, "Заявка") if isinstance(v, str) and v.startswith("Описание юю")]
        self.assertEqual(len(cut), 1)
        self.assertEqual(len(cut[0]), 32767)
        self.assertTrue(cut[0].endswith("ю…"))
        self.assertEqual(warnings, ["application-1645: XLSX sheet 'Заявка', column A: a text of 40,015 characters "
                                    "was cut to Excel's 32,767 per cell, ending with '…'"])
        self.assertIn("юконец", squash(pdftotext(pdf)))  # the PDF keeps it whole

    # ------------------------------------------------------------------ NULL, scripts, control characters

    def test_null_in_every_nullable_column(self):
        self.sql("UPDATE organizations SET short_name = NULL")
        self.sql("UPDATE projects SET confirmed_by_region = NULL")
        self.sql("UPDATE calendar_plan SET actual_start = NULL, actual_end = NULL, achieved_result = NULL")
        self.sql("UPDATE indicators SET achieved = NULL")
        for template in ("application", "final_report", "budget"):
            with self.subTest(template=template):
                warnings, pdf, xlsx = self.rendered(template)
                self.assertEqual(warnings, [])
                self.assertValidPdf(pdf)
                self.assertValidXlsx(xlsx)

    def test_emoji_right_to_left_and_combining_marks(self):
        """Hebrew, Arabic and combining marks come from DejaVu Sans; an emoji no font has is
        U+FFFD, said once for the field."""
        goals = "Цели 😀 проекта 😀🎉: שלום עולם, مرحبا, ударе\u0301ние, e\u0301"
        self.sql("UPDATE projects SET goals = ? WHERE id = 1645", goals)
        warnings, pdf, xlsx = self.rendered()
        self.assertValidPdf(pdf)
        self.assertValidXlsx(xlsx)
        self.assertEqual(len(warnings), 1, warnings)
        self.assertRegex(warnings[0], r"^application-1645: PDF block \d+ \(paragraph\): characters no font has "
                                      r"\(U\+1F600, U\+1F389\) were replaced by U\+FFFD$")
        text = pdftotext(pdf)
        self.assertIn("Цели \ufffd проекта \ufffd\ufffd", text)
        self.assertTrue("שלום" in text or "םולש" in text, text)  # drawn in stored order: no bidi reordering
        self.assertIn("ударе", text)
        fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout
        self.assertIn("DejaVuSans", fonts)
        # XLSX keeps the text as given: Excel has fonts for emoji.
        self.assertIn(goals, self.cells(xlsx, "Заявка"))

    def test_invalid_utf8_and_control_characters(self):
        """Was exit 70, an XLSX openpyxl rejected, and a NUL that cut the rest of the title off."""
        self.sql("UPDATE projects SET title = CAST(? AS TEXT) WHERE id = 1645",
                 "Нач\x00ало\x0cформ\x1bа ".encode() + b"\xff\xfe\xc3 bytes" + " конец".encode())
        warnings, pdf, xlsx = self.rendered()
        self.assertValidPdf(pdf)
        self.assertValidXlsx(xlsx)
        expected = "Нач\ufffdало\ufffdформ\ufffdа \ufffd\ufffd\ufffd bytes конец"
        self.assertEqual(self.pdf_title(pdf), "Заявка: " + expected)
        self.assertEqual(self.core_title(xlsx), "Заявка: " + expected)
        self.assertIn(expected, self.cells(xlsx, "Заявка"))
        self.assertIn(squash("«" + expected + "»"), squash(pdftotext(pdf)))
        self.assertEqual(warnings, [
            "application-1645: query 'project', column 'title': bytes that are not UTF-8 (0xFF, 0xFE, 0xC3) "
            "were replaced by U+FFFD",
            "application-1645: query 'project', column 'title': control characters (U+0000, U+000C, U+001B) "
            "were replaced by U+FFFD",
        ])

    def test_same_hostile_data_same_bytes(self):
        self.sql("UPDATE projects SET goals = ? WHERE id = 1645", "😀\x1b" + "я" * 40000)
        _, pdf, xlsx = self.rendered()
        first = [read(p) for p in (pdf, xlsx)]
        _, pdf, xlsx = self.rendered()
        self.assertEqual(first, [read(p) for p in (pdf, xlsx)])

    # ------------------------------------------------------------------ a batch

    def test_batch_logs_warnings_per_record_and_names_stay_inside(self):
        """Warnings in the log and the manifest, per record; reserved and long names stay inside."""
        names = {1: "CON", 2: "NUL", 3: ".", 4: "..", 5: "../x/../..", 6: "ж" * 300, 7: "a/b\\c:d*e?f\"g<h>i|j",
                 8: "COM1.txt", 9: " . "}
        for pid, name in names.items():
            self.sql("UPDATE projects SET title = ? WHERE id = ?", name, pid)
        self.sql("UPDATE projects SET goals = ? WHERE id = 1", "Цель \x1b с ESC")
        out = fresh_dir("out-hostile-batch")
        config = gptest.write_config(
            name="hostile-batch.ini", db=self.db, output=out,
            tail="[batch.hostile]\nquery = SELECT id, title FROM projects WHERE id <= 9 ORDER BY id\n"
                 "templates = application\nformats = pdf,xlsx\noutput = {title}/{id}-{title}\nworkers = 1\n")
        r = grantpress("--config", config, "batch", "hostile", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("warning: record 1: application: query 'project', column 'goals': control characters (U+001B) "
                      "were replaced by U+FFFD", r.stderr)
        self.assertEqual(len([l for l in r.stderr.splitlines() if l.startswith("warning:")]), 1, r.stderr)
        import json
        with open(os.path.join(out, "hostile", "hostile.manifest.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        warned = {rec["key"]: rec.get("warnings", []) for rec in manifest["records"]}
        self.assertEqual(len(warned["1"]), 1)
        self.assertTrue(all(not w for k, w in warned.items() if k != "1"))
        root = os.path.realpath(out)
        files = [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs]
        self.assertEqual(len([f for f in files if f.endswith(".pdf")]), 9)
        for f in files:
            self.assertTrue(os.path.realpath(f).startswith(root + os.sep), f)
            for part in os.path.relpath(f, out).split(os.sep):
                self.assertNotIn(part, ("", ".", ".."))
                self.assertLessEqual(len(part.encode()), 255, part)
        v = grantpress("verify", os.path.join(out, "hostile", "hostile.manifest.json"))
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)

    # ------------------------------------------------------------------ pictures

    def image_template(self, name, data):
        folder = os.path.join(gptest.ARGS.work_dir, "img-templates")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
        path = os.path.join(folder, "pic.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n<report title="t">\n'
                    f'  <param name="id" type="integer"/>\n  <image src="{name}"/>\n'
                    '  <paragraph>Текст</paragraph>\n</report>\n')
        return path

    def assertRefused(self, name, data, *needles):
        template = self.image_template(name, data)
        r, out = self.render(template)
        self.assertEqual(r.returncode, TEMPLATE, r.stderr)
        for n in (name,) + needles:
            self.assertIn(n, r.stderr)
        self.assertEqual(gptest.files_in(out), [])
        # check says so before any render
        c = grantpress("--config", self.config, "check", template)
        self.assertEqual(c.returncode, TEMPLATE, c.stderr)
        self.assertIn(name, c.stderr)

    def test_truncated_jpeg(self):
        """Was exit 0 with a PDF qpdf warns about and an XLSX openpyxl cannot open."""
        photo = read(os.path.join(gptest.ARGS.source_dir, "tests", "data", "pdf", "photo.jpg"))
        self.assertRefused("cut.jpg", photo[: len(photo) // 2], "damaged JPEG (truncated")
        # The whole file is drawn.
        template = self.image_template("whole.jpg", photo)
        warnings, pdf, xlsx = self.rendered(template)
        self.assertValidPdf(pdf)
        self.assertValidXlsx(xlsx)

    def test_corrupt_and_truncated_png(self):
        png = read(os.path.join(gptest.ARGS.source_dir, "tests", "data", "templates", "fill", "logo.png"))
        self.assertRefused("cut.png", png[: len(png) - 20], "damaged PNG (truncated")
        self.assertRefused("noise.png", png[:8] + os.urandom(200), "damaged PNG")
        self.assertRefused("noise.jpg", b"\xff\xd8\xff" + os.urandom(200), "damaged JPEG")

    def test_huge_images_are_refused_from_the_header(self):
        """60000 × 60000 declared in the header: refused before anything is decoded."""
        import struct
        import zlib
        ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
        chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
        png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")
        self.assertRefused("huge.png", png, "too large: 60000 × 60000 pixels")
        sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 60000, 60000, 1) + b"\x01\x11\x00"
        jpeg = b"\xff\xd8" + sof + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x00" * 100 + b"\xff\xd9"
        self.assertRefused("huge.jpg", jpeg, "too large: 60000 × 60000 pixels")


if __name__ == "__main__":
    gptest.main()
