"""A render never fails on what the text says (issue 13, item 6).

libharu 2.3.0 could not embed a font subset whose size came to a multiple of 4 KB when the face
has no 'prep' table (the fast faces in fonts/fast): which characters a document used decided
whether it could be written. This template and parameter hit exactly that; the unit test
PdfRobustness.RandomText* covers random text through every kind of block."""
import glob
import os
import subprocess
import unittest

import gptest
from gptest import fresh_dir, grantpress, pdftotext, spaced

# Issue 13's template, byte for byte.
TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<report title="t">
  <param name="r" type="text" required="true"/>
  <query name="rows">SELECT id FROM projects WHERE 1 = 0</query>
  <title subtitle="{param.r}">Мониторинг реализации проектов за 4 квартал 2026 года</title>
  <table rows="rows" empty="Проектов нет">
    <column title="№">{id}</column>
  </table>
  <paragraph>Сформировано {date | date("long")}</paragraph>
</report>
"""


class TextRobustness(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db()
        cls.template = os.path.join(gptest.ARGS.work_dir, "monitoring.xml")
        with open(cls.template, "w", encoding="utf-8") as f:
            f.write(TEMPLATE)

    def render(self, region, font=None):
        extra = f"[page]\nfont = {font}\n" if font else ""
        config = gptest.write_config(name=f"reports-{font or 'default'}.ini", db=self.db, extra=extra)
        out = fresh_dir("out-robust")
        r = grantpress("--config", config, "render", self.template, "--param", f"r={region}", "--format", "pdf",
                       "--out", out)
        self.assertEqual(r.returncode, 0, f"region {region!r}, font {font}: {r.stdout}{r.stderr}")
        pdfs = glob.glob(os.path.join(out, "*.pdf"))
        self.assertEqual(len(pdfs), 1, os.listdir(out))
        return pdfs[0]

    def assertCleanPdf(self, pdf):
        check = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("No syntax or stream encoding errors found", check.stdout)

    def test_leningrad_region_subtitle(self):
        """The region of issue 13: failed with 'no object returned (libharu error 0x1033)'."""
        pdf = self.render("Ленинградская область")
        self.assertCleanPdf(pdf)
        text = spaced(pdftotext(pdf))
        self.assertIn("Ленинградская область", text)
        self.assertIn("Мониторинг реализации проектов за 4 квартал 2026 года", text)
        self.assertIn("Проектов нет", text)
        self.assertIn("Сформировано 1 января 2026 г.", text)

    def test_other_regions_and_families(self):
        for font in (None, "PTSans"):
            for region in ("Ленинградская область", "Москва", "Ханты-Мансийский автономный округ — Югра", "ёЁ№"):
                with self.subTest(font=font, region=region):
                    pdf = self.render(region, font)
                    self.assertCleanPdf(pdf)
                    if region:
                        self.assertIn(region, spaced(pdftotext(pdf)))


if __name__ == "__main__":
    gptest.main()
