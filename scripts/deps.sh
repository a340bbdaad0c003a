#!/bin/sh
# Installs what wpool needs to build and test, if anything is missing.
# Debian 12 (bookworm); run as root, or with sudo available.
set -eu
pkgs="gcc libc6-dev meson ninja-build pkg-config libncurses-dev libreadline-dev
      libcmocka-dev tmux ncurses-term locales python3 procps groff-base"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "wpool: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
