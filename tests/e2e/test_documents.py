"""The shipped documents besides the application — final report, budget, registry, summary —
rendered through the CLI from the sample database, with their content checked against the
database itself: pdftotext for the PDFs, openpyxl (formulas and cached values) and LibreOffice
(recalculation) for the workbooks."""
import csv
import decimal
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import unittest
import zipfile

import gptest
from gptest import files_in, fresh_dir, grantpress, pdftotext, spaced, squash

D = decimal.Decimal
CENT = D("0.01")


def dec(value):
    """An exact decimal of a value read from SQLite (NUMERIC stores 1234.56 as REAL)."""
    return D(str(value)).quantize(CENT, decimal.ROUND_HALF_UP) if value is not None else None


def money(value, group_four=False):
    """The PDF's spelling of an amount without currency: 2 691 000,00 (minus as U+2212); a
    four-digit amount stays whole (2200,00) unless group_four (a table column that also holds
    five digits or more: 2 200,00)."""
    q = dec(value)
    sign = "−" if q < 0 else ""
    whole, frac = f"{abs(q):.2f}".split(".")
    if len(whole) == 4 and not group_four:
        return sign + whole + "," + frac
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + " ".join(groups) + "," + frac


def percent(fraction):
    """The PDF's spelling of a fraction as per cent with one decimal: 106,7 %."""
    return f"{(fraction * 100).quantize(D('0.1'), rounding=decimal.ROUND_HALF_UP)}".replace(".", ",") + " %"


MONEY = re.compile(r"[−-]?(?:\d{1,3}(?: \d{3})+|\d{1,4}),\d{2}")
PERCENT = re.compile(r"\d+,\d %")


def between(text, start, end):
    """The part of `text` from `start` up to `end` (both must be there)."""
    i = text.index(start)
    return text[i:text.index(end, i)]


def page_size(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    w, h = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", out).groups()
    return float(w), float(h)


def recalculated(xlsx, workdir):
    """Every sheet of `xlsx` as LibreOffice computes it (formulas recalculated on load), as
    {sheet: rows of CSV cells}. Uses the unit tests' LibreOffice profile trick."""
    sys.path.insert(0, os.path.join(gptest.ARGS.source_dir, "tests", "unit"))
    import check_xlsx_libreoffice as lo
    out = os.path.join(workdir, "lo-recalculated")
    os.makedirs(out, exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation={lo.profile(workdir, 'docs', lo.RECALC['recalculated'])}",
                    "--headless", "--norestore", "--convert-to", lo.FILTER, "--outdir", out, xlsx],
                   capture_output=True, text=True, timeout=300, check=True)
    stem = os.path.splitext(os.path.basename(xlsx))[0]
    sheets = {}
    for name in os.listdir(out):
        if name.startswith(stem + "-") and name.endswith(".csv"):
            with open(os.path.join(out, name), encoding="utf-8", newline="") as f:
                sheets[name[len(stem) + 1:-4]] = list(csv.reader(f))
    return sheets


def integer(n):
    """The `integer` filter's spelling: 2200, 10 000 (four digits stay together)."""
    return str(n) if abs(n) < 10000 else f"{n:,}".replace(",", " ")


def render(config, template, *params, folder):
    """Renders PDF and XLSX into a fresh folder; returns it."""
    out = fresh_dir(folder)
    args = ["--config", config, "render", template, "--format", "pdf,xlsx", "--out", out]
    for p in params:
        args += ["--param", p]
    r = grantpress(*args)
    if r.returncode != 0:
        raise AssertionError(f"render {template} {params} failed: {r.stderr}")
    return out


def check_pdf(test, pdf):
    """qpdf finds nothing wrong and every font is embedded."""
    r = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
    test.assertEqual(r.returncode, 0, r.stdout + r.stderr)
    fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    test.assertTrue(fonts)
    for row in fonts:
        test.assertEqual(row.split()[-5], "yes", row)


def header_index(sheet, titles):
    """The row number of the header row whose first cells are `titles`: a running sheet holds
    several tables one after another, most of them starting with «№»."""
    titles = list(titles)
    for row in sheet.iter_rows():
        if [c.value for c in row[:len(titles)]] == titles:
            return row[0].row
    raise AssertionError(f"no header row starting {titles!r} on sheet {sheet.title!r}")


def table_sheet(wb, *titles):
    """The sheet that holds the table whose header starts with `titles`."""
    for sheet in wb.worksheets:
        try:
            header_index(sheet, titles)
            return sheet
        except AssertionError:
            pass
    raise AssertionError(f"no sheet holds a table headed {titles!r}: {wb.sheetnames}")


def table_rows(sheet, *titles):
    """The rows of the table headed `titles`, under its header, up to the empty row that ends it."""
    header = header_index(sheet, titles)
    for row in sheet.iter_rows(min_row=header + 1):
        if all(c.value is None for c in row):
            return
        yield row


def data_rows(sheet, *titles):
    """(row number, cells) of the table's rows whose first cell is a line number."""
    for row in table_rows(sheet, *(titles or ("№",))):
        if isinstance(row[0].value, (int, float)):
            yield row[0].row, row


def header_of(sheet, *titles):
    row = header_index(sheet, titles)
    return [c.value for c in next(sheet.iter_rows(min_row=row, max_row=row))]


def printed_width_mm(sheet):
    """The width of the sheet's columns on paper at 100% (Excel's 7 pixels a unit, 96 an inch)."""
    return sum(d.width * 7 for d in sheet.column_dimensions.values() if d.width) * 25.4 / 96


class Documents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = gptest.sample_db()
        cls.config = gptest.write_config(db=cls.db)
        cls.conn = sqlite3.connect(cls.db)
        cls.conn.row_factory = sqlite3.Row

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()

    @classmethod
    def render_both(cls, template, *params, folder):
        """Renders PDF and XLSX into a fresh `folder`; sets cls.out, cls.pdf and cls.xlsx
        (named as grantpress names them: the template and the parameter values)."""
        cls.out = render(cls.config, template, *params, folder=folder)
        stem = "-".join([template] + [p.split("=", 1)[1] for p in params])
        cls.pdf, cls.xlsx = (os.path.join(cls.out, f"{stem}.{ext}") for ext in ("pdf", "xlsx"))

    @classmethod
    def sql(cls, query, *args):
        return cls.conn.execute(query, args).fetchall()


class EveryTemplate(Documents):
    def test_every_shipped_template_passes_check(self):
        r = grantpress("--config", self.config, "check")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for name in ("application", "budget", "final_report", "registry", "summary"):
            self.assertIn(f"OK {name}", r.stdout)


class FinalReport(Documents):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.render_both("final_report", "id=1645", folder="out-final")
        cls.text = spaced(pdftotext(cls.pdf, "-layout")).replace("−", "-")

    def test_files_and_pdf_sanity(self):
        self.assertEqual(files_in(self.out), ["final_report-1645.pdf", "final_report-1645.xlsx"])
        check_pdf(self, self.pdf)

    def test_reporting_period_and_summary_figures(self):
        self.assertIn("Отчётный период 01.01.2022 – 31.12.2022", self.text)
        counts = {s: n for s, n in self.sql("SELECT status, COUNT(*) FROM calendar_plan WHERE project_id = 1645 "
                                             "GROUP BY status")}
        met = self.sql("SELECT COUNT(*) FROM indicators WHERE project_id = 1645 AND achieved >= planned")[0][0]
        total = self.sql("SELECT COUNT(*) FROM indicators WHERE project_id = 1645")[0][0]
        summary = between(self.text, "1. Общие итоги", "2. Календарный план")
        self.assertIn(f"Из {sum(counts.values())} мероприятий", summary)
        self.assertIn(f"выполнено {counts.get('выполнено', 0)}, перенесено {counts.get('перенесено', 0)}, "
                      f"отменено {counts.get('отменено', 0)}", summary)
        self.assertIn(f"по {met} из {total} показателей", summary)

    def test_indicator_percent_is_achieved_over_planned(self):
        rows = self.sql("SELECT planned, achieved FROM indicators WHERE project_id = 1645 ORDER BY line_no")
        expected = [percent(dec(r["achieved"]) / dec(r["planned"])) for r in rows]
        section = between(self.text, "3. Показатели", "4. Исполнение бюджета")
        self.assertEqual(PERCENT.findall(section)[:len(expected)], expected)

        import openpyxl
        sheet = table_sheet(openpyxl.load_workbook(self.xlsx), "№", "Показатель")
        cached = openpyxl.load_workbook(self.xlsx, data_only=True)[sheet.title]
        header = header_of(sheet, "№", "Показатель")
        planned, achieved, share = (header.index(t) for t in ("План", "Факт", "% плана"))
        got = list(data_rows(sheet, "№", "Показатель"))
        self.assertEqual(len(got), len(rows))
        for (r, cells), db in zip(got, rows):
            letter = lambda i: cells[i].column_letter  # noqa: E731
            self.assertEqual(cells[share].value, f'=IFERROR({letter(achieved)}{r}/{letter(planned)}{r},"")')
            self.assertAlmostEqual(cached.cell(row=r, column=share + 1).value,
                                   float(dec(db["achieved"]) / dec(db["planned"])), places=4)

    def test_indicator_chart_is_in_the_workbook(self):
        with zipfile.ZipFile(self.xlsx) as z:
            charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
            self.assertEqual(len(charts), 1, z.namelist())
            xml = z.read(charts[0]).decode("utf-8")
        self.assertIn("barChart", xml)
        self.assertIn("План", xml)
        self.assertIn("Факт", xml)

    def test_budget_remaining_is_plan_minus_spent(self):
        lines = self.sql("SELECT category, requested, spent FROM budget_lines b WHERE project_id = 1645 ORDER BY "
                         "(SELECT MIN(line_no) FROM budget_lines f WHERE f.project_id = 1645 "
                         "AND f.category = b.category), line_no")
        # In reading order: each line's plan, spent, remaining; each category's subtotal; the total.
        # A column's four-digit amounts are grouped when it also holds five digits or more.
        expected, group = [], []
        wide = {}
        for column, values in (("plan", [dec(x["requested"]) for x in lines]), ("spent", [dec(x["spent"]) for x in lines]),
                               ("rest", [dec(x["requested"]) - dec(x["spent"]) for x in lines])):
            totals = [sum(values)] + [sum(v for v, x in zip(values, lines) if x["category"] == c)
                                      for c in {x["category"] for x in lines}]
            wide[column] = any(abs(v) >= 10000 for v in values + totals)

        def row(p, s):
            expected.extend([money(p, wide["plan"]), money(s, wide["spent"]), money(p - s, wide["rest"])])

        def close_group():
            if group:
                row(sum(dec(x["requested"]) for x in group), sum(dec(x["spent"]) for x in group))

        for i, line in enumerate(lines):
            if i > 0 and line["category"] != lines[i - 1]["category"]:
                close_group()
                group = []
            group.append(line)
            row(dec(line["requested"]), dec(line["spent"]))
        close_group()
        plan, spent = sum(dec(x["requested"]) for x in lines), sum(dec(x["spent"]) for x in lines)
        row(plan, spent)
        self.assertFalse(wide["rest"])  # the seed's remainders are all under 10 000: written whole
        section = between(self.text, "4. Исполнение бюджета", "Всего по смете")
        self.assertEqual([m.replace("−", "-") for m in MONEY.findall(section)], [e.replace("−", "-") for e in expected])
        self.assertIn(f"остаток {money(plan - spent)} ₽".replace("−", "-"), self.text)
        overspent = sum(1 for x in lines if dec(x["spent"]) > dec(x["requested"]))
        self.assertGreater(overspent, 0, "the seed project overspends one line")
        self.assertIn(f"Перерасход допущен по {overspent} строк", self.text)

        import openpyxl
        sheet = table_sheet(openpyxl.load_workbook(self.xlsx), "№", "Наименование расходов")
        header = header_of(sheet, "№", "Наименование расходов")
        p, s, rem, share = (header.index(t) for t in ("План, ₽", "Израсходовано, ₽", "Остаток, ₽", "Освоено"))
        rows = list(data_rows(sheet, "№", "Наименование расходов"))
        self.assertEqual(len(rows), len(lines))
        for r, cells in rows:
            pl, sp = cells[p].column_letter, cells[s].column_letter
            self.assertEqual(cells[rem].value, f"={pl}{r}-{sp}{r}")
            self.assertEqual(cells[share].value, f'=IFERROR({sp}{r}/{pl}{r},"")')

        # LibreOffice recomputes every formula: each remaining equals plan minus spent.
        sheets = recalculated(self.xlsx, fresh_dir("lo-final"))
        lo = sheets[sheet.title]
        for r, cells in rows:
            row = lo[r - 1]
            self.assertEqual(D(row[rem]).quantize(CENT), D(row[p]).quantize(CENT) - D(row[s]).quantize(CENT), row)

    def test_calendar_plan_facts_and_statuses(self):
        import openpyxl
        sheet = table_sheet(openpyxl.load_workbook(self.xlsx), "№", "Мероприятие")
        header = header_of(sheet, "№", "Мероприятие")
        plan = self.sql("SELECT * FROM calendar_plan WHERE project_id = 1645 ORDER BY line_no")
        rows = list(data_rows(sheet, "№", "Мероприятие"))
        self.assertEqual(len(rows), len(plan))
        for (r, cells), db in zip(rows, plan):
            value = lambda title: cells[header.index(title)].value  # noqa: E731
            self.assertEqual(value("Статус"), db["status"])
            self.assertEqual(value("Начало (план)").date().isoformat(), db["planned_start"])
            actual = value("Начало (факт)")
            self.assertEqual(actual.date().isoformat() if actual else None, db["actual_start"])
        # On a row's first line the status follows the actual dates ("10.01.2022 – 25.02.2022 –
        # выполнено", "— – — отменено"); the same words inside a result ("Мероприятие отменено
        # по…") do not follow a dash.
        section = between(self.text, "2. Календарный план", "3. Показатели")
        self.assertEqual(re.findall(r"[–—] (выполнено|перенесено|отменено|в работе|запланировано)", section),
                         [db["status"] for db in plan])

    def test_publications_with_links_and_signature(self):
        flat = squash(pdftotext(self.pdf, "-raw"))
        urls = [u for (u,) in self.sql("SELECT url FROM publications WHERE project_id = 1645 "
                                       "ORDER BY published_on, id")]
        for url in urls:
            self.assertIn(squash(url), flat)
        # Each shown address is a link: a PDF annotation (pdfinfo lists them) and an XLSX hyperlink.
        listed = subprocess.run(["pdfinfo", "-url", self.pdf], capture_output=True, text=True, check=True).stdout
        self.assertEqual(re.findall(r"Annotation\s+(\S+)", listed), urls)
        import openpyxl
        sheet = table_sheet(openpyxl.load_workbook(self.xlsx), "Дата", "Публикация", "Ссылка")
        cells = [row[2] for row in table_rows(sheet, "Дата", "Публикация", "Ссылка") if row[2].value]
        self.assertEqual([c.value for c in cells], urls)
        self.assertEqual([c.hyperlink.target for c in cells], urls)
        self.assertIn("Генеральный директор", self.text)
        self.assertIn("(подпись)", self.text)


class EmptyProject(unittest.TestCase):
    """A project with nothing filled in yet (no budget, plan, indicators or publications) and
    one whose only indicator has a plan of 0: every document still renders, says what is
    missing, and shows a dash where a share cannot be computed."""

    @classmethod
    def setUpClass(cls):
        db = os.path.join(gptest.ARGS.work_dir, "empty-project.db")
        shutil.copyfile(gptest.sample_db(), db)
        with sqlite3.connect(db) as c:
            c.execute("INSERT INTO projects (id, title, organization_id, contest_id, start_date, end_date, goals, "
                      "target_audience, description, amount, participants, qualitative_results) "
                      "SELECT 90001, 'Пустой проект', organization_id, contest_id, start_date, end_date, goals, "
                      "target_audience, description, 0, 0, qualitative_results FROM projects WHERE id = 1645")
            c.execute("INSERT INTO projects (id, title, organization_id, contest_id, start_date, end_date, goals, "
                      "target_audience, description, amount, participants, qualitative_results) "
                      "SELECT 90002, 'Проект без плана показателей', organization_id, contest_id, start_date, "
                      "end_date, goals, target_audience, description, 0, 0, qualitative_results "
                      "FROM projects WHERE id = 1645")
            c.execute("INSERT INTO indicators (id, project_id, line_no, name, unit, planned, achieved) "
                      "VALUES (90001, 90002, 1, 'Показатель без плана', 'ед.', 0, 5)")
        cls.config = gptest.write_config("empty-project.ini", db=db)

    def test_every_document_renders_and_says_what_is_missing(self):
        expected = {
            "application": ["Календарный план не заполнен", "Бюджет не заполнен", "Показатели не заданы",
                            "Задачи не указаны"],
            "final_report": ["Календарный план не заполнен", "Показатели не заданы", "Бюджет не заполнен",
                             "Публикаций нет", "Смета проекта не заполнена."],
            "budget": ["Смета не заполнена"],
        }
        for template, texts in expected.items():
            with self.subTest(template=template):
                out = render(self.config, template, "id=90001", folder="out-empty-" + template)
                text = spaced(pdftotext(os.path.join(out, f"{template}-90001.pdf")))
                for t in texts:
                    self.assertIn(t, text)
                self.assertNotIn("Перерасход", text)

    def test_a_share_of_a_zero_plan_is_a_dash_and_an_empty_cell(self):
        out = render(self.config, "final_report", "id=90002", folder="out-zero-plan")
        section = between(spaced(pdftotext(os.path.join(out, "final_report-90002.pdf"), "-layout")),
                          "3. Показатели", "4. Исполнение")
        self.assertRegex(section, r"Показатель без плана ед\. 0 5 —")
        import openpyxl
        xlsx = os.path.join(out, "final_report-90002.xlsx")
        sheet = table_sheet(openpyxl.load_workbook(xlsx), "№", "Показатель")
        cached = openpyxl.load_workbook(xlsx, data_only=True)[sheet.title]
        header = header_of(sheet, "№", "Показатель")
        (r, cells), = data_rows(sheet, "№", "Показатель")
        share = header.index("% плана")
        self.assertTrue(str(cells[share].value).startswith("=IFERROR("), cells[share].value)
        self.assertIn(cached.cell(row=r, column=share + 1).value, (None, ""))


class Budget(Documents):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.render_both("budget", "id=1645", folder="out-budget")

    def test_landscape_pdf_with_the_total_in_words(self):
        check_pdf(self, self.pdf)
        w, h = page_size(self.pdf)
        self.assertGreater(w, h)
        text = spaced(pdftotext(self.pdf, "-layout"))
        self.assertIn("2 691 000,00", text)
        self.assertIn("два миллиона шестьсот девяносто одна тысяча рублей 00 копеек", text)

    def test_line_sums_are_live_formulas(self):
        import openpyxl
        # XLSX-first: the budget's title, fields and table on one sheet, as in the PDF.
        self.assertEqual(openpyxl.load_workbook(self.xlsx).sheetnames, ["Смета"])
        sheet = openpyxl.load_workbook(self.xlsx)["Смета"]
        cached = openpyxl.load_workbook(self.xlsx, data_only=True)["Смета"]
        header = header_of(sheet, "№")
        q, price, req, cof, total = (header.index(t) for t in ("Кол-во", "Цена за ед., ₽", "Запрашивается, ₽",
                                                               "Софинансирование, ₽", "Всего, ₽"))
        db = {r["line_no"]: r for r in self.sql("SELECT * FROM budget_lines WHERE project_id = 1645")}
        rows = list(data_rows(sheet))
        self.assertEqual(len(rows), len(db))
        for r, cells in rows:
            line = db[int(cells[0].value)]
            ql, pl, cl = cells[q].column_letter, cells[price].column_letter, cells[cof].column_letter
            self.assertEqual(cells[req].value, f"={ql}{r}*{pl}{r}")
            self.assertEqual(cells[total].value, f"={ql}{r}*{pl}{r}+{cl}{r}")
            self.assertEqual(dec(cached.cell(row=r, column=req + 1).value), dec(line["requested"]))
        last = max(r for r, _ in rows)
        totals = [row for row in sheet.iter_rows(min_row=last + 1) if row[0].value == "Итого"]
        self.assertEqual(len(totals), 1)
        formula = totals[0][req].value
        self.assertTrue(formula.startswith("=SUBTOTAL(9,"), formula)
        self.assertEqual(dec(cached.cell(row=totals[0][0].row, column=req + 1).value), D("2691000.00"))

    def test_changing_a_quantity_moves_every_total(self):
        """The point of the budget: edit a quantity, and the line, its category and the total follow."""
        import openpyxl
        wb = openpyxl.load_workbook(self.xlsx)
        sheet = wb["Смета"]
        header = header_of(sheet, "№")
        q, req = header.index("Кол-во"), header.index("Запрашивается, ₽")
        rows = dict((int(cells[0].value), r) for r, cells in data_rows(sheet))
        sheet.cell(row=rows[1], column=q + 1).value = 13  # Руководитель проекта: 12 -> 13 months of 55 000
        edited = os.path.join(fresh_dir("budget-edited"), "budget-edited.xlsx")
        os.makedirs(os.path.dirname(edited))
        wb.save(edited)
        lo = recalculated(edited, fresh_dir("lo-budget"))["Смета"]
        self.assertEqual(D(lo[rows[1] - 1][req]), D("715000"))
        total_row = next(row for row in lo if row and row[0] == "Итого")
        self.assertEqual(D(total_row[req]).quantize(CENT), D("2746000.00"))


class Registry(Documents):
    def filtered(self, grantor=None, year=None):
        where, args = [], []
        if grantor is not None:
            where.append("g.short_name = ?")
            args.append(grantor)
        if year is not None:
            where.append("c.year = ?")
            args.append(year)
        sql = ("SELECT p.amount, p.participants FROM projects p JOIN contests c ON c.id = p.contest_id "
               "JOIN grantors g ON g.id = c.grantor_id" + (" WHERE " + " AND ".join(where) if where else ""))
        rows = self.sql(sql, *args)
        count = self.sql("SELECT COUNT(*) FROM (" + sql + ")", *args)[0][0]
        return count, sum((dec(r["amount"]) for r in rows), D("0.00")), sum(r["participants"] for r in rows)

    def check_registry(self, params, name, grantor=None, year=None):
        out = render(self.config, "registry", *params, folder="out-registry-" + name)
        pdf, xlsx = (os.path.join(out, f"{name}.{ext}") for ext in ("pdf", "xlsx"))
        self.assertEqual(files_in(out), [f"{name}.pdf", f"{name}.xlsx"])
        count, amount, participants = self.filtered(grantor, year)
        self.assertGreater(count, 0)

        import openpyxl
        sheet = openpyxl.load_workbook(xlsx)["Реестр"]
        cached = openpyxl.load_workbook(xlsx, data_only=True)["Реестр"]
        header = header_of(sheet, "ID")
        rows = list(data_rows(sheet, "ID"))
        self.assertEqual(len(rows), count)
        self.assertTrue(sheet.auto_filter.ref, "the registry sheet has no autofilter")
        total = next(row for row in cached.iter_rows() if row[0].value == "Итого")
        self.assertEqual(total[header.index("Название проекта")].value, count)
        self.assertEqual(dec(total[header.index("Сумма гранта, ₽")].value), amount)
        self.assertEqual(total[header.index("Участники")].value, participants)
        # Printed readable: the text columns wrap (down to their longest words) so that the ten
        # columns fit a landscape page's width (297 mm less 25 mm of margins) at 85% or more,
        # never squeezed to one page's width at 45%. The header row on every page, and frozen
        # on the screen.
        self.assertEqual(sheet.page_setup.orientation, "landscape")
        self.assertIn(sheet.page_setup.fitToWidth, (None, 1, "1"))
        self.assertEqual(int(sheet.page_setup.fitToHeight), 0)
        self.assertLessEqual(printed_width_mm(sheet), (297 - 25) / 0.85)
        self.assertTrue(sheet.print_title_rows, "the registry's header row is not repeated on every page")
        self.assertEqual(sheet.freeze_panes, "A3")

        check_pdf(self, pdf)
        w, h = page_size(pdf)
        self.assertGreater(w, h, "the registry PDF is landscape")
        text = spaced(pdftotext(pdf, "-layout"))
        self.assertRegex(text, rf"Итого {count} .*{re.escape(money(amount))} {integer(participants)}")
        return text

    def test_all_projects(self):
        self.check_registry([], "registry")

    def test_one_year(self):
        text = self.check_registry(["year=2022"], "registry-2022", year=2022)
        self.assertIn("1645 Клуб неравнодушных", text)

    def test_grantor_and_year(self):
        # Spaces in parameter values become "_" in output file names.
        self.check_registry(["grantor=Гранты Мэра Москвы", "year=2022"], "registry-Гранты_Мэра_Москвы-2022",
                            grantor="Гранты Мэра Москвы", year=2022)

    def test_a_filter_matching_nothing_says_so(self):
        out = render(self.config, "registry", "year=1990", folder="out-registry-empty")
        self.assertIn("Проектов по заданным условиям нет", spaced(pdftotext(os.path.join(out, "registry-1990.pdf"))))


class Summary(Documents):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.render_both("summary", folder="out-summary")

    def check_sheet(self, first_header, key_sql):
        """Each row of the table against COUNT(*), SUM(amount), SUM(participants) by the key."""
        import openpyxl
        wb = openpyxl.load_workbook(self.xlsx, data_only=True)
        # Every table of the summary follows the text on its one sheet, as in the PDF.
        self.assertEqual(wb.sheetnames[0], "Свод")
        sheet = table_sheet(wb, first_header, "Проектов")
        self.assertEqual(sheet.title, "Свод")
        header = header_of(sheet, first_header, "Проектов")
        projects, funding, average, people = (header.index(t) for t in (
            "Проектов", "Финансирование, ₽", "Средний грант, ₽", "Участников"))
        expected = {}
        for row in self.sql(key_sql):
            key, amount = row[0], dec(row[1])
            count, total, persons = expected.get(key, (0, D("0.00"), 0))
            expected[key] = (count + 1, total + amount, persons + row[2])
        seen = {}
        rows = list(table_rows(sheet, first_header, "Проектов"))
        end = next(i for i, r in enumerate(rows) if r[0].value == "Итого")
        for row in rows[:end]:
            seen[row[0].value] = (row[projects].value, dec(row[funding].value), row[people].value)
            count, total, _ = expected[row[0].value]
            self.assertEqual(dec(row[average].value), (total / count).quantize(CENT, decimal.ROUND_HALF_UP))
        self.assertEqual(seen, expected)
        total = rows[end]
        self.assertEqual(total[projects].value, sum(v[0] for v in expected.values()))
        self.assertEqual(total[projects].value, self.sql("SELECT COUNT(*) FROM projects")[0][0])

    def test_by_grantor_matches_count(self):
        self.check_sheet("Грантодатель",
                         "SELECT g.name, p.amount, p.participants FROM projects p JOIN contests c "
                         "ON c.id = p.contest_id JOIN grantors g ON g.id = c.grantor_id")

    def test_by_year_matches_count(self):
        self.check_sheet("Год", "SELECT c.year, p.amount, p.participants FROM projects p "
                         "JOIN contests c ON c.id = p.contest_id")

    def test_by_region_matches_count(self):
        self.check_sheet("Регион", "SELECT o.region, p.amount, p.participants FROM projects p "
                         "JOIN organizations o ON o.id = p.organization_id")

    def test_pdf_states_the_totals_and_has_charts(self):
        check_pdf(self, self.pdf)
        text = spaced(pdftotext(self.pdf, "-layout"))
        count = self.sql("SELECT COUNT(*) FROM projects")[0][0]
        amount = sum((dec(r[0]) for r in self.sql("SELECT amount FROM projects")), D("0.00"))
        self.assertIn(f"Поддержано {count} проект", text)
        self.assertIn(money(amount) + " ₽", text)
        for title in ("Финансирование по грантодателям", "Финансирование по годам",
                      "10 регионов с наибольшим финансированием"):
            self.assertIn(title, text)
        with zipfile.ZipFile(self.xlsx) as z:
            self.assertEqual(len([n for n in z.namelist() if n.startswith("xl/charts/chart")]), 3)


if __name__ == "__main__":
    gptest.main()
