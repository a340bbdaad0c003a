#!/bin/sh
# run-peers.sh - wpool against GLib, libuv, a naive mutex queue and a
# lock-free ring, in the shared peer-bench harness, interleaved rounds.
#
#   bench/run-peers.sh [-n ROUNDS] [-w "2 8"] [-l "noop tiny latency stop"]
#                      [-p "wpool glib libuv mutexq ring direct"]
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
pools="wpool glib libuv mutexq ring direct" raw=""
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
	"core $(git -C "$repo" rev-parse --short HEAD)," \
	"rounds=$rounds args: $*" >"$raw"
"$shared/run_peers.sh" -b "$bin" -n "$rounds" -p "$pools" -w "$workers" \
	-l "$loads" -- "$@" >>"$raw"
head -1 "$raw"
awk -f "$shared/summarize.awk" "$raw" | awk -v pools="$pools" '
# Input: "POOL W=2 noop tasks_per_sec 123 [100..150] (n=3)"
{
	k = $3 " " $4 " " $2; v[$1, k] = $5; sp[$1, k] = $6
	if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }
}
function num(x) { return x + 0 }
function fmt(x) {
	if (x == "") return "-"
	x = num(x)
	if (x >= 1e6) return sprintf("%.2fM", x / 1e6)
	if (x >= 1e4) return sprintf("%.0fk", x / 1e3)
	return sprintf("%.2f", x)
}
END {
	np = split(pools, P, " ")
	printf "%-28s", "workload metric W"
	for (i = 1; i <= np; i++) printf " %9s", P[i]
	printf "   %s\n", "wpool/best-peer"
	for (j = 1; j <= nk; j++) {
		k = keys[j]; hib = (k ~ /tasks_per_sec/)
		printf "%-28s", k
		best = ""; bn = ""
		for (i = 1; i <= np; i++) {
			printf " %9s", fmt(v[P[i], k])
			if (P[i] !~ /^(glib|libuv|mutexq)$/ || v[P[i], k] == "")
				continue
			if (best == "" || (hib ? num(v[P[i], k]) > best :
			    num(v[P[i], k]) < best)) {
				best = num(v[P[i], k]); bn = P[i]
			}
		}
		if (v["wpool", k] != "" && best != "" && best > 0)
			printf "   %.2fx (%s)", num(v["wpool", k]) / best, bn
		printf "\n"
	}
	print ""
	print "spread (median [min..max]):"
	for (j = 1; j <= nk; j++)
		for (i = 1; i <= np; i++)
			if (v[P[i], keys[j]] != "")
				printf "  %-8s %-26s %s %s\n", P[i], keys[j],
				    v[P[i], keys[j]], sp[P[i], keys[j]]
}'
