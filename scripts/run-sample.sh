#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs what is needed, builds, creates the
# sample database and renders the seed project's (ID 1645) application as PDF and XLSX
# into out/application/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
scripts/make-sample-db.sh --generator build/gp-samplegen
build/grantpress --config reports.ini render application --param id=1645 --format pdf,xlsx --out out/application
