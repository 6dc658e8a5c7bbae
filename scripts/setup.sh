#!/usr/bin/env bash
# Installs every Debian 12 package that GrantPress needs to build, run and test.
# Idempotent: packages already present are skipped; apt-get runs only when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config
  libpoco-dev libfmt-dev libgtest-dev libgmock-dev
  libhpdf-dev libxlsxwriter-dev libsqlite3-dev unixodbc-dev libpng-dev libhyphen-dev
  # run: Russian hyphenation dictionary for the PDF renderer
  hyphen-ru
  # tests: the AddressSanitizer/LeakSanitizer and UBSan runtimes of GCC 12 for the sanitizer pass
  # of scripts/test.sh (build-asan/, GP_SANITIZE); build-essential already brings them in through
  # libgcc-12-dev, named here because the tests need them
  libasan8 libubsan1
  # tests: libFuzzer fuzzers (fuzz/, scripts/fuzz.sh) are built with Debian's clang and its runtime
  clang libclang-rt-14-dev
  # run: fonts copied into fonts/ come from here; sqlite3 builds the sample database;
  # ODBC sources: the driver manager and the PostgreSQL (psqlODBC) and SQLite ODBC drivers
  fonts-paratype sqlite3 unixodbc odbc-postgresql libsqliteodbc
  # tests: programs nobody here wrote read our output back
  poppler-utils qpdf python3 python3-openpyxl unzip
  # tests: golden pages are compared pixel by pixel (tests/e2e/test_golden_pages.py); Carlito
  # (Calibri's metrics) is the font LibreOffice draws the workbooks with, as Excel draws Calibri
  python3-pil fonts-crosextra-carlito
  # tests: LibreOffice shows the cached XLSX totals as a user would see them
  libreoffice-calc-nogui
  # tests: a throwaway PostgreSQL 15 cluster for the ODBC tests (scripts/pg-run.sh)
  postgresql
  # tests: a real SMTP server for the alert tests (tests/unit/notify_servers.py), openssl makes its certificate
  python3-aiosmtpd openssl
  # tests: systemd-analyze checks the service unit in packaging/systemd
  systemd
  # tests: the server's web page in a real browser (tests/e2e/test_web.py): headless Chromium
  # driven through its WebDriver by Selenium
  chromium chromium-driver python3-selenium
  # tests: the shipped nginx site (packaging/nginx) in front of the server, on its own port
  # (its system service, started by the package, is stopped again below when we installed it)
  nginx
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

# nginx is here for the tests, which run their own: the site on port 80 that installing it may
# have started is not ours to leave running. (An nginx that was installed before is left alone.)
for p in "${missing[@]}"; do
  if [ "$p" = nginx ] && command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
    $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
done
