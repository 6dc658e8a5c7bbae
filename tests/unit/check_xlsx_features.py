#!/usr/bin/env python3
"""Reads back the workbooks of tests/unit/xlsx_features_test.cpp with openpyxl and from the
package's XML, and checks what the XLSX renderer promises for them: rich paragraphs, sheets
started by headings, images scaled to their width, native charts over their data sheets,
signatures, grouped tables (outline levels, SUBTOTAL formulas with exact cached values) and
streamed tables in constant-memory mode. Exit status 0 when everything holds, 1 otherwise
(each failed check is printed), 2 on bad usage.

Usage: check_xlsx_features.py FILE.xlsx [--streamed ROWS | --empty-registry]
"""

import datetime
import decimal
import re
import sys
import zipfile

import openpyxl

failures = []
EMU_PER_PIXEL = 9525
EMU_PER_MM = 36000


def expect(condition, message):
    if not condition:
        failures.append(message)
    return condition


def number(value):
    """Exact decimal of what the file stores (openpyxl parses the shortest repr back)."""
    return decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)


def find_row(ws, text, column=1):
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, column).value == text:
            return row
    failures.append(f"{text!r} not found in column {column} of {ws.title!r}")
    return None


def merged(ws):
    return {str(r) for r in ws.merged_cells.ranges}


def row_parts(ws, row):
    """The runs of columns a row is laid out in, left to right: its merged ranges and the
    single cells outside them that hold a value or a border, as (first, last) columns."""
    ranges = [(r.min_col, r.max_col) for r in ws.merged_cells.ranges if r.min_row == row]
    covered = {c for a, b in ranges for c in range(a, b + 1)}
    singles = [(c, c) for c in range(1, ws.max_column + 1)
               if c not in covered and (ws.cell(row, c).value is not None or ws.cell(row, c).border.bottom.style)]
    return sorted(ranges + singles)


def check_signature(ws, row, name):
    """position | line to sign on | name on one row, "(подпись)" under the line, the date below."""
    parts = row_parts(ws, row)
    if not expect(len(parts) == 3, f"signature row {row} in {len(parts)} parts: {parts}"):
        return None
    (position, _), (line, _), (name_col, _) = parts
    expect(position == 1, "the position does not start in column A")
    expect(ws.cell(row, name_col).value == name, f"signature name {ws.cell(row, name_col).value!r}")
    expect(ws.cell(row, line).value is None and ws.cell(row, line).border.bottom.style == "thin",
           "the signature line is not an empty cell with a bottom border")
    expect(ws.cell(row + 1, line).value == "(подпись)", f"signature note {ws.cell(row + 1, line).value!r}")
    return ws.cell(row + 2, 1).value


# ----- the running sheets ---------------------------------------------------------------------

def check_first_sheet(ws, z, constant_memory):
    expect(ws["A1"].value == "Отчёт о реализации проекта", f"title A1 = {ws['A1'].value!r}")
    expect(ws["A2"].value == "Грант № 22-1-001", f"subtitle A2 = {ws['A2'].value!r}")

    # A paragraph of mixed styles is one rich string: its runs keep bold and italic.
    row = find_row(ws, "Проект выполнен в срок, без отклонений.")
    if row:
        expect(f"A{row}:D{row}" in merged(ws), "rich paragraph not merged across A:D")
        expect(ws.cell(row, 1).alignment.wrap_text, "rich paragraph not wrapped")
    strings = z.read("xl/worksheets/sheet1.xml" if constant_memory else "xl/sharedStrings.xml").decode("utf-8")
    expect(re.search(r"<r><rPr><b/>(?:(?!</r>).)*<t[^>]*>выполнен</t></r>", strings),
           "the bold run 'выполнен' is not a bold rich-text run")
    expect(re.search(r"<r><rPr><i/>(?:(?!</r>).)*<t[^>]*>без отклонений</t></r>", strings),
           "the italic run 'без отклонений' is not an italic rich-text run")
    # One style throughout: a plain string in a bold cell, not rich text.
    row = find_row(ws, "Весь абзац жирный")
    if row:
        expect(ws.cell(row, 1).font.b, "the all-bold paragraph's cell is not bold")
    expect(re.search(r"<t[^>]*>Весь абзац жирный</t>", strings) and "<t>Весь абзац </t>" not in strings,
           "the all-bold paragraph was split into runs")

    row = find_row(ws, "Сумма гранта")
    if row:
        cell = ws.cell(row, 2)
        expect(cell.value == 2691000 and "₽" in cell.number_format, f"field amount {cell.value!r} {cell.number_format!r}")

    expect(find_row(ws, "Нет данных для диаграммы") is not None, "the empty chart's note is missing")
    texts = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    expect("Только для PDF" not in texts, "a PdfOnly block reached the workbook")

    # The signature: position | line | name, "(подпись)" under the line, then the date line.
    row = find_row(ws, "Руководитель проекта")
    if row:
        date = check_signature(ws, row, "И. И. Иванов")
        expect(date == "«___» ____________ 20___ г.", f"blank signature date {date!r}")

    # Two parties side by side, each over its own run of columns (about half the width), row by row.
    top = find_row(ws, "Грантополучатель")
    if top:
        parts = row_parts(ws, top)
        if expect(len(parts) == 2 and parts[0][0] == 1 and parts[1][0] == parts[0][1] + 1,
                  f"the parties' title row in {parts}, not two runs side by side"):
            second = parts[1][0]
            expect(ws.cell(top, second).value == "Грантодатель", f"second party's title {ws.cell(top, second).value!r}")
            expect(ws.cell(top, 1).font.b, "a party's title is not bold")
            expect(ws.cell(top + 1, 1).value == "Генеральный директор" and
                   ws.cell(top + 1, second).value == "Председатель комитета", "party positions")
            names = top + 3  # a blank row before the line to sign on
            expect(ws.cell(names, 1).value == "Е. С. Воронцова" and ws.cell(names, second).value == "А. А. Смирнов",
                   f"party names on the signing line: {ws.cell(names, 1).value!r}, {ws.cell(names, second).value!r}")
            expect(ws.cell(names, 1).border.bottom.style == "thin" and ws.cell(names, second).border.bottom.style == "thin",
                   "the signing lines have no bottom border")
            expect(ws.cell(names + 1, 1).value == "(подпись)", "party note")
            expect(ws.cell(names + 2, 1).value == "«___» ____________ 20___ г." and
                   ws.cell(names + 2, second).value == "15.03.2023", "party dates")
            expect(ws.cell(names + 3, 1).value == "М.П." and ws.cell(names + 3, second).value == "М.П.",
                   "«М.П.» under each party")

    header = ws.oddHeader.center.text or ""
    expect("Отчёт" in header and "приложения" in header, f"page header {header!r}")
    footer = ws.oddFooter.center.text or ""
    expect("Страница &P из &N" in footer, f"footer {footer!r}")
    return row


def check_images(z, ws):
    drawing = z.read("xl/drawings/drawing1.xml").decode("utf-8")
    pics = re.findall(r"<xdr:twoCellAnchor[^>]*>(.*?)</xdr:twoCellAnchor>", drawing, re.S)
    pics = [p for p in pics if "<xdr:pic>" in p]
    if not expect(len(pics) == 2, f"{len(pics)} pictures on the first sheet, expected 2"):
        return
    names = [n for n in z.namelist() if n.startswith("xl/media/")]
    expect(sorted(names) == ["xl/media/image1.png", "xl/media/image2.jpeg"], f"media {names}")

    def anchor(p):
        col, col_off, row = (int(re.search(r"<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>(\d+)</xdr:colOff>"
                                           r"<xdr:row>(\d+)</xdr:row>", p).group(i)) for i in (1, 2, 3))
        cx = int(re.search(r'<a:ext cx="(\d+)"', p).group(1))
        return col, col_off, row, cx

    col, col_off, row, cx = anchor(pics[0])
    # widthMm = 40: 1,440,000 EMU, to the pixel.
    expect(abs(cx - 40 * EMU_PER_MM) <= EMU_PER_PIXEL, f"PNG width {cx} EMU, expected {40 * EMU_PER_MM}")
    expect(col > 0 or col_off > 0, "the centred PNG starts at the left edge")
    fields = find_row(ws, "Сумма гранта")
    expect(fields is None or row + 1 > fields, f"PNG at row {row + 1}, above the fields (row {fields})")
    col, col_off, row2, cx = anchor(pics[1])
    # Natural size: 30 px at 150 dpi = 0.2 in = 182,880 EMU.
    expect(abs(cx - 182880) <= EMU_PER_PIXEL, f"JPEG width {cx} EMU, expected 182880")
    expect(col == 0 and col_off == 0, "the left-aligned JPEG does not start at A")
    expect(row2 > row, "the JPEG is not below the PNG")


def check_charts(wb, z, constant_memory):
    ws = wb["Сведения"]
    kinds = [type(c).__name__ for c in ws._charts]
    # The chart with sheet="Данные: план/факт" stands on that sheet, beside its data; the
    # running sheet names it with a link there.
    expect(kinds == ["BarChart", "LineChart", "PieChart"], f"charts on the first sheet: {kinds}")
    own = wb["Данные - план-факт"]
    expect([type(c).__name__ for c in own._charts] == ["BarChart"], "the grouped chart is not beside its data")
    link = find_row(ws, "Диаграмма «План и факт» — на листе «Данные - план-факт»")
    if link:
        target = ws.cell(link, 1).hyperlink
        expect(target is not None and target.location == "'Данные - план-факт'!A1",
               f"the chart's line links to {target.location if target else None!r}")
    files = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    if not expect(len(files) == 4, f"chart parts {files}"):
        return
    xml = [z.read(f).decode("utf-8") for f in files]

    def refs(x, tag):
        return re.findall(rf"<c:{tag}>.*?<c:f>([^<]*)</c:f>", x, re.S)

    def one(test):
        found = [x for x in xml if test(x)]
        expect(len(found) == 1, f"{len(found)} chart parts match")
        return found[0] if found else ""

    bar = one(lambda x: "<c:barChart>" in x and x.count("<c:ser>") == 1)
    grouped = one(lambda x: "<c:barChart>" in x and x.count("<c:ser>") == 2)
    line = one(lambda x: "<c:lineChart>" in x)
    pie = one(lambda x: "<c:pieChart>" in x)
    expect('<c:barChart><c:barDir val="col"/>' in bar, "chart 1 is not a column chart")
    expect(refs(bar, "cat") == ["'Расходы по статьям'!$A$2:$A$5"], f"chart 1 categories {refs(bar, 'cat')}")
    expect(refs(bar, "val") == ["'Расходы по статьям'!$B$2:$B$5"], f"chart 1 values {refs(bar, 'val')}")
    expect(refs(bar, "tx") == ["'Расходы по статьям'!$B$1"], f"chart 1 series name {refs(bar, 'tx')}")
    expect("Расходы по статьям</a:t>" in bar, "chart 1 has no title")
    expect('<c:legendPos val="b"/>' in bar, "chart 1 legend is not at the bottom")
    expect('formatCode="#,##0\\ &quot;₽&quot;"' in bar, "chart 1 value axis is not in roubles")
    if not constant_memory:  # libxlsxwriter caches the data it has in memory
        cache = re.search(r"<c:val>.*?<c:numCache>(.*?)</c:numCache>", bar, re.S)
        points = re.findall(r'<c:pt idx="(\d)"><c:v>([^<]*)</c:v>', cache.group(1)) if cache else []
        expect(points == [("0", "540006"), ("1", "180001.98"), ("3", "15234.56")], f"chart 1 cached values {points}")

    expect('<c:barDir val="col"/><c:grouping val="clustered"/>' in grouped, "chart 2 is not a clustered column chart")
    expect(refs(grouped, "val") == ["'Данные - план-факт'!$B$2:$B$4", "'Данные - план-факт'!$C$2:$C$4"],
           f"chart 2 values {refs(grouped, 'val')}")
    expect('formatCode="#,##0"' in grouped, "chart 2 value axis format")

    expect("<c:lineChart>" in line, "chart 3 is not a line chart")
    expect(len(refs(line, "val")) == 3, f"chart 3 has {len(refs(line, 'val'))} series, expected 3")
    # Gaps for missing values: Excel's default, which libxlsxwriter leaves unwritten.
    blanks = re.findall(r'<c:dispBlanksAs val="(\w+)"/>', line)
    expect(blanks in ([], ["gap"]), f"chart 3 shows missing values as {blanks}")

    expect("<c:pieChart>" in pie, "chart 4 is not a pie chart")
    expect(refs(pie, "val") == ["'Структура'!$B$2:$B$3"], f"chart 4 values {refs(pie, 'val')}")
    expect('<c:showPercent val="1"/>' in pie, "pie slices are not labelled with percentages")

    # The data sheets.
    data = wb["Расходы по статьям"]
    expect([data.cell(1, c).value for c in (1, 2, 3)] == ["Категория", "Сумма", None],
           f"bar data header {[data.cell(1, c).value for c in (1, 2, 3)]}")
    expect([data.cell(r, 1).value for r in range(2, 6)] == ["Оплата труда", "Аренда", "Оборудование", "Прочее"],
           "bar categories")
    expect(data["B2"].value == 540006 and "₽" in data["B2"].number_format, f"bar B2 {data['B2'].value!r}")
    expect(data["B4"].value is None, f"a missing value is not blank: B4 = {data['B4'].value!r}")
    grouped_data = wb["Данные - план-факт"]
    expect([grouped_data.cell(1, c).value for c in (2, 3)] == ["План", "Факт"], "grouped series names")
    expect(grouped_data["C3"].value == 130, f"grouped C3 = {grouped_data['C3'].value!r}")
    expect(wb["Структура"]["B2"].number_format == "0.0%", f"pie data format {wb['Структура']['B2'].number_format!r}")


def check_budget_sheet(ws):
    expect(ws["A1"].value == "Отчёт по бюджету" and ws["A1"].font.b, f"heading sheet A1 = {ws['A1'].value!r}")
    expect(ws["A1"].font.sz == 14, f"level-1 heading size {ws['A1'].font.sz}")
    expect(find_row(ws, "Ниже — смета с группами.") is not None, "the paragraph after the sheet heading is elsewhere")
    row = find_row(ws, "Главный бухгалтер")
    if row:
        date = check_signature(ws, row, "П. П. Петрова")
        expect(date == "15.03.2023", f"signature date {date!r}")


# ----- tables ---------------------------------------------------------------------------------

def check_grouped(ws, cached):
    expect(ws["A1"].value == "Смета по группам", f"caption {ws['A1'].value!r}")
    expect([ws.cell(2, c).value for c in range(1, 5)] == ["Статья", "Примечание", "Количество", "Сумма, руб."],
           "grouped header")
    expect(ws.freeze_panes == "A3", f"freeze panes {ws.freeze_panes!r}")
    expect(ws.auto_filter.ref == "A2:D14", f"autofilter {ws.auto_filter.ref!r}")
    expect(ws.sheet_format.outlineLevelRow == 1, f"outlineLevelRow {ws.sheet_format.outlineLevelRow!r}")

    detail = {4, 5, 8, 9, 10, 13}
    for r in range(3, 16):
        level = ws.row_dimensions[r].outline_level or 0
        expect(level == (1 if r in detail else 0), f"row {r} outline level {level}")
    for r, title in ((3, "Оплата труда"), (7, "Оборудование"), (12, "Прочее")):
        expect(ws.cell(r, 1).value == title and ws.cell(r, 1).font.b, f"group header A{r} = {ws.cell(r, 1).value!r}")
        expect(f"A{r}:D{r}" in merged(ws), f"group header row {r} not merged")
        expect(ws.cell(r, 1).fill.fgColor.rgb in ("FFF2F2F2", "00F2F2F2"), f"group header fill {ws.cell(r, 1).fill.fgColor.rgb}")

    subtotals = {6: ("A4:A5", "C4:C5", "D4:D5", "720007.98", 2, 24),
                 11: ("A8:A10", "C8:C10", "D8:D10", "540534.73", 3, 7),
                 14: ("A13:A13", "C13:C13", "D13:D13", "7100.07", 1, 12)}
    for r, (a, c, d, amount, count, qty) in subtotals.items():
        expect(ws[f"A{r}"].value == f"=SUBTOTAL(3,{a})", f"A{r} formula {ws[f'A{r}'].value!r}")
        expect(ws[f"C{r}"].value == f"=SUBTOTAL(9,{c})", f"C{r} formula {ws[f'C{r}'].value!r}")
        expect(ws[f"D{r}"].value == f"=SUBTOTAL(9,{d})", f"D{r} formula {ws[f'D{r}'].value!r}")
        expect(ws[f"B{r}"].value.startswith("Итого: "), f"B{r} label {ws[f'B{r}'].value!r}")
        expect(number(cached[f"D{r}"].value) == decimal.Decimal(amount), f"cached D{r} {cached[f'D{r}'].value!r}")
        expect(cached[f"A{r}"].value == count and cached[f"C{r}"].value == qty, f"cached A{r}/C{r}")
        expect(ws[f"D{r}"].font.b and "₽" in ws[f"D{r}"].number_format, f"subtotal D{r} style")

    expect(ws["B15"].value == "Итого", f"totals label {ws['B15'].value!r}")
    expect(ws["D15"].value == "=SUBTOTAL(9,D3:D14)", f"grand total formula {ws['D15'].value!r}")
    expect(ws["C15"].value == "=SUBTOTAL(9,C3:C14)", f"quantity total formula {ws['C15'].value!r}")
    # COUNTA over column A would count the three group titles: they are taken off.
    expect(ws["A15"].value == "=SUBTOTAL(3,A3:A14)-3", f"count total formula {ws['A15'].value!r}")
    lines = [number(ws.cell(r, 4).value) for r in sorted(detail)]
    expect(number(cached["D15"].value) == sum(lines) == decimal.Decimal("1267642.78"),
           f"cached grand total {cached['D15'].value!r}, lines sum to {sum(lines)}")
    expect(cached["C15"].value == 43 and cached["A15"].value == 6, f"cached C15/A15 {cached['C15'].value!r}")


def check_registry(ws, cached, rows, z, index):
    expect(ws["A1"].value == "Реестр проектов", f"registry caption {ws['A1'].value!r}")
    expect(ws.freeze_panes == "A3", f"registry freeze panes {ws.freeze_panes!r}")
    last = rows + 2
    expect(ws.auto_filter.ref == f"A2:F{last}", f"registry autofilter {ws.auto_filter.ref!r}")
    expect(ws.max_row == last + 1, f"registry has {ws.max_row} rows, expected {last + 1}")
    values = []
    for r, row in enumerate(ws.iter_rows(min_row=3, max_row=last, max_col=6, values_only=True), start=3):
        i = r - 2
        if row[0] != i:
            failures.append(f"registry row {r}: A = {row[0]!r}, expected {i} (rows out of order or lost)")
            break
        values.append(number(row[3]))
        if i == 1:
            expect(row[1] == "Проект № 1" and isinstance(row[4], datetime.datetime), f"registry row 3 {row}")
    expect(ws[f"A{last + 1}"].value == "Итого", f"registry totals label {ws[f'A{last + 1}'].value!r}")
    expect(ws[f"D{last + 1}"].value == f"=SUM(D3:D{last})", f"registry total formula {ws[f'D{last + 1}'].value!r}")
    total = cached[f"D{last + 1}"].value
    expect(total is not None and number(total) == sum(values), f"registry cached total {total!r} != {sum(values)}")
    expect("₽" in ws["D3"].number_format and ws["E3"].number_format == "dd.mm.yyyy", "registry formats")
    # Widths from the first 1,000 rows, the description wrapping to fit the page: the longer
    # descriptions further down do not widen F to the most a column is given (60).
    f_width = ws.column_dimensions["F"].width
    expect(20 < f_width < 55, f"description column width {f_width} (measured on the first rows?)")
    # The totals column was widened for the total, known only at the end (digits are as wide
    # as Excel's unit, the no-break spaces and the comma about half).
    total_text = f"{number(total):,.2f}".replace(",", " ").replace(".", ",") + " ₽"
    d_width = ws.column_dimensions["D"].width
    digits = sum(ch.isdigit() for ch in total_text)
    expect(d_width >= digits + 1 + 0.4 * (len(total_text) - digits), f"totals column width {d_width} for {total_text!r}")
    expect((ws.row_dimensions[last].height or 0) > 15, "a long streamed description row has no height")
    sheet = z.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")
    expect('t="inlineStr"' in sheet, "the streamed sheet was not written in constant-memory mode")


def check_empty_registry(path):
    wb = openpyxl.load_workbook(path)
    expect(wb.sheetnames == ["Реестр"], f"sheets {wb.sheetnames}")
    ws = wb["Реестр"]
    expect(ws["A3"].value == "Нет проектов" and "A3:F3" in merged(ws), f"empty text A3 = {ws['A3'].value!r}")
    expect(ws["A4"].value == "Итого" and ws["D4"].value == 0, f"empty totals {ws['A4'].value!r} {ws['D4'].value!r}")
    expect(ws.auto_filter.ref is None, f"autofilter on an empty table {ws.auto_filter.ref!r}")


def main():
    args = sys.argv[1:]
    if not args or len(args) > 3:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    if args[1:] == ["--empty-registry"]:
        check_empty_registry(path)
    else:
        streamed = int(args[2]) if args[1:2] == ["--streamed"] else 0
        wb = openpyxl.load_workbook(path)
        cached = openpyxl.load_workbook(path, data_only=True)
        expected = ["Сведения", "Расходы по статьям", "Данные - план-факт", "Динамика", "Структура",
                    "Бюджет по статьям", "Смета"] + (["Реестр"] if streamed else [])
        expect(wb.sheetnames == expected, f"sheet names {wb.sheetnames} != {expected}")
        with zipfile.ZipFile(path) as z:
            if wb.sheetnames == expected:
                check_first_sheet(wb["Сведения"], z, streamed > 0)
                check_images(z, wb["Сведения"])
                check_charts(wb, z, streamed > 0)
                check_budget_sheet(wb["Бюджет по статьям"])
                check_grouped(wb["Смета"], cached["Смета"])
                if streamed:
                    check_registry(wb["Реестр"], cached["Реестр"], streamed, z, len(expected))
        expect(wb.properties.title == "Отчёт о реализации проекта", f"title property {wb.properties.title!r}")
        expect(wb.properties.created == datetime.datetime(2022, 1, 1), f"created {wb.properties.created!r}")

    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("OK", path)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
