/*
 * timeout-overhead.c - what a per-task timeout costs (issue #5, target 2:
 * with a timeout on every task, at least 0.8x the throughput without).
 *
 * The peer harness's noop workload on a fresh pool (defaults, W workers,
 * queue Q, counting result handler), run alternately without a timeout
 * and with opts.timeout_ms = T on every task (T is long: it never fires,
 * so this is the cost of publishing deadlines and of the watchdog
 * watching them).  Each round runs both, in alternating order; the ratio
 * is taken per round, then the median over rounds.
 *
 *   bench-timeout-overhead [--workers 2] [--tasks 1000000] [--queue 1024]
 *                          [--rounds 5] [--timeout-ms 60000]
 *
 * Prints: bench=timeout-overhead workers= tasks= rounds= plain_tps=
 *         timed_tps= ratio= ratio_min= ratio_max=  (tps are medians)
 */
#include "bench-util.h"

#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	long workers = 2, tasks = 1000000, queue = 1024, rounds = 5,
	     timeout_ms = 60000;
	struct bu_opt opts[] = {
	    {"workers", &workers, "worker threads"},
	    {"tasks", &tasks, "no-op tasks per run"},
	    {"queue", &queue, "task queue capacity"},
	    {"rounds", &rounds, "rounds (each runs both variants)"},
	    {"timeout-ms", &timeout_ms, "per-task timeout (never fires)"},
	    {NULL, NULL, NULL},
	};
	struct wp_task_opts timed;
	struct wp_config cfg;
	double *plain, *tmo, *ratio;

	bu_parse(argc, argv, "bench-timeout-overhead", opts);
	plain = calloc((size_t)rounds, sizeof *plain);
	tmo = calloc((size_t)rounds, sizeof *tmo);
	ratio = calloc((size_t)rounds, sizeof *ratio);
	if (!plain || !tmo || !ratio || rounds < 1)
		return 1;
	bu_config(&cfg, (unsigned)workers, (unsigned)queue);
	wp_task_opts_init(&timed);
	timed.timeout_ms = (uint64_t)timeout_ms;

	for (long r = 0; r < rounds; r++) {
		if (r % 2 == 0) {
			plain[r] = bu_noop_run(&cfg, tasks, NULL, NULL);
			tmo[r] = bu_noop_run(&cfg, tasks, &timed, NULL);
		} else {
			tmo[r] = bu_noop_run(&cfg, tasks, &timed, NULL);
			plain[r] = bu_noop_run(&cfg, tasks, NULL, NULL);
		}
		ratio[r] = tmo[r] / plain[r];
	}
	printf("bench=timeout-overhead workers=%ld tasks=%ld rounds=%ld "
	       "plain_tps=%.0f timed_tps=%.0f ratio=%.3f ratio_min=%.3f "
	       "ratio_max=%.3f\n",
	       workers, tasks, rounds, bu_median(plain, (size_t)rounds),
	       bu_median(tmo, (size_t)rounds), bu_median(ratio, (size_t)rounds),
	       bu_min(ratio, (size_t)rounds), bu_max(ratio, (size_t)rounds));
	return 0;
}
