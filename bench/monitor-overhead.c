/*
 * monitor-overhead.c - what a busy monitor costs (issue #5, target 8:
 * the monitor at 10 ms costs at most 5 % throughput).
 *
 * The peer harness's noop workload on a fresh pool (defaults, W workers,
 * queue Q, counting result handler), run alternately with the monitor
 * ticking every F ms (fast, 10) and every S ms (slow, 5000, the default).
 * Each round runs both, in alternating order; the ratio fast/slow is taken
 * per round, then the median over rounds.  Runs must last several fast
 * ticks for this to mean anything: the default 1,000,000 tasks do.
 * Throughput ratios are noisy on a shared machine, so the monitor thread's
 * own CPU time (schedstat) during the fast runs is reported too: per tick,
 * and as a share of the machine (all online CPUs).
 *
 *   bench-monitor-overhead [--workers 2] [--tasks 1000000] [--queue 1024]
 *                          [--rounds 5] [--fast-ms 10] [--slow-ms 5000]
 *
 * Prints: bench=monitor-overhead workers= tasks= rounds= slow_tps=
 *         fast_tps= ratio= ratio_min= ratio_max= cost_pct=
 *         tick_cpu_us= monitor_cpu_pct=
 */
#include "bench-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long workers = 2, tasks = 1000000, queue = 1024, rounds = 5,
	     fast_ms = 10, slow_ms = 5000;
	struct bu_opt opts[] = {
	    {"workers", &workers, "worker threads"},
	    {"tasks", &tasks, "no-op tasks per run"},
	    {"queue", &queue, "task queue capacity"},
	    {"rounds", &rounds, "rounds (each runs both variants)"},
	    {"fast-ms", &fast_ms, "monitor interval, fast variant"},
	    {"slow-ms", &slow_ms, "monitor interval, slow variant"},
	    {NULL, NULL, NULL},
	};
	struct wp_config fast, slow;
	double *f, *s, *ratio, *tick, *share, med;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	bu_parse(argc, argv, "bench-monitor-overhead", opts);
	f = calloc((size_t)rounds, sizeof *f);
	s = calloc((size_t)rounds, sizeof *s);
	ratio = calloc((size_t)rounds, sizeof *ratio);
	tick = calloc((size_t)rounds, sizeof *tick);
	share = calloc((size_t)rounds, sizeof *share);
	if (!f || !s || !ratio || !tick || !share || rounds < 1)
		return 1;
	bu_config(&fast, (unsigned)workers, (unsigned)queue);
	fast.monitor_interval_ms = (uint64_t)fast_ms;
	bu_config(&slow, (unsigned)workers, (unsigned)queue);
	slow.monitor_interval_ms = (uint64_t)slow_ms;

	for (long r = 0; r < rounds; r++) {
		struct bu_run fr;

		if (r % 2 == 0) {
			s[r] = bu_noop_run(&slow, tasks, NULL, NULL);
			f[r] = bu_noop_run(&fast, tasks, NULL, &fr);
		} else {
			f[r] = bu_noop_run(&fast, tasks, NULL, &fr);
			s[r] = bu_noop_run(&slow, tasks, NULL, NULL);
		}
		ratio[r] = f[r] / s[r];
		/* Ticks in the timed part, at least one. */
		double ticks = fr.secs * 1e3 / (double)fast_ms;
		tick[r] =
		    (double)fr.monitor_cpu_ns / 1e3 / (ticks < 1 ? 1 : ticks);
		share[r] = (double)fr.monitor_cpu_ns / 1e9 / fr.secs /
			   (double)(ncpu > 0 ? ncpu : 1) * 100;
	}
	med = bu_median(ratio, (size_t)rounds);
	printf("bench=monitor-overhead workers=%ld tasks=%ld rounds=%ld "
	       "slow_tps=%.0f fast_tps=%.0f ratio=%.3f ratio_min=%.3f "
	       "ratio_max=%.3f cost_pct=%.1f tick_cpu_us=%.1f "
	       "monitor_cpu_pct=%.2f\n",
	       workers, tasks, rounds, bu_median(s, (size_t)rounds),
	       bu_median(f, (size_t)rounds), med, bu_min(ratio, (size_t)rounds),
	       bu_max(ratio, (size_t)rounds), (1 - med) * 100,
	       bu_median(tick, (size_t)rounds),
	       bu_median(share, (size_t)rounds));
	return 0;
}
