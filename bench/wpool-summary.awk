# wpool-summary.awk - median [min..max] over rounds of every numeric
# figure of the bench-* programs' lines, per program and worker count.
# Input: "bench=NAME workers=W key=value ...".
function med(k,    i, j, t, m, a) {
	m = n[k]
	for (i = 1; i <= m; i++)
		a[i] = val[k, i] + 0
	for (i = 2; i <= m; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
	lo = a[1]
	hi = a[m]
	return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
function fmt(x) {
	if (x == int(x) || x >= 100)
		return sprintf("%.0f", x)
	return sprintf("%.3g", x)
}
/^bench=/ {
	id = ""
	for (i = 1; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "bench" || kv[1] == "workers" ||
		    (kv[1] == "threads" && $1 == "bench=join-floor"))
			id = id (id == "" ? "" : " ") kv[1] "=" kv[2]
	}
	if (!(id in seen)) {
		seen[id] = 1
		ids[++nid] = id
	}
	for (i = 1; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] ~ /^(bench|workers|threads|tasks|rounds|cycles|mode)$/ ||
		    kv[2] !~ /^-?[0-9.]+$/)
			continue
		k = id SUBSEP kv[1]
		if (!(k in n))
			keys[id, ++nk[id]] = kv[1]
		n[k]++
		val[k, n[k]] = kv[2]
	}
}
END {
	for (g = 1; g <= nid; g++) {
		id = ids[g]
		print id
		for (j = 1; j <= nk[id]; j++) {
			k = id SUBSEP keys[id, j]
			m = med(k)
			printf "    %-18s %s [%s..%s] (n=%d)\n", keys[id, j],
			    fmt(m), fmt(lo), fmt(hi), n[k]
		}
	}
}
