#!/usr/bin/env python3
"""Reads back the workbooks of XlsxFlow.* (tests/unit/xlsx_features_test.cpp): tables without a
sheet of their own follow the text on the running sheet in the template's order, each with its
own header and totals; the sheet's columns are the tables' columns (the widest of each), fitted
to the printed page so that it prints at 100% portrait like the PDF; with two tables on it, no
filter, frozen rows or printed header belong to either. With --apart, the second table has
sheet="Расходы": it stands on that sheet (with its filter and frozen header) and the running
sheet has a line linking to it where the table would be. Exit 0 when all holds, 1 otherwise.

Usage: check_xlsx_flow.py FILE.xlsx [--apart]
"""

import sys

import openpyxl
import openpyxl.utils

failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)
    return condition


def rows_of(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def find(rows, first, second=None):
    for i, row in enumerate(rows):
        if row[0] == first and (second is None or (len(row) > 1 and row[1] == second)):
            return i + 1
    failures.append(f"no row starting {first!r}, {second!r}")
    return None


def width(ws, col):
    d = ws.column_dimensions[openpyxl.utils.get_column_letter(col)]
    return d.width if d.width else 8.43 + 5 / 7


def printed_mm(ws, columns):
    return sum(width(ws, c) * 7 for c in range(1, columns + 1)) * 25.4 / 96


def main():
    args = sys.argv[1:]
    if not args or args[1:] not in ([], ["--apart"]):
        print(__doc__, file=sys.stderr)
        return 2
    apart = args[1:] == ["--apart"]
    wb = openpyxl.load_workbook(args[0])
    cached = openpyxl.load_workbook(args[0], data_only=True)
    expect(wb.sheetnames == (["Отчёт", "Расходы"] if apart else ["Отчёт"]), f"sheets {wb.sheetnames}")
    ws = wb["Отчёт"]
    rows = rows_of(ws)

    title = find(rows, "Отчёт о мероприятиях")
    heading1 = find(rows, "1. Мероприятия")
    header1 = find(rows, "№", "Мероприятие")
    heading2 = find(rows, "2. Расходы")
    parties = find(rows, "Грантополучатель")
    if None in (title, heading1, header1, heading2, parties):
        return report()
    expect(title < heading1 < header1 < heading2 < parties, "the blocks are not in the template's order")
    # The first table: its rows, its totals with a live formula, then a blank row.
    expect([rows[header1 + i][0] for i in range(3)] == [1, 2, 3], "the events' rows")
    total = header1 + 4
    expect(rows[total - 1][0] == "Итого" and rows[total - 1][2] == f"=SUM(C{header1 + 1}:C{header1 + 3})",
           f"the events' totals row {rows[total - 1]}")
    expect(cached["Отчёт"].cell(total, 3).value == 600, "the cached total")
    expect(all(v is None for v in rows[total]), "no blank row after the first table")
    # The long text wraps in its column, in a row tall enough for its lines.
    expect(ws.cell(header1 + 1, 2).alignment.wrap_text, "the long text does not wrap")
    expect((ws.row_dimensions[header1 + 1].height or 15) >= 45, f"row height {ws.row_dimensions[header1 + 1].height}")

    if apart:
        link = [(r, row[0]) for r, row in enumerate(rows, start=1) if row[0] == "Таблица — на листе «Расходы»"]
        expect(len(link) == 1 and heading2 < link[0][0] < parties, f"the line pointing to the sheet: {link}")
        if link:
            target = ws.cell(link[0][0], 1).hyperlink
            expect(target is not None and target.location == "'Расходы'!A1", f"its link {target}")
        expect(all(len(r) < 2 or r[1] != "Статья" for r in rows),
               "the table with a sheet of its own is also on the running sheet")
        # The running sheet holds one table: its filter and printed header; far down, not frozen.
        expect(ws.auto_filter.ref == f"A{header1}:C{header1 + 3}", f"autofilter {ws.auto_filter.ref!r}")
        expect(ws.freeze_panes is None, f"freeze panes {ws.freeze_panes!r}")
        own = wb["Расходы"]
        expect(own["A1"].value == "№" and own["B1"].value == "Статья", "the table's own sheet")
        expect(own.freeze_panes == "A2" and own.auto_filter.ref == "A1:F3",
               f"its own sheet's frozen header {own.freeze_panes!r} and filter {own.auto_filter.ref!r}")
        columns = 3
    else:
        header2 = find(rows, "№", "Статья")
        if header2 is None:
            return report()
        expect(header2 > heading2, "the second table is not after its heading")
        expect(rows[header2 + 2][0] == "Итого" and rows[header2 + 2][5] == f"=SUM(F{header2 + 1}:F{header2 + 2})",
               f"the costs' totals row {rows[header2 + 2]}")
        # Two tables on one sheet: a sheet has one filter and one printed header; neither is theirs.
        expect(ws.auto_filter.ref is None, f"autofilter {ws.auto_filter.ref!r}")
        expect(ws.freeze_panes is None, f"freeze panes {ws.freeze_panes!r}")
        expect(not ws.print_title_rows, f"print title rows {ws.print_title_rows!r}")
        columns = 6
        # The running text spans every column of the tables.
        merged = {str(r) for r in ws.merged_cells.ranges}
        last = openpyxl.utils.get_column_letter(max(columns, 4))
        expect(f"A{heading1}:{last}{heading1}" in merged, f"the heading is not merged across A:{last}")

    # The sheet's columns: «№» narrow, the text column wide, all fitted to an A4 portrait page
    # (210 mm less 40 mm of margins) at 100%.
    expect(width(ws, 1) < 8, f"the «№» column is {width(ws, 1)} wide")
    expect(width(ws, 2) > 20, f"the text column is {width(ws, 2)} wide")
    used = max(columns, 4)
    expect(printed_mm(ws, used) <= 170.5, f"the columns take {printed_mm(ws, used):.1f} mm of a 170 mm page")
    expect(ws.page_setup.orientation != "landscape", "the sheet does not print portrait")
    expect(ws.page_setup.fitToWidth in (None, 1, "1"), f"fit to width {ws.page_setup.fitToWidth!r}")

    # Two signatories side by side over the same columns.
    parts = sorted((r.min_col, r.max_col) for r in ws.merged_cells.ranges if r.min_row == parties)
    expect(len(parts) == 2 and parts[0][0] == 1 and parts[1][0] == parts[0][1] + 1,
           f"the parties' title row in {parts}")
    return report()


def report():
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("OK", sys.argv[1])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
