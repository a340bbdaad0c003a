#!/bin/sh
# run-peers.sh - wpool against GLib, libuv, a naive mutex queue and a
# lock-free ring, in the shared peer-bench harness, interleaved rounds.
#
#   bench/run-peers.sh [-n ROUNDS] [-w "2 8"] [-l "noop tiny latency stop"]
#                      [-p "wpool glib libuv mutexq ring direct wpfloor"]
#                      [-s DIR] [-o RAW] [-- peer-bench args]
#
# Builds libwpool.a (release, build/bench), then the harness from
# ../shared/bench/peers (nothing is copied) with bench/peer_wpool.c into
# build/bench/peer-bench-wpool, runs run_peers.sh, keeps the raw lines in
# build/bench/peers-raw.txt (or RAW), and prints the medians side by side:
# one row per workload and worker count, one column per pool, then wpool's
# ratio to the best real peer (glib, libuv, mutexq; ring and direct are
# floors).  Throughput: higher is better; latency and stop: lower.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=$repo/../shared/bench/peers
rounds=3 workers="2 8" loads="noop tiny latency stop"
pools="wpool glib libuv mutexq ring direct wpfloor" raw=""
while getopts n:w:l:p:s:o: opt; do
	case $opt in
	n) rounds=$OPTARG ;; w) workers=$OPTARG ;; l) loads=$OPTARG ;;
	p) pools=$OPTARG ;; s) shared=$OPTARG ;; o) raw=$OPTARG ;;
	*) sed -n '2,15s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

"$here/build.sh" peers
bin=$repo/build/bench/peer-bench-wpool
[ -n "$raw" ] || raw=$repo/build/bench/peers-raw.txt

echo "# $(date -u '+%Y-%m-%d %H:%M UTC') $(uname -n) $(nproc) cpus," \
	"tree $(git -C "$repo" rev-parse --short HEAD) core $(git -C "$repo" log -1 --format=%h -- core)," \
	"rounds=$rounds args: $*, load $(cut -d' ' -f1-3 /proc/loadavg)" >"$raw"
"$shared/run_peers.sh" -b "$bin" -n "$rounds" -p "$pools" -w "$workers" \
	-l "$loads" -- "$@" >>"$raw"
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw"
grep '^#' "$raw"
awk -f "$shared/summarize.awk" "$raw" |
	awk -v pools="$pools" -f "$here/peers-table.awk"
