#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test (unit tests and end-to-end tests
# over the CLI, checked with pdftotext, pdffonts, qpdf and openpyxl). The ODBC tests need a
# PostgreSQL server: scripts/pg-run.sh starts a throwaway one loaded with the sample data,
# runs ctest next to it, and stops it and deletes its folder whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
scripts/pg-run.sh -- bash -c 'cd build && exec ctest --output-on-failure -j"$(nproc)"'
