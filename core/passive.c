/*
 * passive.c - the passive thread class: result and error handlers (S2.2).
 *
 * DESIGN
 * "wp-results" takes every outcome from the workers' lanes and the side
 * list (lane.c) and calls cfg.on_result for each; "wp-errors" drains the
 * error queue and calls cfg.on_error.  Both are driven by their queues
 * alone: they exit when their queue is closed (L3) and, on a root cancel
 * (L1), once nothing is queued and no producer is left.  Either way they
 * drain first: nothing accepted is lost (the Go code returned on
 * ctx.Done() and dropped what was queued).
 *
 * Producers (threads filling a slot, and the watchdog) register in
 * `producers` so a cancelled consumer knows when nothing more can come.
 * Results are always delivered exactly once: by the handler while it
 * lives, inline by their producer (counted as results_direct) once it has
 * gone.  deliver_mu serialises the result callback across both paths.
 *
 * The result handler sleeps on its futex word (rstate) when a pass found
 * nothing; workers wake it in batches (lane.c).  While tasks are in flight
 * the sleep is bounded (SAFETY_NS), so a result stranded behind a task far
 * longer than the usual ones is still delivered within that bound.  The
 * error queue never blocks: full or closed, the entry is dropped and
 * counted (S5.1).
 */
#include "wp-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The result handler's longest sleep while tasks are in flight. */
#define SAFETY_NS (10 * WP__NS_PER_MS)

int
wp__errorq_init(struct wp__errorq *q, unsigned cap)
{
	memset(q, 0, sizeof *q);
	q->cap = cap;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	return 0;
}

void
wp__errorq_fini(struct wp__errorq *q)
{
	struct wp__errnode *e, *next;

	for (e = q->head; e; e = next) {
		next = e->next;
		free(e);
	}
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->mu);
}

void
wp__producer_enter(wp_pool *pool)
{
	atomic_fetch_add(&pool->producers, 1);
	pthread_mutex_lock(&pool->errors.mu);
	pool->errors.producers++;
	pthread_mutex_unlock(&pool->errors.mu);
}

void
wp__producer_leave(wp_pool *pool)
{
	if (atomic_fetch_sub(&pool->producers, 1) == 1)
		wp__results_wake(pool);
	pthread_mutex_lock(&pool->errors.mu);
	if (--pool->errors.producers == 0)
		pthread_cond_broadcast(&pool->errors.not_empty);
	pthread_mutex_unlock(&pool->errors.mu);
}

bool
wp__is_idle(wp_pool *pool)
{
	return atomic_load(&pool->n.delivered) ==
	       atomic_load(&pool->n.next_task_id);
}

void
wp__report_error(wp_pool *pool, uint64_t task_id, const char *kind,
		 int worker, enum wp_outcome o, int code, const char *msg)
{
	struct wp__errorq *q = &pool->errors;
	struct wp__errnode *e = malloc(sizeof *e);

	if (!e) {
		atomic_fetch_add(&pool->n.errors_dropped, 1);
		return;
	}
	memset(e, 0, sizeof *e);
	e->e.task_id = task_id;
	e->e.outcome = o;
	e->e.code = code;
	e->e.worker = worker;
	e->e.at_ns = wp__now();
	wp__kind_copy(e->e.kind, kind ? kind : "task");
	snprintf(e->e.msg, sizeof e->e.msg, "%s", msg ? msg : "");

	pthread_mutex_lock(&q->mu);
	if (q->closed || !q->consumer_alive || q->len >= q->cap) {
		pthread_mutex_unlock(&q->mu);
		free(e);
		atomic_fetch_add(&pool->n.errors_dropped, 1);
		return;
	}
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	if (++q->len > q->hwm)
		q->hwm = q->len;
	atomic_fetch_add(&pool->n.errors_reported, 1);
	if (q->consumer_waiting)
		pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

/* The consumer's exit rule: closed, or cancelled with nothing to come. */
static bool
consumer_done(wp_pool *pool, bool closed, unsigned producers)
{
	return closed ||
	       (atomic_load(&pool->sig[WP_SIG_CANCEL]) && producers == 0);
}

/* The result handler's exit rule: closed, or cancelled with nothing left
 * to come. */
static bool
results_done(wp_pool *pool)
{
	return atomic_load(&pool->res_close) ||
	       (atomic_load(&pool->sig[WP_SIG_CANCEL]) &&
		atomic_load(&pool->producers) == 0 &&
		!wp__results_pending(pool));
}

/* Sleeps until a producer wakes it (AWAKE -> SLEEPING, look once more,
 * futex wait).  Bounded while tasks are in flight. */
static void
results_sleep(wp_pool *pool)
{
	uint32_t s = WP__R_AWAKE;
	int64_t bound = -1;
	unsigned queued;

	if (!atomic_compare_exchange_strong(&pool->rstate, &s,
					    WP__R_SLEEPING))
		return;
	wp__fence();
	queued = wp__results_takeable(pool);
	if (queued >= WP_RESULT_BATCH || atomic_load(&pool->side_len) ||
	    results_done(pool)) {
		s = WP__R_SLEEPING;
		atomic_compare_exchange_strong(&pool->rstate, &s,
					       WP__R_AWAKE);
		return;
	}
	/* A few results came in since the pass: let them gather.  Passes of
	 * one or two results, back to back, would keep this thread on a CPU
	 * (maybe a submitter's) pulling every record's cache line from the
	 * worker's as it is written.  The workers wake us when a batch is
	 * due (lane.c); the bound covers records pushed while we were awake,
	 * which no worker counts. */
	if (queued)
		bound = WP__LANE_AGE_NS;
	else if (!wp__is_idle(pool) && atomic_load(&pool->awake) > 0)
		bound = SAFETY_NS;
	wp__futex_wait(&pool->rstate, WP__R_SLEEPING, bound);
	s = WP__R_SLEEPING;
	atomic_compare_exchange_strong(&pool->rstate, &s, WP__R_AWAKE);
}

void *
wp__results_main(void *arg)
{
	wp_pool *pool = arg;

	/* Not worth preempting a worker or a submitter for at its wake-up
	 * (docs/design.md, "Waking the handler in batches"). */
	wp__thread_background();
	wp__self.pool = pool;
	for (;;) {
		if (wp__results_pass(pool))
			continue;
		if (results_done(pool))
			break;
		results_sleep(pool);
	}
	wp__results_close(pool);
	wp__aux_exited(pool, WP_THREAD_RESULTS);
	return NULL;
}

void *
wp__errors_main(void *arg)
{
	wp_pool *pool = arg;
	struct wp__errorq *q = &pool->errors;
	struct wp__errnode *list, *e, *next;

	/* Nor for logging an error, nor at its exit in a stop (a woken
	 * thread that preempts the stopper delays every later phase). */
	wp__thread_background();
	wp__self.pool = pool;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		if (q->head) {
			list = q->head;
			q->head = q->tail = NULL;
			q->len = 0;
			pthread_mutex_unlock(&q->mu);
			for (e = list; e; e = next) {
				next = e->next;
				if (pool->cfg.on_error &&
				    wp__cb_enter(pool)) {
					pool->cfg.on_error(pool->cfg.udata,
							   &e->e);
					wp__cb_leave(pool);
				}
				free(e);
			}
			pthread_mutex_lock(&q->mu);
			continue;
		}
		if (consumer_done(pool, q->closed, q->producers))
			break;
		q->consumer_waiting = true;
		pthread_cond_wait(&q->not_empty, &q->mu);
		q->consumer_waiting = false;
	}
	q->consumer_alive = false;
	pthread_mutex_unlock(&q->mu);
	wp__aux_exited(pool, WP_THREAD_ERRORS);
	return NULL;
}
