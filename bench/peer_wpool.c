/*
 * peer_wpool.c - wpool as a pool of the peer-bench harness
 * (../shared/bench/peers, see its README.md and bench/README.md).
 *
 * wpool runs with its default settings, which do more per task than any
 * peer: monitor (5 s) and health checker running, outcome accounting,
 * processing-time histogram, and every outcome delivered to a result
 * handler (one that only counts).  The harness's queue bound is the task
 * queue capacity; a full queue blocks the submitter in wp_submit_wait(),
 * so a submit never fails.  Destroy is the ordered stop of an idle pool:
 * every thread, workers and auxiliary threads, is joined.
 *
 * The harness fixes one task function per pool and passes one argument per
 * submit; the trampoline below calls it.  The harness runs one pool at a
 * time, so the function lives in a static.
 *
 * Diagnostic knobs (never used for the comparison table; they answer
 * "what if" questions for the core): WPOOL_RESULT_CAP=n sets the result
 * queue capacity, WPOOL_NO_RESULT=1 leaves on_result unset,
 * WPOOL_MONITOR_MS=n sets the monitor interval, WPOOL_TIMEOUT_MS=n gives
 * every task a timeout, WPOOL_IDLE_SPIN_US=n sets the idle-spin option.
 */
#define _GNU_SOURCE
#include "peer_bench.h"

#include <stdio.h>
#include <stdlib.h>

#include "wpool.h"

static task_fn peer_fn;
static struct wp_task_opts *peer_opts; /* NULL: defaults */
static struct wp_task_opts timed_opts;
static unsigned long delivered; /* result callbacks run one at a time */

static int
trampoline(wp_ctx *ctx, void *arg)
{
	(void)ctx;
	peer_fn(arg);
	return 0;
}

static void
on_result(void *udata, const struct wp_result *r)
{
	(void)udata;
	(void)r;
	delivered++;
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "peer_wpool: %s: %s\n", what, wp_strerror(rc));
	exit(1);
}

static void *
wpool_create(int workers, int qcap, task_fn fn, size_t hint)
{
	struct wp_config cfg;
	wp_pool *pool;
	int rc;

	(void)hint;
	peer_fn = fn;
	wp_config_init(&cfg);
	cfg.workers = (unsigned)workers;
	cfg.task_queue_cap = (unsigned)qcap;
	cfg.on_result = on_result;
	if (getenv("WPOOL_RESULT_CAP"))
		cfg.result_queue_cap =
		    (unsigned)atoi(getenv("WPOOL_RESULT_CAP"));
	if (getenv("WPOOL_NO_RESULT"))
		cfg.on_result = NULL;
	if (getenv("WPOOL_MONITOR_MS"))
		cfg.monitor_interval_ms =
		    strtoull(getenv("WPOOL_MONITOR_MS"), NULL, 10);
	if (getenv("WPOOL_IDLE_SPIN_US"))
		cfg.idle_spin_us = strtoull(getenv("WPOOL_IDLE_SPIN_US"), NULL, 10);
	if (getenv("WPOOL_TIMEOUT_MS")) {
		wp_task_opts_init(&timed_opts);
		timed_opts.timeout_ms =
		    strtoull(getenv("WPOOL_TIMEOUT_MS"), NULL, 10);
		peer_opts = &timed_opts;
	}
	rc = wp_pool_create(&cfg, &pool);
	if (rc)
		die("create", rc);
	rc = wp_pool_start(pool);
	if (rc)
		die("start", rc);
	return pool;
}

static void
wpool_submit(void *p, void *arg)
{
	int rc;

	/* Waits for room; a very long bound, retried, so it never fails. */
	while ((rc = wp_submit_wait(p, trampoline, arg, peer_opts, 60000,
				    NULL)) == WP_ETIMEDOUT)
		;
	if (rc)
		die("submit", rc);
}

static void
wpool_destroy(void *p)
{
	int rc = wp_pool_destroy(p);

	if (rc)
		die("destroy", rc);
}

const peer_t peer_wpool = {"wpool", wpool_create,  wpool_submit,
			   0,	    wpool_destroy, 0};
