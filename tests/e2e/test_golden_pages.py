"""Golden pages: what a reader sees of every shipped document, compared with pictures that a
person looked at. The first two pages and the last page of each PDF (pdftoppm, 40 dpi, grey)
and the first printed page of each workbook (LibreOffice headless, as a user prints it) are
compared with tests/data/golden/pages/*.png; the mean difference of their pixels must stay
under 1.5 of 255 (anti-aliasing may move by a shade; a word or a line may not).

After a deliberate change of the layout: scripts/golden-pages.sh renders them again into that
folder (GP_UPDATE_EXPECTED=1); look at every changed picture before committing it."""
import glob
import os
import shutil
import subprocess
import sys
import unittest

import gptest
from gptest import fresh_dir, grantpress

DOCUMENTS = (("application", ["--param", "id=1645"]), ("final_report", ["--param", "id=1645"]),
             ("budget", ["--param", "id=1645"]), ("registry", []), ("summary", []))
TOLERANCE = 1.5


def golden_dir():
    return os.path.join(gptest.ARGS.source_dir, "tests", "data", "golden", "pages")


def pages(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in out.splitlines() if line.startswith("Pages:")))


def raster(pdf, page, prefix):
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile", pdf,
                    prefix], check=True, capture_output=True)
    return prefix + ".png"


def difference(a, b):
    """Mean absolute difference of two grey pictures of the same size, or None when the sizes differ."""
    from PIL import Image, ImageChops, ImageStat
    x, y = Image.open(a).convert("L"), Image.open(b).convert("L")
    if x.size != y.size:
        return None
    return ImageStat.Stat(ImageChops.difference(x, y)).mean[0]


class GoldenPages(unittest.TestCase):
    def test_every_shipped_document_looks_as_it_was_approved(self):
        try:
            import PIL  # noqa: F401
        except ImportError:
            self.fail("python3-pil is not installed (scripts/setup.sh installs it)")
        sys.path.insert(0, os.path.join(gptest.ARGS.source_dir, "tests", "unit"))
        import check_xlsx_libreoffice as lo

        out = fresh_dir("golden-pages")
        cfg = gptest.write_config("golden-pages.ini", output=out)
        pictures = {}  # name -> rendered png
        for name, params in DOCUMENTS:
            folder = os.path.join(out, name)
            r = grantpress("--config", cfg, "render", name, *params, "--format", "pdf,xlsx", "--out", folder)
            self.assertEqual(r.returncode, 0, r.stderr)
            pdf = next(p for p in r.stdout.split() if p.endswith(".pdf"))
            xlsx = next(p for p in r.stdout.split() if p.endswith(".xlsx"))
            n = pages(pdf)
            for label, page in (("p1", 1), ("p2", 2), ("last", n)):
                if page <= n and (label != "last" or n > 2):
                    pictures[f"{name}-{label}"] = raster(pdf, page, os.path.join(folder, f"{name}-{label}"))
            # The workbook as LibreOffice prints it: its first page.
            printed = os.path.join(folder, "printed")
            os.makedirs(printed, exist_ok=True)
            subprocess.run(["soffice", f"-env:UserInstallation={lo.profile(out, 'golden', lo.RECALC['stored'])}",
                            "--headless", "--norestore", "--convert-to", "pdf", "--outdir", printed, xlsx],
                           capture_output=True, text=True, timeout=300, check=True)
            converted = glob.glob(os.path.join(printed, "*.pdf"))
            self.assertEqual(len(converted), 1, f"LibreOffice did not print {xlsx}")
            pictures[f"{name}-xlsx-p1"] = raster(converted[0], 1, os.path.join(folder, f"{name}-xlsx-p1"))

        expected_dir = golden_dir()
        if os.environ.get("GP_UPDATE_EXPECTED"):
            os.makedirs(expected_dir, exist_ok=True)
            for old in glob.glob(os.path.join(expected_dir, "*.png")):
                os.remove(old)
            for name, png in pictures.items():
                shutil.copyfile(png, os.path.join(expected_dir, name + ".png"))
        recorded = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(expected_dir, "*.png")))
        self.assertEqual(recorded, sorted(pictures), "the set of golden pages changed (see the module's docstring)")
        problems = []
        for name, png in sorted(pictures.items()):
            d = difference(png, os.path.join(expected_dir, name + ".png"))
            if d is None or d >= TOLERANCE:
                problems.append(f"{name}: " + ("another page size" if d is None else f"mean difference {d:.2f}") +
                                f"; look at {png}")
        self.assertEqual(problems, [], "pages differ from the approved ones (see the module's docstring)")


if __name__ == "__main__":
    gptest.main()
