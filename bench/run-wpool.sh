#!/bin/sh
# run-wpool.sh - the wpool-only benchmarks (what no peer does), repeated in
# interleaved rounds, medians over rounds.
#
#   bench/run-wpool.sh [-n ROUNDS] [-q] [-o RAW]
#
# Builds libwpool.a and the bench-* programs (bench/build.sh), then runs,
# per round, each of: timeout overhead (W=2, 8), monitor overhead (W=2, 8),
# context switches per task (W=2, 8), idle stop (W=2, 8), cancel latency
# (W=8, 1,000 sleeping tasks), timeout lateness (W=8, 1,000 tasks past a
# 10 ms timeout), recovery from threads crowded on one CPU (W=2, 8), and
# the machine's own limits: how late a timed sleep wakes, waking and
# joining 7 and 13 threads (an idle pool's W + 5 at W=2 and 8), the cost
# of single hot-path operations, the most tiny tasks per second bare
# threads run (no pool), and how often the host stops a busy CPU.  -q:
# quick (fewer tasks and cycles per program).
# Raw lines go to build/bench/wpool-raw.txt (or RAW); the summary prints,
# per program and worker count, every figure as median [min..max] over
# rounds.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
rounds=3 quick="" raw=""
while getopts n:qo: opt; do
	case $opt in
	n) rounds=$OPTARG ;; q) quick=1 ;; o) raw=$OPTARG ;;
	*) sed -n '2,19s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
"$here/build.sh" wpool
b=$repo/build/bench
[ -n "$raw" ] || raw=$b/wpool-raw.txt
if [ -n "$quick" ]; then
	tasks=200000 inner=3 cycles=20 ccycles=5
else
	tasks=1000000 inner=3 cycles=50 ccycles=10
fi

echo "# $(date -u '+%Y-%m-%d %H:%M UTC') $(uname -n) $(nproc) cpus," \
	"tree $(git -C "$repo" rev-parse --short HEAD) core $(git -C "$repo" log -1 --format=%h -- core), rounds=$rounds," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)" >"$raw"
r=1
while [ "$r" -le "$rounds" ]; do
	for w in 2 8; do
		"$b/bench-timeout-overhead" --workers $w --tasks $tasks \
			--rounds $inner
		"$b/bench-monitor-overhead" --workers $w --tasks $tasks \
			--rounds $inner
		"$b/bench-ctxsw" --workers $w --tasks $tasks --rounds $inner
		"$b/bench-stop-idle" --workers $w --cycles $cycles
		"$b/bench-crowded" --workers $w --rounds 1
	done
	"$b/bench-cancel-latency" --workers 8 --cycles $ccycles
	"$b/bench-timeout-lateness" --workers 8
	"$b/bench-oversleep"
	"$b/bench-join-floor" --threads 7
	"$b/bench-join-floor" --threads 13
	"$b/bench-op-costs"
	"$b/bench-tiny-ceiling"
	"$b/bench-hiccups"
	r=$((r + 1))
done >>"$raw"
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw"
grep '^#' "$raw"
awk -f "$here/wpool-summary.awk" "$raw"
