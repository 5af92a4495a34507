#!/usr/bin/env bash
# Install axe-core, which every browser test (tests/browser/) runs in the page to check accessibility.
#
# Runs `npm ci` (the versions in package-lock.json, into node_modules/) when node_modules/axe-core is
# missing or older than package-lock.json; exits 1 saying how to install Node.js when npm is missing.
set -euo pipefail
cd "${BASH_SOURCE[0]%/*}/.."

if [ -f node_modules/axe-core/axe.min.js ] && [ node_modules/axe-core -nt package-lock.json ]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  cat >&2 <<'MSG'
npm was not found, and the browser tests (tests/browser/) need it to install axe-core (package.json).
Install Node.js with npm:   sudo apt-get install nodejs npm     (Debian, Ubuntu)
then run:                   npm ci
MSG
  exit 1
fi

npm ci --no-audit --no-fund
touch node_modules/axe-core  # newer than package-lock.json: installed from it
