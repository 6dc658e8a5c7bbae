#!/usr/bin/env python3
"""Reads back the workbook that tests/unit/xlsx_test.cpp renders (XlsxRender.WorkbookReadsBack)
with openpyxl and checks what the XLSX renderer promises: sheet names, typed cells and their
number formats, formulas with exact cached totals, frozen header, autofilter, merged title,
print setup and document properties. Exit status 0 when everything holds, 1 otherwise (each
failed check is printed), 2 on bad usage.

Usage: check_xlsx.py FILE.xlsx
"""

import datetime
import decimal
import sys
import zipfile

import openpyxl

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


def check_fields(ws):
    expect(ws["A1"].value == "Заявка на получение гранта", f"title A1 = {ws['A1'].value!r}")
    expect(ws["A1"].font.b, "title is not bold")
    expect(ws["A1"].font.sz and ws["A1"].font.sz > 11, f"title font size {ws['A1'].font.sz}")
    merged = {str(r) for r in ws.merged_cells.ranges}
    expect("A1:D1" in merged, f"title not merged across A1:D1; merged ranges: {sorted(merged)}")
    expect(ws["A2"].value == "Проект «Цифровая школа»", f"subtitle A2 = {ws['A2'].value!r}")

    row = field_row(ws, "Запрашиваемая сумма")
    if row:
        cell = ws.cell(row, 2)
        expect(isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool),
               f"amount is {type(cell.value).__name__} {cell.value!r}, not a number")
        expect(cell.value == 2691000, f"amount = {cell.value!r}")
        expect("#,##0.00" in cell.number_format and "₽" in cell.number_format,
               f"amount format {cell.number_format!r}")
        expect(f"B{row}:D{row}" in merged, f"amount not merged across B{row}:D{row}")
        expect(ws.cell(row, 1).font.b, "field label is not bold")

    # money("руб.") and money("") in the template: the sign follows the engine's text.
    row = field_row(ws, "Собственные средства")
    if row:
        cell = ws.cell(row, 2)
        expect(cell.value == 150000 and cell.number_format == '#,##0.00\\ "руб."',
               f"money in roubles {cell.value!r} {cell.number_format!r}")
    row = field_row(ws, "Без знака валюты")
    if row:
        cell = ws.cell(row, 2)
        expect(cell.value == 1000 and cell.number_format == "#,##0.00",
               f"money without a sign {cell.value!r} {cell.number_format!r}")

    row = field_row(ws, "Дата начала")
    if row:
        cell = ws.cell(row, 2)
        expect(isinstance(cell.value, datetime.datetime), f"date is {type(cell.value).__name__} {cell.value!r}")
        expect(cell.value == datetime.datetime(2022, 1, 1), f"date = {cell.value!r}")
        expect(cell.number_format == "dd.mm.yyyy", f"date format {cell.number_format!r}")

    row = field_row(ws, "Количество участников")
    if row:
        cell = ws.cell(row, 2)
        expect(type(cell.value) is int and cell.value == 2200, f"integer = {type(cell.value).__name__} {cell.value!r}")
        expect(cell.number_format == "0", f"integer format {cell.number_format!r}")

    row = field_row(ws, "Софинансирование")
    if row:
        expect(ws.cell(row, 2).value == "Да", f"boolean = {ws.cell(row, 2).value!r}")

    row = field_row(ws, "Примечание")
    if row:
        expect(ws.cell(row, 2).value is None, f"NULL field = {ws.cell(row, 2).value!r}")

    row = field_row(ws, "Доля софинансирования")
    if row:
        cell = ws.cell(row, 2)
        expect(cell.value == 0.25, f"percent = {cell.value!r}")
        expect(cell.number_format == "0.0%", f"percent format {cell.number_format!r}")

    row = field_row(ws, "Описание проекта")
    if row:
        cell = ws.cell(row, 2)
        height = ws.row_dimensions[row].height
        expect(cell.alignment.wrap_text, "long field value is not wrapped")
        expect(height is not None and height >= 30, f"long field row height {height}")

    # The long paragraph: merged across A:D, wrapped, with a row tall enough for it.
    for row in range(1, ws.max_row + 1):
        value = ws.cell(row, 1).value
        if isinstance(value, str) and value.startswith("Проект направлен"):
            expect(ws.cell(row, 1).alignment.wrap_text, "paragraph is not wrapped")
            expect(f"A{row}:D{row}" in merged, "paragraph is not merged across A:D")
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
    expect(ws.column_dimensions["A"].width >= 16, f"column A width {ws.column_dimensions['A'].width}")


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
    expect("A2:G2" in {str(r) for r in ws.merged_cells.ranges}, "empty text not merged across A2:G2")
    expect(ws.freeze_panes == "A2", f"freeze panes {ws.freeze_panes!r}")
    expect(ws.auto_filter.ref is None, f"autofilter on an empty table {ws.auto_filter.ref!r}")
    expect(ws.page_setup.orientation == "landscape", "7-column table is not landscape")

    ws = wb["Таблица 4"]
    expect(ws["B3"].value == "=MAX(B2:B2)", f"date total formula {ws['B3'].value!r}")
    expect(ws["B3"].number_format == "dd.mm.yyyy", f"date total format {ws['B3'].number_format!r}")
    expect(cached["Таблица 4"]["B3"].value == datetime.datetime(2022, 1, 31),
           f"cached date total {cached['Таблица 4']['B3'].value!r}")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = sys.argv[1]
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)

    names = wb.sheetnames
    expected = ["Сведения", "Бюджет", "Показатели - план-факт -2022 -", "бюджет (2)", "Таблица 4"]
    expect(names == expected, f"sheet names {names} != {expected}")
    expect(all(len(n) <= 31 for n in names), "a sheet name is longer than 31 characters")

    if "Сведения" in names:
        check_fields(wb["Сведения"])
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
