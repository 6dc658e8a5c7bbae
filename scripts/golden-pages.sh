#!/usr/bin/env bash
# Renders the golden pages of the shipped documents again (tests/data/golden/pages/*.png,
# tests/e2e/test_golden_pages.py) after a deliberate change of the layout. Look at every
# changed picture (git diff --stat, then open them) before committing them.
#
#   scripts/golden-pages.sh [BUILD_DIR]     (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
[ -x "$build/grantpress" ] || { echo "golden-pages.sh: $build/grantpress is not built (scripts/build.sh)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
GP_UPDATE_EXPECTED=1 /usr/bin/python3 tests/e2e/test_golden_pages.py --grantpress "$PWD/$build/grantpress" \
  --samplegen "$PWD/$build/gp-samplegen" --source-dir "$PWD" --work-dir "$work"
git status --short tests/data/golden/pages
