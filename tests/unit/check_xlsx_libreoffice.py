#!/usr/bin/env python3
"""Opens a workbook in LibreOffice (headless), exports every sheet as CSV and checks that the
given cells show the given values: once as stored (LibreOffice's default for .xlsx files: the
cached results of formulas, no recalculation) and once recalculated, so both the engine's
cached totals and the formulas behind them are confirmed by a program nobody here wrote.
Each run uses a private LibreOffice profile under WORKDIR. Exit status 0 when every cell
matches in both runs, 1 otherwise (each mismatch is printed), 2 on bad usage.

Usage: check_xlsx_libreoffice.py FILE.xlsx WORKDIR SHEET!CELL=VALUE...
"""

import csv
import decimal
import os
import re
import subprocess
import sys

# 44 ',' separator, 34 '"' quote, 76 UTF-8, from line 1; raw values (not as shown); -1: every
# sheet to its own file (LibreOffice 7.2 and later).
FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
RECALC = {"stored": 1, "recalculated": 0}  # Calc/Formula/Load/OOXMLRecalcMode: 1 never, 0 always


def profile(workdir, name, mode):
    root = os.path.join(workdir, f"lo-profile-{name}")
    os.makedirs(os.path.join(root, "user"), exist_ok=True)
    with open(os.path.join(root, "user", "registrymodifications.xcu"), "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
                '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
                f'<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>\n'
                '</oor:items>\n')
    return "file://" + os.path.abspath(root)


def cell_index(ref):
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - ord("A") + 1
    return int(m.group(2)) - 1, col - 1


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    path, workdir, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
    stem = os.path.splitext(os.path.basename(path))[0]
    failures = []
    for name, mode in RECALC.items():
        out = os.path.join(workdir, f"lo-{name}")
        os.makedirs(out, exist_ok=True)
        command = ["soffice", f"-env:UserInstallation={profile(workdir, name, mode)}", "--headless", "--norestore",
                   "--convert-to", FILTER, "--outdir", out, path]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            failures.append(f"{name}: soffice did not finish in 300 s")
            continue
        sheets = {}
        for spec in wanted:
            target, value = spec.split("=", 1)
            sheet, ref = target.split("!", 1)
            if sheet not in sheets:
                csv_path = os.path.join(out, f"{stem}-{sheet}.csv")
                if not os.path.exists(csv_path):
                    failures.append(f"{name}: no CSV for sheet {sheet!r} (soffice said: {run.stdout} {run.stderr})")
                    sheets[sheet] = None
                    continue
                with open(csv_path, encoding="utf-8", newline="") as f:
                    sheets[sheet] = list(csv.reader(f))
            rows = sheets[sheet]
            if rows is None:
                continue
            r, c = cell_index(ref)
            shown = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
            try:
                same = shown is not None and decimal.Decimal(shown) == decimal.Decimal(value)
            except decimal.InvalidOperation:
                same = shown == value
            if not same:
                failures.append(f"{name}: {target} shows {shown!r}, the engine computed {value}")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("OK", path, "(stored and recalculated)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
