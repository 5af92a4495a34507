#!/usr/bin/env bash
# Find the Chromium the browser tests drive (tests/browser/), installing Debian's package when we can.
#
# Prints the browser's path on stdout and exits 0; otherwise says how to install it and exits 1.
# Order: $CHROMIUM, then chromium or chromium-browser on PATH; when neither is there and we run as
# root on a machine with apt-get (CI), `apt-get install -y chromium`.
set -euo pipefail

find_chromium() {
  if [ -n "${CHROMIUM:-}" ]; then
    if [ -x "$CHROMIUM" ]; then
      echo "$CHROMIUM"
      return 0
    fi
    echo "CHROMIUM=$CHROMIUM is not an executable file." >&2
  fi
  local name path
  for name in chromium chromium-browser; do
    if path="$(command -v "$name" 2>/dev/null)"; then
      echo "$path"
      return 0
    fi
  done
  return 1
}

if find_chromium; then
  exit 0
fi

# shellcheck source=scripts/apt_install_as_root.sh
. "${BASH_SOURCE[0]%/*}/apt_install_as_root.sh"
if apt_install_as_root chromium "the browser tests" && find_chromium; then
  exit 0
fi

cat >&2 <<'MSG'
Chromium was not found, and the browser tests (tests/browser/) need it.
Install it with:   sudo apt-get install chromium     (Debian, Ubuntu: chromium or chromium-browser)
or point to one:   export CHROMIUM=/path/to/chromium
MSG
exit 1
