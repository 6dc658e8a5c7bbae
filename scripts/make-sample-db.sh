#!/usr/bin/env bash
# Builds the SQLite sample database from text sources: samples/schema.sql, samples/seed.sql
# and the output of gp-samplegen (deterministic for a given --projects/--seed).
#
#   scripts/make-sample-db.sh [--projects N] [--seed S] [--out PATH] [--force] [--generator PATH]
#
# Defaults: N=300, S=1, PATH=samples/grants.db (relative to the repository root),
# generator $GP_SAMPLEGEN or build/gp-samplegen. Relative --out/--generator paths given on
# the command line are taken relative to the current directory.
# Idempotent: an existing database is left alone unless --force is given. The database is
# built in PATH.tmp.<pid>, checked (foreign_key_check, integrity_check) and then renamed
# into place, so PATH is never left half-written.
set -euo pipefail

die() {
  echo "make-sample-db: $*" >&2
  exit 1
}
usage_error() {
  echo "make-sample-db: $*" >&2
  echo "usage: scripts/make-sample-db.sh [--projects N] [--seed S] [--out PATH] [--force] [--generator PATH]" >&2
  exit 64
}
absolute() {  # absolute path of $1 relative to the invocation directory
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}

projects=300
seed=1
out=""
force=0
generator="${GP_SAMPLEGEN:-}"
[ -z "$generator" ] || generator="$(absolute "$generator")"

while [ $# -gt 0 ]; do
  case "$1" in
    --projects|--seed|--out|--generator)
      [ $# -ge 2 ] || usage_error "$1 requires a value"
      case "$1" in
        --projects) projects="$2" ;;
        --seed) seed="$2" ;;
        --out) out="$(absolute "$2")" ;;
        --generator) generator="$(absolute "$2")" ;;
      esac
      shift 2
      ;;
    --force) force=1; shift ;;
    -h|--help)
      sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done

[[ "$projects" =~ ^[0-9]+$ ]] || usage_error "invalid value for --projects: '$projects' (expected a non-negative integer)"
[[ "$seed" =~ ^[0-9]+$ ]] || usage_error "invalid value for --seed: '$seed' (expected a non-negative integer)"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -n "$out" ] || out="$root/samples/grants.db"
[ -n "$generator" ] || generator="$root/build/gp-samplegen"

if [ -e "$out" ] && [ "$force" -eq 0 ]; then
  echo "make-sample-db: $out already exists (use --force to rebuild)"
  exit 0
fi

command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 not found (install it: scripts/setup.sh)"
[ -x "$generator" ] || die "generator not found at $generator; build first: cmake --build build --target gp-samplegen"
for f in samples/schema.sql samples/seed.sql; do
  [ -f "$f" ] || die "missing $root/$f"
done

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
cleanup() { rm -f "$tmp" "$tmp-journal"; }
trap cleanup EXIT
rm -f "$tmp" "$tmp-journal"

echo "make-sample-db: building $out ($projects generated projects, seed $seed)"
# The temp file is discarded on any failure, so the journal and fsyncs are not needed.
if ! {
  printf 'PRAGMA journal_mode = OFF;\nPRAGMA synchronous = OFF;\n'
  cat samples/schema.sql samples/seed.sql
  "$generator" --projects "$projects" --seed "$seed"
} | sqlite3 -batch -bail "$tmp" >/dev/null; then
  die "loading the SQL into $tmp failed (see the messages above)"
fi

fk="$(sqlite3 -batch "$tmp" 'PRAGMA foreign_key_check;')" || die "foreign_key_check could not run"
[ -z "$fk" ] || die "foreign key violations (table|rowid|parent|fkid):"$'\n'"$fk"
integrity="$(sqlite3 -batch "$tmp" 'PRAGMA integrity_check;')" || die "integrity_check could not run"
[ "$integrity" = "ok" ] || die "integrity check failed:"$'\n'"$integrity"

mv -f "$tmp" "$out"
trap - EXIT
count="$(sqlite3 -batch "$out" 'SELECT COUNT(*) FROM projects;')"
echo "make-sample-db: wrote $out ($count projects, $(wc -c <"$out") bytes)"
