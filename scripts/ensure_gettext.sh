#!/usr/bin/env bash
# Find GNU gettext, which the catalogue test (tests/test_translations.py) runs through `makemessages`,
# installing Debian's package when we can.
#
# Prints xgettext's path on stdout and exits 0; otherwise says how to install it and exits 1.
# When xgettext is not on PATH and we run as root on a machine with apt-get (CI),
# `apt-get install -y gettext`.
set -euo pipefail

if command -v xgettext 2>/dev/null; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "GNU gettext is missing; installing Debian's gettext package for the catalogue test." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq gettext >&2
  if command -v xgettext 2>/dev/null; then
    exit 0
  fi
fi

cat >&2 <<'MSG'
GNU gettext (xgettext) was not found, and the catalogue test (tests/test_translations.py) needs it.
Install it with:   sudo apt-get install gettext     (Debian, Ubuntu; brew install gettext on macOS)
MSG
exit 1
