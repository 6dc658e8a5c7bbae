#!/usr/bin/env bash
# Runs a command next to a throwaway PostgreSQL server loaded with the sample data:
#
#   scripts/pg-run.sh [--projects N] [--seed S] [--generator PATH] [--no-sample] [--] COMMAND [ARG]...
#
# The server lives in a fresh temporary folder: initdb as an unprivileged user (the
# `postgres` system user when run as root, else the caller), TCP on 127.0.0.1 only, port
# $GP_PG_PORT or the first free one from 54329, its unix socket in that folder. A role
# `grantpress` with a random password owns a database `grants`, loaded with
# samples/schema.sql, samples/seed.sql and the output of gp-samplegen (N=60, S=1 by
# default, the same data as the end-to-end tests' SQLite database).
# COMMAND runs with GP_PG_HOST, GP_PG_PORT, GP_PG_USER, GP_PG_PASSWORD, GP_PG_DB and
# GP_PG_SOCKET_DIR exported; whatever happens (failure, Ctrl-C, TERM) the server is stopped
# and the folder deleted on exit. The exit code is COMMAND's.
#   scripts/pg-run.sh bash                      # a shell with the server around
#   scripts/pg-run.sh ctest --output-on-failure  # what scripts/test.sh does
set -euo pipefail

die() {
  echo "pg-run: $*" >&2
  exit 1
}
absolute() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
projects=60
seed=1
load=1
generator="${GP_SAMPLEGEN:-$root/build/gp-samplegen}"
while [ $# -gt 0 ]; do
  case "$1" in
    --projects) [ $# -ge 2 ] || die "--projects needs a value"; projects="$2"; shift 2 ;;
    --seed) [ $# -ge 2 ] || die "--seed needs a value"; seed="$2"; shift 2 ;;
    --generator) [ $# -ge 2 ] || die "--generator needs a value"; generator="$(absolute "$2")"; shift 2 ;;
    --no-sample) load=0; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || die "no command given (see --help)"
[[ "$projects" =~ ^[0-9]+$ ]] || die "--projects '$projects' is not a non-negative integer"
[[ "$seed" =~ ^[0-9]+$ ]] || die "--seed '$seed' is not a non-negative integer"

# The newest installed server, 15 (Debian 12) when present.
bindir="${GP_PG_BINDIR:-}"
if [ -z "$bindir" ]; then
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -Vr); do
    [ -x "$d/initdb" ] && { bindir="$d"; break; }
  done
fi
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || die "PostgreSQL server programs not found (install them: scripts/setup.sh)"
command -v psql >/dev/null 2>&1 || die "psql not found (install postgresql: scripts/setup.sh)"
if [ "$load" -eq 1 ]; then
  [ -x "$generator" ] || die "generator not found at $generator; build first: cmake --build build --target gp-samplegen"
  for f in samples/schema.sql samples/seed.sql; do
    [ -f "$root/$f" ] || die "missing $root/$f"
  done
fi

# root cannot run postgres: the server runs as the `postgres` system user then.
as_owner=()
owner="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "no 'postgres' system user to run the server (install postgresql: scripts/setup.sh)"
  owner=postgres
  as_owner=(runuser -u postgres --)
fi

# The folder must be reachable by the server's user, and short enough for a socket path.
make_dir() {
  local d
  d="$(mktemp -d "$1/gp-pg.XXXXXX")" || return 1
  chmod 700 "$d"
  [ "$owner" = "$(id -un)" ] || chown "$owner" "$d"
  if [ "${#d}" -gt 80 ] || ! "${as_owner[@]}" test -w "$d"; then
    rm -rf "$d"
    return 1
  fi
  printf '%s\n' "$d"
}
dir="$(make_dir "${TMPDIR:-/tmp}" || make_dir /tmp)" || die "cannot make a temporary folder the server's user ($owner) can write"
data="$dir/data"

stop_server() {
  local rc=$?
  trap - EXIT
  if [ -f "$data/postmaster.pid" ]; then
    if ! "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1; then
      pid="$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)"
      [[ "$pid" =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap stop_server EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

"${as_owner[@]}" "$bindir/initdb" -D "$data" -U postgres -E UTF8 --no-locale --auth-local=trust \
  --auth-host=scram-sha-256 --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port="${GP_PG_PORT:-54329}"
[[ "$port" =~ ^[0-9]+$ ]] || die "GP_PG_PORT='$port' is not a port number"
started=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
  if ! port_busy "$port"; then
    if "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 -o \
      "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
      started=1
      break
    fi
    grep -q "could not bind\|already in use" "$dir/server.log" 2>/dev/null || break
  fi
  port=$((port + 1))
done
[ "$started" -eq 1 ] || { cat "$dir/server.log" >&2 2>/dev/null || true; die "the PostgreSQL server did not start"; }

password="gp-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
psql_as() {  # psql_as USER DB [ARGS]: over the unix socket (trust)
  local user="$1" db="$2"
  shift 2
  psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U "$user" -d "$db" "$@"
}
psql_as postgres postgres -c "CREATE ROLE grantpress LOGIN CREATEDB PASSWORD '$password'" \
  -c "CREATE DATABASE grants OWNER grantpress" >/dev/null || die "cannot create the role and database"

if [ "$load" -eq 1 ]; then
  if ! {
    cat "$root/samples/schema.sql" "$root/samples/seed.sql"
    "$generator" --projects "$projects" --seed "$seed"
  } | psql_as grantpress grants >/dev/null; then
    die "loading the sample data failed (see the messages above)"
  fi
  echo "pg-run: PostgreSQL on 127.0.0.1:$port (folder $dir), database grants: $(psql_as grantpress grants -Atc 'SELECT count(*) FROM projects') projects"
else
  echo "pg-run: PostgreSQL on 127.0.0.1:$port (folder $dir), empty database grants"
fi

export GP_PG_HOST=127.0.0.1 GP_PG_PORT="$port" GP_PG_USER=grantpress GP_PG_PASSWORD="$password" GP_PG_DB=grants \
  GP_PG_SOCKET_DIR="$dir"
set +e
"$@"
rc=$?
set -e
exit "$rc"
