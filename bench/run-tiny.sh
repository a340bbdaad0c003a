#!/bin/sh
# run-tiny.sh - target 3 (tiny tasks) sorted by the host's state.
#
#   bench/run-tiny.sh [-t SECONDS] [-p "wpool ring"] [-o RAW]
#
# For SECONDS (default 300), rounds of: bench-xfer (the cost of moving a
# cache line between the two CPUs), the harness's tiny workload for each
# pool in -p at 2 and 8 workers, bench-handoff-floor at 2 workers with
# the harness's queue (1024: the barest bounded hand-off, no duties:
# "handoff"), bench-tiny-ceiling (bare threads, no pool), bench-xfer
# again.  A round
# counts as "fast" when both probes saw a round trip under 250 ns, "slow"
# when both saw over 300 ns, "mixed" otherwise (the host switched during
# it).  Prints, per state, the medians of every column and the first
# pool's (wpool's) over the ceiling.  Raw lines go to
# build/bench/tiny-raw.txt (or RAW).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
secs=300 pools="wpool ring" raw=""
while getopts t:p:o: opt; do
	case $opt in
	t) secs=$OPTARG ;; p) pools=$OPTARG ;; o) raw=$OPTARG ;;
	*) sed -n '2,13s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
"$here/build.sh" peers wpool
b=$repo/build/bench
[ -n "$raw" ] || raw=$b/tiny-raw.txt

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" | head -1; }
rt() { "$b/bench-xfer" | field rt_ns; }

cols=""
for p in $pools; do cols="$cols $p/W=2 $p/W=8"; done
cols="$cols handoff"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC') $(uname -n) $(nproc) cpus," \
	"tree $(git -C "$repo" rev-parse --short HEAD) core $(git -C "$repo" log -1 --format=%h -- core)," \
	"${secs}s, load $(cut -d' ' -f1-3 /proc/loadavg)" >"$raw"
echo "# state rt1_ns rt2_ns$cols ceiling" >>"$raw"
end=$(($(date +%s) + secs))
while [ "$(date +%s)" -lt "$end" ]; do
	r1=$(rt)
	line=""
	for p in $pools; do
		for w in 2 8; do
			v=$("$b/peer-bench-wpool" --pool "$p" --workers "$w" \
				--workload tiny | field tasks_per_sec)
			line="$line ${v:-0}"
		done
	done
	h=$("$b/bench-handoff-floor" --rounds 1 | field tasks_per_sec)
	line="$line ${h:-0}"
	c=$("$b/bench-tiny-ceiling" | field tasks_per_sec)
	r2=$(rt)
	st=$(awk -v a="$r1" -v b="$r2" 'BEGIN {
		print (a < 250 && b < 250) ? "fast" :
		      (a > 300 && b > 300) ? "slow" : "mixed" }')
	echo "$st $r1 $r2$line ${c:-0}" >>"$raw"
done
grep '^#' "$raw"
grep -v '^#' "$raw" | awk -v cols="$cols ceiling" '
function med(s, n,   a, k) {
	k = split(s, a, " ")
	asort(a)
	return k ? a[int((k + 1) / 2)] : 0
}
{
	n[$1]++
	for (i = 2; i <= NF; i++)
		v[$1, i] = v[$1, i] " " $i
	nf = NF
}
END {
	nc = split("rt_ns" " " cols, C, " ")
	printf "%-6s %4s %8s", "state", "n", "rt_ns"
	for (i = 2; i <= nc; i++)
		printf " %10s", C[i]
	printf "  %s\n", "wpool/ceiling (W=2, W=8), W=2/handoff"
	split("fast slow mixed", S, " ")
	for (s = 1; s <= 3; s++) {
		st = S[s]
		if (!n[st])
			continue
		printf "%-6s %4d %8.0f", st, n[st], med(v[st, 2])
		for (i = 4; i <= nf; i++)
			printf " %9.3fM", med(v[st, i]) / 1e6
		c = med(v[st, nf])
		printf "  %.2f, %.2f, %.2f\n", med(v[st, 4]) / c, med(v[st, 5]) / c,
		    med(v[st, 4]) / med(v[st, nf - 1])
	}
}'
