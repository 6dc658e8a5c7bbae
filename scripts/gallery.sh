#!/usr/bin/env bash
# Regenerates the gallery shown in README.md, samples/gallery/*.png, from the sample database:
#   application.png   page 1 of the seed project's application (title page) and
#   application-2.png its page 2 (project passport, goals, tasks);
#   final_report.png  page 1 of the seed project's final report;
#   registry.png      the 2022 registry workbook as LibreOffice prints it (first page).
# Needs a build (scripts/build.sh) and the sample database (scripts/make-sample-db.sh);
# the seed project 1645 and the 2022 contests must be in it;
# uses pdftoppm (poppler-utils) and LibreOffice headless (installed by scripts/setup.sh).
# Usage: scripts/gallery.sh [--out DIR] [--config FILE] [--grantpress PATH]
#   defaults: samples/gallery, reports.ini (its sample source), build/grantpress, in the
#   repository; paths given are taken relative to the current directory.
set -euo pipefail

usage() {
  echo "gallery: $*" >&2
  echo "usage: scripts/gallery.sh [--out DIR] [--config FILE] [--grantpress PATH]" >&2
  exit 64
}
absolute() {  # absolute path of $1 relative to the invocation directory
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}
out=samples/gallery
config=reports.ini
grantpress=build/grantpress
while [ $# -gt 0 ]; do
  case "$1" in
    --out | --config | --grantpress)
      [ $# -ge 2 ] && [ -n "$2" ] || usage "$1 needs a value"
      case "$1" in
        --out) out=$(absolute "$2") ;;
        --config) config=$(absolute "$2") ;;
        --grantpress) grantpress=$(absolute "$2") ;;
      esac
      shift 2 ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
cd "$(dirname "$0")/.."

[ -x "$grantpress" ] || { echo "gallery: $grantpress not found: run scripts/build.sh first" >&2; exit 1; }
[ -f "$config" ] || { echo "gallery: $config not found" >&2; exit 1; }
for tool in pdftoppm soffice; do
  command -v "$tool" >/dev/null || { echo "gallery: $tool not found: run scripts/setup.sh first" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# A render that fails (no sample database, say) stops the script with grantpress's message.
"$grantpress" --config "$config" render application --param id=1645 --format pdf --out "$work" >/dev/null
"$grantpress" --config "$config" render final_report --param id=1645 --format pdf --out "$work" >/dev/null
"$grantpress" --config "$config" render registry --param year=2022 --format xlsx --out "$work" >/dev/null

# One page as a PNG 420 pixels wide: small enough for the repository, big enough to read the layout.
page() {  # page PDF PAGE NAME
  pdftoppm -png -f "$2" -l "$2" -scale-to-x 420 -scale-to-y -1 "$1" "$work/page"
  mv "$work"/page-*.png "$out/$3.png"
}
page "$work/application-1645.pdf" 1 application
page "$work/application-1645.pdf" 2 application-2
page "$work/final_report-1645.pdf" 1 final_report

# The workbook as LibreOffice prints it (Russian locale, so numbers read 6 671 000,00), with a
# private profile so a running LibreOffice or the user's settings do not interfere.
mkdir -p "$work/lo-profile/user"
cat >"$work/lo-profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>ru-RU</value></prop></item>
</oor:items>
XCU
soffice "-env:UserInstallation=file://$work/lo-profile" --headless --norestore \
  --convert-to pdf --outdir "$work/lo" "$work/registry-2022.xlsx" >/dev/null 2>&1
[ -f "$work/lo/registry-2022.pdf" ] || { echo "gallery: LibreOffice did not convert the registry workbook" >&2; exit 1; }
# The sheet is printed fitted to the page width (landscape A4): the top 45 % of page 1 at
# 90 dpi (1052 × 330 pixels) shows the header and the first rows at a readable size.
pdftoppm -png -f 1 -l 1 -r 90 -x 0 -y 0 -W 1052 -H 330 "$work/lo/registry-2022.pdf" "$work/page"
mv "$work"/page-*.png "$out/registry.png"

ls -l "$out"/*.png
