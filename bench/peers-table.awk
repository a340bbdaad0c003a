# peers-table.awk - pivots summarize.awk's output (one line per pool,
# workers, workload and metric) into one row per workload/metric/workers
# and one column per pool (medians), then wpool's ratio to the best real
# peer (glib, libuv, mutexq; ring and direct are floors, not peers).  For
# stop, only peers that join their threads count (libuv, mutexq): GLib's
# g_thread_pool_free() hands idle threads to its global pool unjoined.
#   awk -f summarize.awk raw.txt | awk -v pools="wpool glib ..." -f peers-table.awk
# Input lines: "POOL W=2 noop tasks_per_sec 123 [100..150] (n=3)".
{
	k = $3 " " $4 " " $2
	v[$1, k] = $5
	sp[$1, k] = $6 " " $7
	if (!(k in seen)) {
		seen[k] = 1
		keys[++nk] = k
	}
}
function fmt(x) {
	if (x == "")
		return "-"
	x = x + 0
	if (x >= 1e6)
		return sprintf("%.2fM", x / 1e6)
	if (x >= 1e4)
		return sprintf("%.0fk", x / 1e3)
	return sprintf("%.2f", x)
}
function better(a, b, hib) {
	if (hib)
		return a > b
	return a < b
}
END {
	np = split(pools, P, " ")
	printf "%-26s", "workload metric W"
	for (i = 1; i <= np; i++)
		printf " %8s", P[i]
	printf "  %s\n", "wpool/best-peer"
	for (j = 1; j <= nk; j++) {
		k = keys[j]
		hib = (k ~ /tasks_per_sec/)
		printf "%-26s", k
		best = ""
		bn = ""
		for (i = 1; i <= np; i++) {
			x = v[P[i], k]
			printf " %8s", fmt(x)
			if (P[i] !~ /^(glib|libuv|mutexq)$/ || x == "")
				continue
			if (k ~ /^stop/ && P[i] == "glib")
				continue
			if (best == "" || better(x + 0, best, hib)) {
				best = x + 0
				bn = P[i]
			}
		}
		if (v["wpool", k] != "" && best != "" && best > 0)
			printf "  %.2fx (%s)", (v["wpool", k] + 0) / best, bn
		printf "\n"
	}
	print ""
	print "spread, median [min..max] (n):"
	for (j = 1; j <= nk; j++)
		for (i = 1; i <= np; i++)
			if (v[P[i], keys[j]] != "")
				printf "  %-7s %-26s %s %s\n", P[i], keys[j],
				    v[P[i], keys[j]], sp[P[i], keys[j]]
}
