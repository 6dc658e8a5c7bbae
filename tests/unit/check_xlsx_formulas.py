#!/usr/bin/env python3
"""Reads a workbook with openpyxl and checks cells given in a JSON file:
{"SHEET!CELL": {"formula": "=C2*D2", "cached": "540000", "format": "#,##0.00"}, ...}
`formula` is the cell's formula as stored (null: the cell holds no formula), `cached` the value
stored with it (read with data_only; "" for empty text or no value; numbers compared as
decimals), `format` its number format. Each key is optional. Exit status 0 when every cell
matches, 1 otherwise (each mismatch is printed), 2 on bad usage.

Usage: check_xlsx_formulas.py FILE.xlsx EXPECTED.json
"""

import decimal
import json
import sys

import openpyxl


def same_value(shown, wanted):
    if wanted == "":
        return shown is None or shown == ""
    if isinstance(shown, (int, float)):
        return decimal.Decimal(repr(shown)) == decimal.Decimal(wanted)
    return shown == wanted


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, spec_path = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    failures = []
    for target, want in spec.items():
        sheet, ref = target.split("!", 1)
        cell = formulas[sheet][ref]
        if "formula" in want:
            stored = cell.value if cell.data_type == "f" else None
            if stored != want["formula"]:
                failures.append(f"{target}: formula {stored!r}, expected {want['formula']!r}")
        if "cached" in want:
            cached = values[sheet][ref].value
            if not same_value(cached, want["cached"]):
                failures.append(f"{target}: cached value {cached!r}, expected {want['cached']!r}")
        if "format" in want and cell.number_format != want["format"]:
            failures.append(f"{target}: number format {cell.number_format!r}, expected {want['format']!r}")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("OK", path, f"({len(spec)} cells)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
