#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test (unit tests and end-to-end tests
# over the CLI, checked with pdftotext, pdffonts, qpdf and openpyxl). The ODBC tests need a
# PostgreSQL server: scripts/pg-run.sh starts a throwaway one loaded with the sample data,
# runs ctest next to it, and stops it and deletes its folder whatever the outcome.
#
# Then the same tests once more under AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer: build-asan/ is the library, CLI, sample generator and unit tests
# built with GP_SANITIZE=address,undefined at -O1 -g without NDEBUG (asserts checked; -O1 keeps
# the sanitized tests quick, no benchmarks are built). Any report stops the program with a
# non-zero exit code, which fails the test that ran it; the end-to-end tests also fail
# on a report written by a program they started (tests/e2e/gptest.py).
#
# Last, the libFuzzer fuzzers (fuzz/, scripts/fuzz.sh): build-fuzz/ is the engine library and
# one fuzzer per target built with clang and -fsanitize=fuzzer,address,undefined; each runs
# 30 seconds on its seed corpus. Every phase always runs; the script fails when any does.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
scripts/setup.sh

phase() { printf '\ntest.sh: %s\n' "$*"; }
seconds() { date +%s; }
t0=$(seconds)

phase "building build/"
scripts/build.sh
t1=$(seconds)

phase "tests (build/)"
rc_tests=0
scripts/pg-run.sh -- bash -c 'cd build && exec ctest --output-on-failure -j"$(nproc)"' || rc_tests=$?
t2=$(seconds)

phase "building build-asan/ (GP_SANITIZE=address,undefined, -O1 -g)"
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DGP_SANITIZE=address,undefined -DGP_BUILD_BENCH=OFF -DGP_WERROR="$werror" >/dev/null
cmake --build build-asan -j"$(nproc)"
t3=$(seconds)

phase "tests under AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer (build-asan/)"
# halt_on_error: the first report ends the program (exit code 1 unless the sanitizer's own
# exitcode says otherwise: LeakSanitizer's is 23); detect_leaks: LeakSanitizer at exit;
# fast_unwind_on_malloc=0: whole allocation stacks through libraries built without frame
# pointers, so a suppression names the third-party function, never just its library (the
# slowest option here: it makes these tests about 5 times slower, minutes not seconds);
# detect_stack_use_after_return and check_initialization_order/strict_init_order: finds that
# the defaults leave out. Third-party leaks that are not ours to fix are suppressed, each with
# its reason, in tests/sanitizers/lsan.supp.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
rc_asan=0
scripts/pg-run.sh --generator build-asan/gp-samplegen -- \
  bash -c 'cd build-asan && exec ctest --output-on-failure -j"$(nproc)"' || rc_asan=$?
t4=$(seconds)

phase "building the fuzzers in build-fuzz/ (clang, libFuzzer, ASan, UBSan)"
# Only the engine library and the fuzzers (fuzz/); scripts/fuzz.sh configures build-fuzz/ with
# CC=clang CXX=clang++ -DGP_BUILD_FUZZERS=ON -DGP_BUILD_TESTS=OFF -DGP_BUILD_BENCH=OFF.
rc_fuzz=0
scripts/fuzz.sh --build-only || rc_fuzz=$?
t5=$(seconds)

phase "fuzzers, 30 s each on their seed corpora (scripts/fuzz.sh 30)"
# A crash, a sanitizer report, a leak or a timeout fails the phase; fuzz.sh prints the input
# (build-fuzz/artifacts/) and the command that reproduces it. The corpora grow in build-fuzz/
# only; the repository is not written. The seed is fixed (GP_FUZZ_SEED): on a fresh clone the
# runs start from the same corpora, so a finding here is found again by the same command.
# Longer campaigns with random seeds: scripts/fuzz.sh SECONDS.
[ "$rc_fuzz" -ne 0 ] || GP_FUZZ_SEED=1 scripts/fuzz.sh --no-build 30 || rc_fuzz=$?
t6=$(seconds)

printf '\ntest.sh: build %ds, tests %ds, sanitizer build %ds, sanitizer tests %ds, fuzz build %ds, fuzzing %ds, total %ds\n' \
  $((t1 - t0)) $((t2 - t1)) $((t3 - t2)) $((t4 - t3)) $((t5 - t4)) $((t6 - t5)) $((t6 - t0))
[ "$rc_tests" -eq 0 ] || echo "test.sh: the tests in build/ failed (exit $rc_tests)" >&2
[ "$rc_asan" -eq 0 ] || echo "test.sh: the tests under the sanitizers in build-asan/ failed (exit $rc_asan)" >&2
[ "$rc_fuzz" -eq 0 ] || echo "test.sh: the fuzzers in build-fuzz/ failed to build or found a problem (exit $rc_fuzz)" >&2
[ "$rc_tests" -eq 0 ] && [ "$rc_asan" -eq 0 ] && [ "$rc_fuzz" -eq 0 ]
