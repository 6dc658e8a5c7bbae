#!/usr/bin/env python3
"""Reads back the workbook that tests/unit/xlsx_test.cpp renders (XlsxRender.WorkbookReadsBack)
with openpyxl and checks what the XLSX renderer promises: sheet names, typed cells and their
number formats, formulas with exact cached totals, frozen header, autofilter, merged title,
print setup and document properties; the running sheet's flow (a table without a sheet of its
own follows the text, the others are named by linked lines). Exit status 0 when everything holds, 1 otherwise (each
failed check is printed), 2 on bad usage.

Usage: check_xlsx.py FILE.xlsx
"""

import datetime
import decimal
import sys
import zipfile

import openpyxl
import openpyxl.utils

failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)
    return condition


def number(value):
    """Exact decimal of what the file stores (openpyxl parses the shortest repr back)."""
    return decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)


def all_texts(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    yield ws.title, cell.value


def field_row(ws, label):
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, 1).value == label:
            return row
    failures.append(f"field {label!r} not found in column A of {ws.title!r}")
    return None


def merged_end(ws, row, col):
    """The last column of the merged range that starts at (row, col); col when none does."""
    for r in ws.merged_cells.ranges:
        if r.min_row == row and r.min_col == col:
            return r.max_col
    return col


def check_fields(ws):
    expect(ws["A1"].value == "Заявка на получение гранта", f"title A1 = {ws['A1'].value!r}")
    expect(ws["A1"].font.b, "title is not bold")
    expect(ws["A1"].font.sz and ws["A1"].font.sz > 11, f"title font size {ws['A1'].font.sz}")
    merged = {str(r) for r in ws.merged_cells.ranges}
    # The text spans every column of the sheet: at least the four of a sheet without tables.
    last = merged_end(ws, 1, 1)
    letter = openpyxl.utils.get_column_letter(last)
    expect(last >= 4, f"title not merged across the sheet's columns; merged ranges: {sorted(merged)}")
    expect(ws["A2"].value == "Проект «Цифровая школа»", f"subtitle A2 = {ws['A2'].value!r}")

    # A field's label spans the first columns, its value the rest.
    row = field_row(ws, "Запрашиваемая сумма")
    value_col = merged_end(ws, row, 1) + 1 if row else 2
    label_width = sum(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(1, value_col))
    expect(label_width >= 16, f"field labels get {label_width} units")
    if row:
        cell = ws.cell(row, value_col)
        expect(isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool),
               f"amount is {type(cell.value).__name__} {cell.value!r}, not a number")
        expect(cell.value == 2691000, f"amount = {cell.value!r}")
        expect("#,##0.00" in cell.number_format and "₽" in cell.number_format,
               f"amount format {cell.number_format!r}")
        start = openpyxl.utils.get_column_letter(value_col)
        expect(f"{start}{row}:{letter}{row}" in merged, f"amount not merged across {start}{row}:{letter}{row}")
        expect(ws.cell(row, 1).font.b, "field label is not bold")

    # money("руб.") and money("") in the template: the sign follows the engine's text.
    row = field_row(ws, "Собственные средства")
    if row:
        cell = ws.cell(row, value_col)
        expect(cell.value == 150000 and cell.number_format == '#,##0.00\\ "руб."',
               f"money in roubles {cell.value!r} {cell.number_format!r}")
    row = field_row(ws, "Без знака валюты")
    if row:
        cell = ws.cell(row, value_col)
        expect(cell.value == 1000 and cell.number_format == "#,##0.00",
               f"money without a sign {cell.value!r} {cell.number_format!r}")

    row = field_row(ws, "Дата начала")
    if row:
        cell = ws.cell(row, value_col)
        expect(isinstance(cell.value, datetime.datetime), f"date is {type(cell.value).__name__} {cell.value!r}")
        expect(cell.value == datetime.datetime(2022, 1, 1), f"date = {cell.value!r}")
        expect(cell.number_format == "dd.mm.yyyy", f"date format {cell.number_format!r}")

    row = field_row(ws, "Количество участников")
    if row:
        cell = ws.cell(row, value_col)
        expect(type(cell.value) is int and cell.value == 2200, f"integer = {type(cell.value).__name__} {cell.value!r}")
        expect(cell.number_format == "0", f"integer format {cell.number_format!r}")

    row = field_row(ws, "Софинансирование")
    if row:
        expect(ws.cell(row, value_col).value == "Да", f"boolean = {ws.cell(row, value_col).value!r}")

    row = field_row(ws, "Примечание")
    if row:
        expect(ws.cell(row, value_col).value is None, f"NULL field = {ws.cell(row, value_col).value!r}")

    row = field_row(ws, "Доля софинансирования")
    if row:
        cell = ws.cell(row, value_col)
        expect(cell.value == 0.25, f"percent = {cell.value!r}")
        expect(cell.number_format == "0.0%", f"percent format {cell.number_format!r}")

    row = field_row(ws, "Описание проекта")
    if row:
        cell = ws.cell(row, value_col)
        height = ws.row_dimensions[row].height
        expect(cell.alignment.wrap_text, "long field value is not wrapped")
        expect(height is not None and height >= 30, f"long field row height {height}")

    # The long paragraph: merged across the sheet, wrapped, with a row tall enough for it.
    for row in range(1, ws.max_row + 1):
        value = ws.cell(row, 1).value
        if isinstance(value, str) and value.startswith("Проект направлен"):
            expect(ws.cell(row, 1).alignment.wrap_text, "paragraph is not wrapped")
            expect(f"A{row}:{letter}{row}" in merged, f"paragraph is not merged across A:{letter}")
            height = ws.row_dimensions[row].height
            expect(height is not None and height >= 45, f"paragraph row height {height}")
            break
    else:
        failures.append("paragraph not found")

    expect(ws.page_setup.paperSize in (9, "9"), f"paper size {ws.page_setup.paperSize!r}")
    expect(ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage,
           "not fitted to the page width")
    expect(ws.page_setup.fitToHeight in (0, "0"), f"fit to height {ws.page_setup.fitToHeight!r}")
    footer = ws.oddFooter.center.text or ""
    expect("Страница &P из &N" in footer, f"footer {footer!r}")


def check_flow(ws, cached):
    """After the fields: a linked line for each table on a sheet of its own, in the template's
    order, then the table without a sheet, on this sheet with its own header and totals."""
    lines = [(c.row, c.value, c.hyperlink) for row in ws.iter_rows(min_col=1, max_col=1) for c in row
             if isinstance(c.value, str) and " — на листе «" in c.value]
    texts = [v for _, v, _ in lines]
    expected = ["Таблица «Смета расходов проекта» — на листе «Бюджет»",
                "Таблица «Показатели: план/факт [2022] — результаты проекта *итог*» — на листе «Показатели - план-факт -2022 -»",
                "Таблица — на листе «бюджет (2)»"]
    expect(texts == expected, f"lines pointing to the tables' sheets {texts}")
    for _, value, link in lines:
        expect(link is not None and link.location and link.location.endswith("!A1"), f"{value!r} is not linked: {link}")

    header = None
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, 1).value == "Месяц":
            header = row
    if not expect(header is not None, "the table without a sheet is not on the running sheet"):
        return
    expect(lines and header > lines[-1][0], "the table comes before the lines above it in the template")
    expect(ws.cell(header, 2).value == "Дата" and ws.cell(header, 1).font.b, "its header row")
    expect(ws.cell(header + 1, 1).value == "Январь", f"its data row {ws.cell(header + 1, 1).value!r}")
    expect(ws.cell(header + 2, 2).value == f"=MAX(B{header + 1}:B{header + 1})",
           f"date total formula {ws.cell(header + 2, 2).value!r}")
    expect(ws.cell(header + 2, 2).number_format == "dd.mm.yyyy", f"date total format {ws.cell(header + 2, 2).number_format!r}")
    expect(cached.cell(header + 2, 2).value == datetime.datetime(2022, 1, 31),
           f"cached date total {cached.cell(header + 2, 2).value!r}")
    # The only table of the sheet: its filter. Far down the sheet, its header is neither frozen
    # nor printed on every page (it would top the pages of the text after it).
    expect(ws.auto_filter.ref == f"A{header}:B{header + 1}", f"autofilter {ws.auto_filter.ref!r}")
    expect(not ws.print_title_rows, f"print title rows {ws.print_title_rows!r}")
    expect(ws.freeze_panes is None, f"a header {header} rows down is frozen: {ws.freeze_panes!r}")


def check_budget(ws, ws_cached):
    expect(ws["A1"].value == "Смета расходов проекта" and ws["A1"].font.b, f"caption A1 = {ws['A1'].value!r}")
    headers = [ws.cell(2, c).value for c in range(1, 6)]
    expect(headers == ["№", "Статья расходов", "Количество", "Цена, руб.", "Сумма, руб."], f"header {headers}")
    expect(all(ws.cell(2, c).font.b for c in range(1, 6)), "header is not bold")
    expect(all(ws.cell(2, c).border.bottom.style == "thin" for c in range(1, 6)), "header has no border")
    expect(ws.freeze_panes == "A3", f"freeze panes {ws.freeze_panes!r}")
    expect(ws.auto_filter.ref == "A2:E7", f"autofilter {ws.auto_filter.ref!r}")
    expect(str(ws.print_title_rows).replace("$", "") == "2:2", f"print title rows {ws.print_title_rows!r}")

    lines = []
    for row in range(3, 8):
        price, amount = ws.cell(row, 4), ws.cell(row, 5)
        expect(isinstance(amount.value, float) or isinstance(amount.value, int), f"E{row} = {amount.value!r}")
        expect("₽" in amount.number_format and "#,##0.00" in price.number_format, f"E{row} format {amount.number_format!r}")
        expect(type(ws.cell(row, 1).value) is int, f"A{row} = {ws.cell(row, 1).value!r}")
        lines.append(number(amount.value))
    expect(ws["B6"].value == "Расходные материалы", f"B6 = {ws['B6'].value!r}")

    expect(ws["A8"].value == "Итого" and ws["A8"].font.b, f"totals label A8 = {ws['A8'].value!r}")
    expect(ws["E8"].value == "=SUM(E3:E7)", f"E8 formula {ws['E8'].value!r}")
    expect(ws["C8"].value == "=SUM(C3:C7)", f"C8 formula {ws['C8'].value!r}")
    expect(ws["E8"].font.b and "₽" in ws["E8"].number_format, "totals cell not bold money")

    cached = ws_cached["E8"].value
    expect(cached is not None and number(cached) == sum(lines),
           f"cached total {cached!r} != exact sum of lines {sum(lines)}")
    expect(number(cached) == decimal.Decimal("1260542.71"), f"cached total {cached!r}")
    expect(ws_cached["C8"].value == 26, f"cached quantity total {ws_cached['C8'].value!r}")
    expect(ws.column_dimensions["B"].width >= len("Расходные материалы"), f"column B width {ws.column_dimensions['B'].width}")
    expect(ws.page_setup.orientation != "landscape", "5-column table should stay portrait")


def check_other_tables(wb, cached):
    ws = wb["Показатели - план-факт -2022 -"]
    expect(ws.max_row >= 2, "indicators table is empty")

    ws = wb["бюджет (2)"]
    expect(ws["A1"].value == "Показатель 1", f"empty table header A1 = {ws['A1'].value!r}")
    expect(ws["A2"].value == "Нет данных", f"empty text A2 = {ws['A2'].value!r}")
    expect("A2:I2" in {str(r) for r in ws.merged_cells.ranges}, "empty text not merged across A2:I2")
    expect(ws.freeze_panes == "A2", f"freeze panes {ws.freeze_panes!r}")
    expect(ws.auto_filter.ref is None, f"autofilter on an empty table {ws.auto_filter.ref!r}")
    expect(ws.page_setup.orientation == "landscape", "9-column table is not landscape")



def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = sys.argv[1]
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)

    names = wb.sheetnames
    expected = ["Сведения", "Бюджет", "Показатели - план-факт -2022 -", "бюджет (2)"]
    expect(names == expected, f"sheet names {names} != {expected}")
    expect(all(len(n) <= 31 for n in names), "a sheet name is longer than 31 characters")

    if "Сведения" in names:
        check_fields(wb["Сведения"])
        check_flow(wb["Сведения"], cached["Сведения"])
    if "Бюджет" in names:
        check_budget(wb["Бюджет"], cached["Бюджет"])
    if names == expected:
        check_other_tables(wb, cached)

    texts = list(all_texts(wb))
    expect(not any("Только для PDF" in t for _, t in texts), "a PdfOnly block reached the workbook")
    expect(any(t == "Этот абзац только для XLSX." for _, t in texts), "the XlsxOnly paragraph is missing")

    props = wb.properties
    expect(props.title == "Заявка на грант «Цифровая школа»", f"title property {props.title!r}")
    expect(props.creator == "Иванов Иван Иванович", f"creator property {props.creator!r}")
    expect(props.subject == "Заявка", f"subject property {props.subject!r}")
    expect(props.keywords == "грант, заявка", f"keywords property {props.keywords!r}")
    expect(props.created == datetime.datetime(2022, 1, 1), f"created property {props.created!r}")
    with zipfile.ZipFile(path) as z:
        app = z.read("docProps/app.xml").decode("utf-8")
        expect("<Company>GrantPress</Company>" in app, "company is not GrantPress")

    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("OK", path)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
