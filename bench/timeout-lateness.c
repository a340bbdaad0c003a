/*
 * timeout-lateness.c - how late a timeout outcome is (issue #5, target 7:
 * at most 2 ms late at p99).
 *
 * N tasks (1,000) on W workers, each with a per-task timeout of T ms (10)
 * and each sleeping S ms (30) past it.  By default the sleep is
 * wp_ctx_sleep(), which ends early when the watchdog cancels the run's
 * context (a well-behaved task); --ignore 1 sleeps with nanosleep() and
 * ignores the context (a stuck task: its thread is orphaned and, at the
 * orphan cap, its slot waits).  Every task records its deadline
 * (wp_ctx_deadline) in a table indexed by task id.  Two figures per
 * timed-out task:
 *   set:       when the watchdog gave the outcome (the result's run_ns
 *              minus the timeout: run_ns is measured up to the claim);
 *   delivered: when the result handler got it, minus the deadline (what a
 *              user waiting on the outcome sees).
 * Prints p50/p99/max of each in microseconds, and the outcome counts.
 *
 *   bench-timeout-lateness [--workers 8] [--tasks 1000] [--timeout-ms 10]
 *                          [--sleep-ms 30] [--ignore 0] [--queue 1024]
 *
 * Prints: bench=timeout-lateness workers= tasks= timeout_ms= mode=
 *         timed_out= other= set_p50_us= set_p99_us= set_max_us=
 *         late_p50_us= late_p99_us= late_max_us= seconds=
 */
#include "bench-util.h"

#include <errno.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static struct {
	long tasks, sleep_ms, ignore;
	int64_t timeout_ns;
	uint64_t first_id;
	_Atomic int64_t *deadline; /* by id - first_id */
	double *set_us, *late_us;
	long ntimed, nother, ndone;
	sem_t all_done;
} B;

static int
sleeper(wp_ctx *ctx, void *arg)
{
	uint64_t i = wp_ctx_task_id(ctx) - B.first_id;
	struct timespec ts = {B.sleep_ms / 1000, (B.sleep_ms % 1000) * 1000000};

	(void)arg;
	if (i < (uint64_t)B.tasks)
		atomic_store_explicit(&B.deadline[i], wp_ctx_deadline(ctx),
				      memory_order_release);
	if (B.ignore) {
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		return 0;
	}
	return wp_ctx_sleep(ctx, (uint64_t)B.sleep_ms);
}

/* Result callbacks run one at a time: no lock needed for B's arrays. */
static void
on_result(void *udata, const struct wp_result *r)
{
	int64_t now = bu_now(), dl = 0;
	uint64_t i = r->id - B.first_id;

	(void)udata;
	if (i < (uint64_t)B.tasks)
		dl = atomic_load_explicit(&B.deadline[i], memory_order_acquire);
	if (r->outcome == WP_OUTCOME_TIMED_OUT && dl > 0) {
		B.set_us[B.ntimed] = (double)(r->run_ns - B.timeout_ns) / 1e3;
		B.late_us[B.ntimed] = (double)(now - dl) / 1e3;
		B.ntimed++;
	} else {
		B.nother++;
	}
	if (++B.ndone == B.tasks)
		sem_post(&B.all_done);
}

int
main(int argc, char **argv)
{
	long workers = 8, timeout_ms = 10, queue = 1024;
	struct bu_opt opts[] = {
	    {"workers", &workers, "worker threads"},
	    {"tasks", &B.tasks, "sleeping tasks"},
	    {"timeout-ms", &timeout_ms, "per-task timeout"},
	    {"sleep-ms", &B.sleep_ms, "how long each task sleeps"},
	    {"ignore", &B.ignore, "1: nanosleep, ignore the context"},
	    {"queue", &queue, "task queue capacity"},
	    {NULL, NULL, NULL},
	};
	struct wp_task_opts to;
	struct wp_config cfg;
	wp_pool *pool;
	uint64_t id;
	int64_t t0;
	int rc;

	B.tasks = 1000;
	B.sleep_ms = 30;
	bu_parse(argc, argv, "bench-timeout-lateness", opts);
	B.timeout_ns = timeout_ms * 1000000;
	B.deadline = calloc((size_t)B.tasks, sizeof *B.deadline);
	B.set_us = calloc((size_t)B.tasks, sizeof *B.set_us);
	B.late_us = calloc((size_t)B.tasks, sizeof *B.late_us);
	if (!B.deadline || !B.set_us || !B.late_us || B.tasks < 1)
		return 1;
	sem_init(&B.all_done, 0, 0);
	bu_config(&cfg, (unsigned)workers, (unsigned)queue);
	cfg.on_result = on_result;
	pool = bu_pool(&cfg);
	wp_task_opts_init(&to);
	to.timeout_ms = (uint64_t)timeout_ms;
	to.kind = "sleeper";

	/* Ids are consecutive from 1 in a fresh pool; checked below. */
	B.first_id = 1;
	t0 = bu_now();
	for (long i = 0; i < B.tasks; i++) {
		while ((rc = wp_submit_wait(pool, sleeper, NULL, &to, 60000,
					    &id)) == WP_ETIMEDOUT)
			;
		bu_check(rc, "wp_submit_wait");
		if (i == 0 && id != 1) {
			fprintf(stderr, "bench: first task id %llu, not 1\n",
				(unsigned long long)id);
			return 1;
		}
	}
	while (sem_wait(&B.all_done) != 0 && errno == EINTR)
		;
	double secs = (double)(bu_now() - t0) / 1e9;
	bu_check(wp_pool_destroy(pool), "wp_pool_destroy");

	size_t n = (size_t)B.ntimed;
	printf("bench=timeout-lateness workers=%ld tasks=%ld timeout_ms=%ld "
	       "mode=%s timed_out=%ld other=%ld set_p50_us=%.0f "
	       "set_p99_us=%.0f set_max_us=%.0f late_p50_us=%.0f "
	       "late_p99_us=%.0f late_max_us=%.0f seconds=%.2f\n",
	       workers, B.tasks, timeout_ms, B.ignore ? "ignore" : "ctx",
	       B.ntimed, B.nother, bu_quantile(B.set_us, n, 0.5),
	       bu_quantile(B.set_us, n, 0.99), bu_max(B.set_us, n),
	       bu_quantile(B.late_us, n, 0.5), bu_quantile(B.late_us, n, 0.99),
	       bu_max(B.late_us, n), secs);
	return 0;
}
