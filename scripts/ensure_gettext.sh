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

# shellcheck source=scripts/apt_install_as_root.sh
. "${BASH_SOURCE[0]%/*}/apt_install_as_root.sh"
if apt_install_as_root gettext "the catalogue test" && command -v xgettext 2>/dev/null; then
  exit 0
fi

cat >&2 <<'MSG'
GNU gettext (xgettext) was not found, and the catalogue test (tests/test_translations.py) needs it.
Install it with:   sudo apt-get install gettext     (Debian, Ubuntu; brew install gettext on macOS)
MSG
exit 1
