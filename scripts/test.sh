#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test (unit tests and end-to-end tests
# over the CLI, checked with pdftotext, pdffonts, qpdf and openpyxl).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)"
