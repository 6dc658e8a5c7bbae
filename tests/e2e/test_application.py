"""The seed project's application, rendered through the CLI and read back with pdftotext,
pdffonts, pdfinfo, qpdf and openpyxl."""
import datetime
import decimal
import filecmp
import os
import re
import sqlite3
import subprocess
import unittest

import gptest
from gptest import files_in, fresh_dir, grantpress, pdftotext, spaced, squash

SEED = {
    "title": 'Клуб неравнодушных - 2022 "Тверская, 21"',
    "ngo": "АВТОНОМНАЯ НЕКОММЕРЧЕСКАЯ ОРГАНИЗАЦИЯ ПО РАЗВИТИЮ СОЦИАЛЬНОЙ АКТИВНОСТИ И СОЦИАЛЬНЫХ КОММУНИКАЦИЙ "
           "«АГЕНТСТВО СОЦИАЛЬНЫХ ТЕХНОЛОГИЙ И КОММУНИКАЦИЙ»",
}


def rub(amount):
    """An amount spelled as the PDF does: 234 120,00."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",")


class Application(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db()
        cls.config = gptest.write_config(db=cls.db)
        cls.out = fresh_dir("out-app")
        r = grantpress("--config", cls.config, "render", "application", "--param", "id=1645",
                       "--format", "pdf,xlsx", "--out", cls.out)
        assert r.returncode == 0, r.stderr
        cls.pdf = os.path.join(cls.out, "application-1645.pdf")
        cls.xlsx = os.path.join(cls.out, "application-1645.xlsx")
        with sqlite3.connect(cls.db) as c:
            c.row_factory = sqlite3.Row
            cls.project = c.execute("SELECT * FROM projects WHERE id = 1645").fetchone()
            cls.budget = c.execute("SELECT * FROM budget_lines WHERE project_id = 1645 ORDER BY line_no").fetchall()

    def test_writes_exactly_the_two_files(self):
        self.assertEqual(files_in(self.out), ["application-1645.pdf", "application-1645.xlsx"])

    def test_pdf_text_holds_the_seed_verbatim(self):
        text = pdftotext(self.pdf)
        # -raw keeps content-stream order and line-end hyphens ("культурно-" + "досуговую"),
        # which the default mode would take for soft hyphens and drop.
        # The renderer hyphenates, so a line-end "-" may be a break or a real hyphen: compare the
        # letters, digits and punctuation verbatim with hyphens set aside on both sides.
        # Footers ("Страница 1 из 4") fall inside a paragraph that crosses a page: drop them.
        flat = re.sub(r"Страница\d+из\d+", "", squash(pdftotext(self.pdf, "-raw")).replace("-", ""))
        for value in (SEED["title"], SEED["ngo"], self.project["goals"], self.project["target_audience"],
                      self.project["description"], self.project["qualitative_results"]):
            self.assertIn(squash(value).replace("-", ""), flat, value[:60])
        s = spaced(text)
        for value in ("2 691 000,00 ₽", "2200", "01.01.2022", "31.12.2022", "Заявка на получение гранта"):
            self.assertIn(value, s)

    def test_pdf_has_page_numbers_on_every_page_but_the_title(self):
        pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", self.pdf], capture_output=True,
                                                                text=True, check=True).stdout).group(1))
        self.assertGreaterEqual(pages, 2)
        page = lambda n: spaced(pdftotext(self.pdf, "-f", str(n), "-l", str(n)))  # noqa: E731
        # Page 1 is the title page: no header or footer.
        self.assertNotIn("Страница", page(1))
        self.assertIn("Грантодатель", page(1))
        for n in range(2, pages + 1):
            self.assertIn(f"Страница {n} из {pages}", page(n))
            self.assertIn("заявка на грант, проект № 1645", page(n))

    def test_pdf_has_tasks_budget_by_category_indicators_and_details(self):
        flat = squash(pdftotext(self.pdf, "-raw")).replace("-", "")
        text = spaced(pdftotext(self.pdf, "-layout"))
        with sqlite3.connect(self.db) as c:
            tasks = [t for (t,) in c.execute("SELECT task FROM calendar_plan WHERE project_id = 1645 "
                                             "GROUP BY task ORDER BY MIN(line_no)")]
            indicators = c.execute("SELECT name, planned FROM indicators WHERE project_id = 1645 "
                                   "ORDER BY line_no").fetchall()
            cofinancing = sum(decimal.Decimal(str(v)) for (v,) in
                              c.execute("SELECT cofinancing FROM budget_lines WHERE project_id = 1645"))
            org = c.execute("SELECT inn, ogrn, address FROM organizations WHERE id = 1").fetchone()
        # The tasks, numbered in the order they first appear in the calendar plan.
        for n, task in enumerate(tasks, 1):
            self.assertIn(squash(f"{n}. {task}.").replace("-", ""), flat)
        # Budget: a subtotal per category, the total with co-financing, the total in words.
        categories = {b["category"] for b in self.budget}
        self.assertEqual(text.count("Итого по статье"), len(categories))
        self.assertIn(f"Итого по смете 2 691 000,00 {rub(cofinancing)}", text)
        self.assertIn("Два миллиона шестьсот девяносто одна тысяча рублей 00 копеек", text)
        total = decimal.Decimal("2691000.00") + cofinancing
        self.assertIn(f"Общая стоимость проекта {rub(total)} ₽", text)
        for name, planned in indicators:
            self.assertIn(squash(name).replace("-", ""), flat)
        for value in org:
            self.assertIn(value, text)
        self.assertIn("(подпись)", text)

    def test_pdf_metadata_is_cyrillic_and_fixed(self):
        info = subprocess.run(["pdfinfo", self.pdf], capture_output=True, text=True, check=True,
                              env=dict(os.environ, TZ="UTC")).stdout
        self.assertIn("Заявка: " + SEED["title"], info)
        self.assertRegex(info, r"CreationDate:\s+Thu Jan  1 00:00:00 2026")

    def test_pdf_fonts_are_embedded(self):
        out = subprocess.run(["pdffonts", self.pdf], capture_output=True, text=True, check=True).stdout
        rows = out.splitlines()[2:]
        self.assertTrue(rows, out)
        for row in rows:
            self.assertRegex(row, r"PT|GrantPress|DejaVu")  # full PT, its cut-down copy, or the fallback
            self.assertEqual(row.split()[-5], "yes", row)  # emb column

    def test_pdf_passes_qpdf_check(self):
        r = subprocess.run(["qpdf", "--check", self.pdf], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_xlsx_has_typed_cells_and_a_live_total(self):
        import openpyxl
        wb = openpyxl.load_workbook(self.xlsx)
        values = openpyxl.load_workbook(self.xlsx, data_only=True)
        # One sheet reads like the PDF: the fields, then each table after its heading.
        self.assertEqual(wb.sheetnames, ["Заявка"])
        first = wb.worksheets[0]
        # A field's label spans the first columns, its value the first cell after them.
        by_label = {}
        for row in first.iter_rows():
            if isinstance(row[0].value, str):
                value = next((c for c in row[1:] if c.value is not None), None)
                if value is not None:
                    by_label.setdefault(row[0].value, value)
        amount = by_label["Сумма финансирования"]
        self.assertEqual(amount.value, 2691000)
        self.assertIsInstance(amount.value, (int, float))
        self.assertIn("#,##0.00", amount.number_format)
        self.assertIn("₽", amount.number_format)
        start = by_label["Дата начала"]
        self.assertEqual(start.value, datetime.datetime(2022, 1, 1))
        self.assertEqual(by_label["Количество участников"].value, 2200)
        self.assertEqual(by_label["Название"].value, SEED["title"])

        # The budget, grouped by category: each line's sum is quantity × price as a live formula,
        # the total a SUBTOTAL over the lines (skipping the category subtotals).
        sheet = first
        cached = values["Заявка"]
        top = next(r[0].row for r in sheet.iter_rows() if [c.value for c in r[:2]] == ["№", "Наименование расходов"])
        header = [c.value for c in next(sheet.iter_rows(min_row=top, max_row=top))]
        q, price, col = (header.index(t) + 1 for t in ("Кол-во", "Цена, ₽", "Запрашивается, ₽"))
        table = []
        for r in sheet.iter_rows(min_row=top + 1):
            if all(c.value is None for c in r):
                break
            table.append(r)
        lines = {r[0].row: r for r in table if isinstance(r[0].value, int)}
        self.assertEqual(len(lines), len(self.budget))
        by_no = {b["line_no"]: b for b in self.budget}
        for r, cells in lines.items():
            self.assertEqual(cells[col - 1].value, f"={cells[q - 1].column_letter}{r}*{cells[price - 1].column_letter}{r}")
            self.assertEqual(round(decimal.Decimal(str(cached.cell(row=r, column=col).value)), 2),
                             decimal.Decimal(str(by_no[cells[0].value]["requested"])))
        expected = sum(decimal.Decimal(str(b["requested"])) for b in self.budget)
        self.assertEqual(expected, decimal.Decimal("2691000.00"))
        total = next(r for r in table if r[0].value == "Итого по смете")
        formula = total[col - 1].value
        self.assertTrue(str(formula).upper().startswith("=SUBTOTAL(9,"), formula)
        self.assertEqual(round(decimal.Decimal(str(cached.cell(row=total[0].row, column=col).value)), 2), expected)
        # Three tables share the sheet: no filter or frozen rows belong to one of them.
        self.assertIsNone(sheet.freeze_panes)
        self.assertIsNone(sheet.auto_filter.ref)
        # Subtotal and total labels run over the empty cells after them (as in the PDF): one
        # line tall, not wrapped in the narrow «№» column, which is centred.
        merged = {str(m) for m in sheet.merged_cells.ranges}
        for row in table:
            if isinstance(row[0].value, str) and row[0].value.startswith("Итого"):
                r = row[0].row
                self.assertTrue(any(m.startswith(f"A{r}:") for m in merged), f"label of row {r} is not merged")
                self.assertIn(sheet.row_dimensions[r].height, (None, 15.0), f"row {r} is taller than a line")
        self.assertEqual(sheet.cell(row=min(lines), column=1).alignment.horizontal, "center")

    def test_rendering_twice_gives_the_same_bytes(self):
        again = fresh_dir("out-app-again")
        r = grantpress("--config", self.config, "render", "application", "--param", "id=1645", "--out", again)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ("application-1645.pdf", "application-1645.xlsx"):
            self.assertTrue(filecmp.cmp(os.path.join(self.out, name), os.path.join(again, name), shallow=False), name)


if __name__ == "__main__":
    gptest.main()
