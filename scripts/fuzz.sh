#!/usr/bin/env bash
# Builds the libFuzzer fuzzers (fuzz/) in build-fuzz/ with clang, and runs each for SECONDS
# (default 60), one after another, on its seed corpus:
#
#   scripts/fuzz.sh [--build-only | --no-build] [SECONDS] [TARGET...]
#
# Targets: template expr render config cron sqlnames image (default: all). Each run starts
# from build-fuzz/corpus/<target>/ (what earlier runs found, kept between runs; the repository
# is never written), fuzz/corpus/<target>/, tests/data/fuzz/<target>/ (the regression inputs)
# and seeds taken from the shipped templates and the tests (build-fuzz/seeds/<target>/).
# Crashes, leaks and timeouts are written to build-fuzz/artifacts/<target>/; the script then
# fails, printing each artifact and how to reproduce it. Logs: build-fuzz/logs/<target>.log.
#
# Environment: GP_FUZZ_JOBS (build parallelism, default nproc), CC/CXX (default clang/clang++),
# GP_FUZZ_SEED (libFuzzer's -seed: a fixed seed makes a run from the same corpus take the same
# path, so what the test command's short runs find can be reproduced; default: a random seed).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
build="$root/build-fuzz"
all_targets=(template expr render config cron sqlnames image)

mode=all
case "${1:-}" in
  --build-only) mode=build; shift ;;
  --no-build) mode=run; shift ;;
esac
seconds=60
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
  seconds="$1"
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (${all_targets[*]})" >&2; exit 64; }
done

if [ "$mode" != run ]; then
  cc="${CC:-clang}" cxx="${CXX:-clang++}"
  command -v "$cxx" >/dev/null || { echo "fuzz.sh: $cxx not found (scripts/setup.sh installs clang)" >&2; exit 69; }
  # -O1 -g: quick to build, and libFuzzer's usual level; asserts stay on.
  CC="$cc" CXX="$cxx" cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DGP_BUILD_FUZZERS=ON -DGP_BUILD_TESTS=OFF -DGP_BUILD_BENCH=OFF >/dev/null
  # Only the engine library and the fuzzers: not the CLI, the generator or the tests.
  cmake --build "$build" -j"${GP_FUZZ_JOBS:-$(nproc)}" --target fuzzers
fi
[ "$mode" != build ] || exit 0

# Seeds from the repository, copied into build-fuzz/seeds/ (read-only for libFuzzer).
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"/{template,render,expr,config,cron,sqlnames,image}
for f in templates/*.xml tests/data/templates/*/*.xml; do
  name="$(echo "${f%.xml}" | tr '/' '_').xml"
  cp "$f" "$seeds/template/$name"
  cp "$f" "$seeds/render/$name"
done
cp reports.ini "$seeds/config/reports.ini"
for f in tests/data/pdf/*.png tests/data/pdf/*.jpg tests/data/templates/*/*.png; do
  cp "$f" "$seeds/image/$(echo "$f" | tr '/' '_')"
done
# Placeholders, <if> tests, queries and schedules as they are written in templates and reports.ini.
python3 - "$seeds" templates/*.xml tests/data/templates/*/*.xml reports.ini <<'EOF'
import html, re, sys
out = sys.argv[1]
exprs, queries, crons = set(), set(), set()
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8", errors="replace").read()
    if path.endswith(".ini"):
        crons.update(m.strip() for m in re.findall(r"^schedule\s*=\s*(.+)$", text, re.M))
        queries.update(m.strip() for m in re.findall(r"^query\s*=\s*(.+)$", text, re.M))
        continue
    exprs.update(re.findall(r"\{[^{}\n]{1,200}\}", text))
    exprs.update(html.unescape(m) for m in re.findall(r'test="([^"]+)"', text))
    queries.update(html.unescape(m).strip() for m in re.findall(r"<query[^>]*>(.*?)</query>", text, re.S))
for kind, items in (("expr", exprs), ("sqlnames", queries), ("cron", crons)):
    for i, item in enumerate(sorted(items)[:400]):
        with open(f"{out}/{kind}/seed-{i:03d}", "w", encoding="utf-8") as f:
            f.write(item)
EOF

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export TZ=UTC

declare -A max_len=([template]=65536 [render]=65536 [expr]=4096 [config]=16384 [cron]=256 [sqlnames]=16384 [image]=65536)
failed=0
mkdir -p "$build/logs"
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz.sh: $bin is not built (run scripts/fuzz.sh --build-only)" >&2; exit 1; }
  corpus="$build/corpus/$t" artifacts="$build/artifacts/$t" log="$build/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  dirs=("$corpus" "$seeds/$t")
  for d in "fuzz/corpus/$t" "tests/data/fuzz/$t"; do
    [ -d "$d" ] && dirs+=("$root/$d")
  done
  find "$artifacts" -type f | sort >"$build/logs/$t.before"
  start=$(date +%s)
  rc=0
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$t]}" \
    -dict="$root/fuzz/dict/$t.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    -close_fd_mask=1 ${GP_FUZZ_SEED:+-seed="$GP_FUZZ_SEED"} "${dirs[@]}" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  new=$(find "$artifacts" -type f | sort | comm -13 "$build/logs/$t.before" -)
  printf 'fuzz.sh: %-9s %4ds  %9s executions  %s  corpus %d files  exit %d\n' "$t" $(($(date +%s) - start)) \
    "${runs:-?}" "${cov:-cov: ?}" "$(find "$corpus" -type f | wc -l)" "$rc"
  if [ "$rc" -ne 0 ] || [ -n "$new" ]; then
    failed=1
    echo "fuzz.sh: $t found a problem; the whole report is in $log:" >&2
    grep -E '==ERROR|SUMMARY|runtime error|ALARM|Test unit written' "$log" | head -20 >&2 || true
    for a in $new; do
      echo "  artifact:  $a" >&2
      echo "  reproduce: LSAN_OPTIONS=suppressions=$root/tests/sanitizers/lsan.supp $bin $a" >&2
    done
    echo "  once fixed, copy the artifact into tests/data/fuzz/$t/ (the unit tests replay it)" >&2
  fi
done
exit "$failed"
