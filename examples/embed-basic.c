/*
 * embed-basic.c - libwpool in a program of your own: the README's five
 * lines, fleshed out.  docs/embedding.md walks through it.
 *
 * Two workers run twelve "fetches".  Each has a 200 ms deadline; two of
 * them would take 2 s and time out.  A result callback records every
 * outcome.  Then five long fetches go in and the ordered stop runs at
 * once: the queued ones are cancelled without running (their free
 * function releases their argument) and the running ones are cut short by
 * the stop's cancel.  The stop's report is printed phase by phase and
 * thread by thread, and the pool is destroyed.
 *
 * Exit status 0 when every submitted task got exactly one outcome and
 * every argument was released exactly once; 1 otherwise.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <wpool.h>

struct job {
	unsigned n;  /* which fetch */
	uint64_t ms; /* how long the "network" takes */
};

static atomic_uint outcomes[WP_OUTCOME_COUNT]; /* by enum wp_outcome */
static atomic_uint never_ran, released;

/* The task.  It owns its argument once it starts, so it frees it on every
 * path.  wp_ctx_sleep() stands in for a network call that watches its
 * context: it returns early when the deadline passes or the pool cancels. */
static int
fetch(wp_ctx *ctx, void *arg)
{
	struct job *job = arg;
	unsigned n = job->n;
	int rc = wp_ctx_sleep(ctx, job->ms);

	free(job);
	atomic_fetch_add(&released, 1);
	if (rc != 0)
		return rc; /* WP_ETIMEDOUT or WP_ECANCELED: timed out, cancelled */
	wp_ctx_set_value(ctx, (uint64_t)n * n);
	wp_ctx_set_message(ctx, "fetch %u done", n);
	return 0;
}

/* Called only for a task that was accepted but never started. */
static void
job_free(void *arg)
{
	free(arg);
	atomic_fetch_add(&released, 1);
}

/* Runs on the pool's result thread, one result at a time; r is borrowed
 * for the call.  Every accepted task comes here exactly once. */
static void
on_result(void *udata, const struct wp_result *r)
{
	(void)udata;
	atomic_fetch_add(&outcomes[r->outcome], 1);
	if (r->never_ran)
		atomic_fetch_add(&never_ran, 1);
	printf("task %2llu  %-9s  value %-4llu  %s\n", (unsigned long long)r->id,
	       wp_outcome_name(r->outcome), (unsigned long long)r->value,
	       r->msg);
}

/* Submits one fetch with its own deadline, waiting up to 10 s for room in
 * the queue.  On any error the pool did not take job: it is ours to free. */
static int
submit_fetch(wp_pool *pool, unsigned n, uint64_t ms, uint64_t timeout_ms)
{
	struct wp_task_opts opts;
	struct job *job = malloc(sizeof *job);
	int rc;

	if (job == NULL)
		return WP_ENOMEM;
	job->n = n;
	job->ms = ms;
	wp_task_opts_init(&opts);
	opts.timeout_ms = timeout_ms; /* or WP_TIMEOUT_NONE: run directly */
	opts.free_fn = job_free;
	opts.kind = "fetch";
	rc = wp_submit_wait(pool, fetch, job, &opts, 10000, NULL);
	if (rc != 0)
		free(job);
	return rc;
}

static void
print_report(const struct wp_stop_report *report)
{
	printf("stop %s in %.1f ms (bound %llu ms): %llu queued and %llu "
	       "running tasks cancelled\n",
	       report->forced ? "FORCED" : "clean", report->total_ms,
	       (unsigned long long)report->bound_ms,
	       (unsigned long long)report->cancelled_queued,
	       (unsigned long long)report->cancelled_running);
	for (int i = 0; i < WP_PHASE_COUNT; i++)
		if (report->phase_ms[i] >= 0)
			printf("  phase  %-13s %9.3f ms%s\n",
			       wp_stop_phase_name((enum wp_stop_phase)i),
			       report->phase_ms[i],
			       report->phase_already[i] ? " (already)" : "");
	for (unsigned i = 0; i < report->nthreads; i++) {
		const struct wp_stop_thread *t = &report->threads[i];

		if (t->exited_ns >= 0)
			printf("  thread %-13s %9.3f ms  %s\n", t->name,
			       (double)t->exited_ns / 1e6,
			       wp_thread_class_name(t->cls));
		else
			printf("  thread %-13s still alive  %s\n", t->name,
			       wp_thread_class_name(t->cls));
	}
}

int
main(void)
{
	const struct wp_stop_report *report = NULL;
	struct wp_config cfg;
	unsigned submitted = 0, total = 0;
	wp_pool *pool;
	int rc;

	wp_config_init(&cfg); /* the standard's defaults, then ours */
	cfg.workers = 2;
	cfg.on_result = on_result;
	rc = wp_pool_create(&cfg, &pool);
	if (rc != 0) {
		fprintf(stderr, "wp_pool_create: %s\n", wp_strerror(rc));
		return 1;
	}
	rc = wp_pool_start(pool);
	if (rc != 0)
		goto err_destroy;

	/* Twelve fetches with a 200 ms deadline; fetches 4 and 9 are slow. */
	for (unsigned n = 1; n <= 12; n++, submitted++) {
		rc = submit_fetch(pool, n, n == 4 || n == 9 ? 2000 : 20, 200);
		if (rc != 0)
			goto err_destroy;
	}
	rc = wp_pool_wait_idle(pool, 30000);
	if (rc != 0)
		goto err_destroy;

	/* Five long fetches without a deadline, and the ordered stop at
	 * once: two are running, three are still queued. */
	for (unsigned n = 13; n <= 17; n++, submitted++) {
		rc = submit_fetch(pool, n, 60000, WP_TIMEOUT_NONE);
		if (rc != 0)
			goto err_destroy;
	}
	rc = wp_pool_stop(pool, &report); /* ordered, bounded; report */
	if (rc != 0 && rc != WP_EFORCED)
		goto err_destroy;
	print_report(report);
	rc = wp_pool_destroy(pool);
	if (rc != 0) {
		fprintf(stderr, "wp_pool_destroy: %s\n", wp_strerror(rc));
		return 1;
	}

	for (int o = 0; o < WP_OUTCOME_COUNT; o++)
		total += atomic_load(&outcomes[o]);
	printf("%u submitted: %u completed, %u failed, %u timed out, %u "
	       "cancelled (%u never ran); %u arguments released\n",
	       submitted, atomic_load(&outcomes[WP_OUTCOME_COMPLETED]),
	       atomic_load(&outcomes[WP_OUTCOME_FAILED]),
	       atomic_load(&outcomes[WP_OUTCOME_TIMED_OUT]),
	       atomic_load(&outcomes[WP_OUTCOME_CANCELLED]),
	       atomic_load(&never_ran), atomic_load(&released));
	return total == submitted && atomic_load(&released) == submitted &&
			       atomic_load(&outcomes[WP_OUTCOME_TIMED_OUT]) == 2
		       ? 0
		       : 1;

err_destroy:
	fprintf(stderr, "embed-basic: %s\n", wp_strerror(rc));
	wp_pool_destroy(pool);
	return 1;
}
