/*
 * ctxsw.c - context switches per task (issue #5, target 6: no collapse
 * when oversubscribed, at most 0.05 context switches per task at 8
 * workers on this 2-core machine).
 *
 * The peer harness's noop workload on a fresh pool (defaults, W workers,
 * queue Q, counting result handler); getrusage(RUSAGE_SELF) before and
 * after the timed batch gives the voluntary and involuntary switches of
 * every thread of the process (submitter, workers, auxiliary threads).
 * Repeated R times; medians.
 *
 *   bench-ctxsw [--workers 8] [--tasks 1000000] [--queue 1024] [--rounds 5]
 *
 * Prints: bench=ctxsw workers= tasks= rounds= cs_per_task= vol_per_task=
 *         invol_per_task= cs_min= cs_max= tps=
 */
#include "bench-util.h"

#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	long workers = 8, tasks = 1000000, queue = 1024, rounds = 5;
	struct bu_opt opts[] = {
	    {"workers", &workers, "worker threads"},
	    {"tasks", &tasks, "no-op tasks per run"},
	    {"queue", &queue, "task queue capacity"},
	    {"rounds", &rounds, "runs"},
	    {NULL, NULL, NULL},
	};
	struct wp_config cfg;
	double *cs, *vol, *invol, *tps;

	bu_parse(argc, argv, "bench-ctxsw", opts);
	cs = calloc((size_t)rounds, sizeof *cs);
	vol = calloc((size_t)rounds, sizeof *vol);
	invol = calloc((size_t)rounds, sizeof *invol);
	tps = calloc((size_t)rounds, sizeof *tps);
	if (!cs || !vol || !invol || !tps || rounds < 1)
		return 1;
	bu_config(&cfg, (unsigned)workers, (unsigned)queue);
	for (long r = 0; r < rounds; r++) {
		struct bu_run run;

		tps[r] = bu_noop_run(&cfg, tasks, NULL, &run);
		vol[r] = (double)run.vol / (double)tasks;
		invol[r] = (double)run.invol / (double)tasks;
		cs[r] = vol[r] + invol[r];
	}
	printf("bench=ctxsw workers=%ld tasks=%ld rounds=%ld "
	       "cs_per_task=%.4f vol_per_task=%.4f invol_per_task=%.4f "
	       "cs_min=%.4f cs_max=%.4f tps=%.0f\n",
	       workers, tasks, rounds, bu_median(cs, (size_t)rounds),
	       bu_median(vol, (size_t)rounds), bu_median(invol, (size_t)rounds),
	       bu_min(cs, (size_t)rounds), bu_max(cs, (size_t)rounds),
	       bu_median(tps, (size_t)rounds));
	return 0;
}
