#!/usr/bin/env bash
# Configures and builds GrantPress into build/ (Release with debug info). Warnings are errors
# when CI=true. Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGP_WERROR="$werror" "$@" >/dev/null
cmake --build build -j"$(nproc)"
