#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs what is needed, builds, creates the
# sample database and renders every shipped document as PDF and XLSX into out/:
#   out/application/   application-1645.{pdf,xlsx}   заявка (the seed project)
#   out/final_report/  final_report-1645.{pdf,xlsx}  итоговый отчёт
#   out/budget/        budget-1645.{pdf,xlsx}        смета (live formulas in XLSX)
#   out/registry/      registry.{pdf,xlsx}           реестр of all projects
#   out/summary/       summary.{pdf,xlsx}            сводный отчёт
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
scripts/make-sample-db.sh --generator build/gp-samplegen
render() {  # render TEMPLATE [--param k=v]...
  local template=$1
  shift
  build/grantpress --config reports.ini render "$template" "$@" --format pdf,xlsx --out "out/$template"
}
render application --param id=1645
render final_report --param id=1645
render budget --param id=1645
render registry
render summary
