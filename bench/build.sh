#!/bin/sh
# build.sh - builds what the benchmarks need, fresh from the current tree.
#
#   bench/build.sh [peers] [wpool]      (both when no argument)
#
# libwpool.a: a release meson build in build/bench (`ninja core/libwpool.a`,
# rebuilt every time since the core keeps changing).
# peers: the shared harness ../shared/bench/peers built with
#   bench/peer_wpool.c (and the design probe bench/peer_floor.c, pool
#   "wpfloor") into build/bench/peer-bench-wpool (make -B: the harness's
#   Makefile does not know about libwpool.a).
# wpool: the wpool-only programs (bench/*.c but peer_wpool.c) into
#   build/bench/bench-*.  They are not part of the meson build or its test
#   suite on purpose: CI time matters.
# Installs what the project's build needs (scripts/deps.sh: meson configures
# the whole tree, tests included) and the peers' libglib2.0-dev and
# libuv1-dev if missing (Debian 12).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=${PEERS_DIR:-$repo/../shared/bench/peers}
out=$repo/build/bench
what=${*:-peers wpool}
CC=${CC:-cc}

sh "$repo/scripts/deps.sh"
need=""
for p in make libglib2.0-dev libuv1-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		need="$need $p"
done
if [ -n "$need" ]; then
	echo "bench: installing:$need" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

[ -f "$out/build.ninja" ] ||
	meson setup "$out" "$repo" -Dbuildtype=release >/dev/null
ninja -C "$out" core/libwpool.a >/dev/null
lib=$out/core/libwpool.a

for w in $what; do
	case $w in
	peers)
		make -s -B -C "$shared" OUT="$out/peer-bench-wpool" \
			EXTRA_PEERS="wpool wpfloor" \
			EXTRA_SRCS="$here/peer_wpool.c $here/peer_floor.c" \
			EXTRA_CFLAGS="-I$repo/core/include" \
			EXTRA_LDLIBS="$lib -lm"
		;;
	wpool)
		for src in "$here"/*.c; do
			name=$(basename "$src" .c)
			case $name in peer_* | bench-util) continue ;; esac
			$CC -std=c11 -O2 -g -Wall -Wextra -D_GNU_SOURCE -pthread \
				-I"$repo/core/include" -o "$out/bench-$name" \
				"$src" "$here/bench-util.c" "$lib" -lm
		done
		;;
	*) echo "build.sh: unknown target $w" >&2; exit 2 ;;
	esac
done
