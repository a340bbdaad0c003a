/*
 * stop-idle.c - the ordered stop of an idle pool (issue #5, target 5: no
 * slower than the best peer that joins its threads).
 *
 * Each cycle, as the peer harness's stop workload: a fresh pool (defaults,
 * W workers, queue Q), W no-op tasks, I ms idle (10), then the clock:
 * wp_pool_stop() (the ordered stop: every thread, workers, watchdog,
 * result and error handlers, monitor and health checker, joined), then
 * wp_pool_destroy() (frees).  stop_us is the stop alone, total_us stop
 * plus destroy (what the harness times, since its destroy does both).
 * threads_after is the largest thread count of the process seen right
 * after a stop and destroy (1: only this thread is left, everything was
 * joined; destroy starts no thread).
 * The stop report's phase times (ms since the stop began, medians) show
 * where the time goes.
 *
 *   bench-stop-idle [--workers 2] [--cycles 50] [--idle-ms 10] [--queue 1024]
 *
 * Prints: bench=stop-idle workers= cycles= stop_us= stop_max_us=
 *         total_us= total_max_us= threads_after= and at_PHASE_us= for
 *         every phase (when it was entered, us since the stop began)
 */
#include "bench-util.h"

#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

static sem_t ran;

static int
noop(wp_ctx *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	sem_post(&ran);
	return 0;
}

int
main(int argc, char **argv)
{
	long workers = 2, cycles = 50, idle_ms = 10, queue = 1024;
	struct bu_opt opts[] = {
	    {"workers", &workers, "worker threads"},
	    {"cycles", &cycles, "pools stopped"},
	    {"idle-ms", &idle_ms, "idle time before the stop"},
	    {"queue", &queue, "task queue capacity"},
	    {NULL, NULL, NULL},
	};
	double *stop, *total, *phase[WP_PHASE_COUNT];
	int threads_after = 0;
	struct wp_config cfg;

	bu_parse(argc, argv, "bench-stop-idle", opts);
	stop = calloc((size_t)cycles, sizeof *stop);
	total = calloc((size_t)cycles, sizeof *total);
	if (!stop || !total || cycles < 1)
		return 1;
	for (int p = 0; p < WP_PHASE_COUNT; p++)
		if (!(phase[p] = calloc((size_t)cycles, sizeof *phase[p])))
			return 1;
	bu_config(&cfg, (unsigned)workers, (unsigned)queue);
	sem_init(&ran, 0, 0);

	for (long c = 0; c < cycles; c++) {
		const struct wp_stop_report *rep;
		wp_pool *pool = bu_pool(&cfg);
		int64_t t0, t1, t2;
		int n, rc;

		for (long i = 0; i < workers; i++)
			bu_check(
			    wp_submit_wait(pool, noop, NULL, NULL, 60000, NULL),
			    "wp_submit_wait");
		for (long i = 0; i < workers; i++)
			while (sem_wait(&ran) != 0 && errno == EINTR)
				;
		bu_sleep_us(idle_ms * 1000);
		t0 = bu_now();
		rc = wp_pool_stop(pool, &rep);
		t1 = bu_now();
		bu_check(rc, "wp_pool_stop");
		for (int p = 0; p < WP_PHASE_COUNT; p++)
			phase[p][c] = rep->phase_ms[p] * 1e3;
		bu_check(wp_pool_destroy(pool), "wp_pool_destroy");
		t2 = bu_now();
		/* Counted outside the clock (it reads /proc). */
		n = bu_threads();
		if (n > threads_after)
			threads_after = n;
		stop[c] = (double)(t1 - t0) / 1e3;
		total[c] = (double)(t2 - t0) / 1e3;
	}
	printf("bench=stop-idle workers=%ld cycles=%ld stop_us=%.1f "
	       "stop_max_us=%.1f total_us=%.1f total_max_us=%.1f "
	       "threads_after=%d",
	       workers, cycles, bu_median(stop, (size_t)cycles),
	       bu_max(stop, (size_t)cycles), bu_median(total, (size_t)cycles),
	       bu_max(total, (size_t)cycles), threads_after);
	for (int p = 0; p < WP_PHASE_COUNT; p++)
		printf(" at_%s_us=%.0f", wp_stop_phase_name(p),
		       bu_median(phase[p], (size_t)cycles));
	printf("\n");
	return 0;
}
