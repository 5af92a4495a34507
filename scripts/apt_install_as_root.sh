#!/usr/bin/env bash
# Install a Debian package for a required test tool when we run as root on a machine with apt-get
# (CI); sourced by scripts/ensure_*.sh. Returns 1, installing nothing, anywhere else.
#
#   apt_install_as_root PACKAGE "why it is needed"

apt_install_as_root() {
  local package="$1" why="$2"
  if [ "${EUID}" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  echo "$package is missing; installing Debian's $package package for $why." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "$package" >&2
}
