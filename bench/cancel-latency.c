/*
 * cancel-latency.c - from an L1 cancel to every thread gone (issue #5,
 * target 7: at most 5 ms).
 *
 * Each cycle: a fresh pool (defaults, W workers, queue Q), N tasks (1,000)
 * that each sleep a minute in wp_ctx_sleep() (context-aware: the cancel
 * ends the sleep); once W of them are running (the rest queued), the clock
 * starts, wp_pool_cancel() fires L1, and wp_pool_stop() waits for every
 * thread, workers and auxiliary threads alike, and joins them.  Figures:
 *   stopped:   cancel until wp_pool_stop() returned (every thread joined);
 *   last_exit: cancel until the last thread left, from the stop report;
 *   threads_after: threads left in the process after the stop (1: only
 *              this one), the largest seen over all cycles.
 * Every task must still get its outcome; undelivered ones are reported.
 *
 *   bench-cancel-latency [--workers 8] [--tasks 1000] [--cycles 10]
 *                        [--queue 1024]
 *
 * Prints: bench=cancel-latency workers= tasks= cycles= stopped_p50_us=
 *         stopped_max_us= last_exit_p50_us= last_exit_max_us=
 *         threads_after= undelivered=
 */
#include "bench-util.h"

#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

static sem_t started;

static int
sleeper(wp_ctx *ctx, void *arg)
{
	(void)arg;
	sem_post(&started);
	return wp_ctx_sleep(ctx, 60000);
}

int
main(int argc, char **argv)
{
	long workers = 8, tasks = 1000, cycles = 10, queue = 1024;
	struct bu_opt opts[] = {
	    {"workers", &workers, "worker threads"},
	    {"tasks", &tasks, "sleeping tasks (W run, the rest queue)"},
	    {"cycles", &cycles, "pools measured"},
	    {"queue", &queue, "task queue capacity"},
	    {NULL, NULL, NULL},
	};
	double *stopped, *last;
	int threads_after = 0;
	uint64_t undelivered = 0;
	struct wp_config cfg;

	bu_parse(argc, argv, "bench-cancel-latency", opts);
	stopped = calloc((size_t)cycles, sizeof *stopped);
	last = calloc((size_t)cycles, sizeof *last);
	if (!stopped || !last || cycles < 1 || tasks < workers)
		return 1;
	bu_config(&cfg, (unsigned)workers, (unsigned)queue);
	sem_init(&started, 0, 0);

	for (long c = 0; c < cycles; c++) {
		const struct wp_stop_report *rep;
		uint64_t d0 = bu_delivered();
		wp_pool *pool = bu_pool(&cfg);
		int64_t t0, t1, lastns = 0;
		int rc;

		for (long i = 0; i < tasks; i++) {
			while ((rc = wp_submit_wait(pool, sleeper, NULL, NULL,
						    60000, NULL)) ==
			       WP_ETIMEDOUT)
				;
			bu_check(rc, "wp_submit_wait");
		}
		for (long i = 0; i < workers; i++)
			while (sem_wait(&started) != 0 && errno == EINTR)
				;
		t0 = bu_now();
		bu_check(wp_pool_cancel(pool), "wp_pool_cancel");
		rc = wp_pool_stop(pool, &rep);
		t1 = bu_now();
		bu_check(rc, "wp_pool_stop");
		for (unsigned i = 0; i < rep->nthreads; i++) {
			int64_t at = rep->begin_ns + rep->threads[i].exited_ns;

			if (rep->threads[i].exited_ns >= 0 && at > lastns)
				lastns = at;
		}
		stopped[c] = (double)(t1 - t0) / 1e3;
		last[c] = lastns ? (double)(lastns - t0) / 1e3 : stopped[c];
		if (bu_threads() > threads_after)
			threads_after = bu_threads();
		bu_check(wp_pool_destroy(pool), "wp_pool_destroy");
		undelivered += (uint64_t)tasks - (bu_delivered() - d0);
		/* Tasks that started after the count above. */
		while (sem_trywait(&started) == 0)
			;
	}
	printf("bench=cancel-latency workers=%ld tasks=%ld cycles=%ld "
	       "stopped_p50_us=%.0f stopped_max_us=%.0f last_exit_p50_us=%.0f "
	       "last_exit_max_us=%.0f threads_after=%d undelivered=%llu\n",
	       workers, tasks, cycles, bu_median(stopped, (size_t)cycles),
	       bu_max(stopped, (size_t)cycles), bu_median(last, (size_t)cycles),
	       bu_max(last, (size_t)cycles), threads_after,
	       (unsigned long long)undelivered);
	return 0;
}
