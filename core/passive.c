/*
 * passive.c - the passive thread class: result and error handlers (S2.2).
 *
 * DESIGN
 * "wp-results" drains the result queue and calls cfg.on_result for each
 * task's outcome; "wp-errors" drains the error queue and calls
 * cfg.on_error.  Both are driven by their queue alone: they exit when it is
 * closed (L3) and, on a root cancel (L1), once it is empty and no producer
 * is left.  Either way they drain first: nothing accepted is lost (the Go
 * code returned on ctx.Done() and dropped what was queued).
 *
 * Producers (threads filling a slot, and the watchdog) register in
 * `producers` so a cancelled consumer knows when nothing more can come.
 * Anyone else who makes an outcome (a canceller, a forced stop) pushes
 * too; if the consumer is gone by then the result is delivered inline.
 * Results are always delivered exactly once: by the handler while it
 * lives, inline (counted as results_direct) once the queue is closed.
 * deliver_mu serialises the result callback across both paths.
 *
 * The result queue blocks workers when full (back-pressure); outcomes made
 * by the watchdog or by cancellation bypass the cap, which keeps them from
 * waiting on a full queue; they are bounded by the tasks that exist.  The
 * error queue never blocks: full or closed, the entry is dropped and
 * counted (S5.1).
 */
#include "wp-internal.h"

#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

/* How long a producer or the consumer watches the queue before it sleeps. */
#define HANDOFF_SPIN_NS (20 * 1000)

int
wp__resultq_init(struct wp__resultq *q, unsigned cap)
{
	memset(q, 0, sizeof *q);
	q->cap = cap;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	return 0;
}

void
wp__resultq_fini(struct wp__resultq *q)
{
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->mu);
}

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
	pthread_mutex_lock(&pool->results.mu);
	pool->results.producers++;
	pthread_mutex_unlock(&pool->results.mu);
	pthread_mutex_lock(&pool->errors.mu);
	pool->errors.producers++;
	pthread_mutex_unlock(&pool->errors.mu);
}

void
wp__producer_leave(wp_pool *pool)
{
	pthread_mutex_lock(&pool->results.mu);
	if (--pool->results.producers == 0)
		pthread_cond_broadcast(&pool->results.not_empty);
	pthread_mutex_unlock(&pool->results.mu);
	pthread_mutex_lock(&pool->errors.mu);
	if (--pool->errors.producers == 0)
		pthread_cond_broadcast(&pool->errors.not_empty);
	pthread_mutex_unlock(&pool->errors.mu);
}

bool
wp__is_idle(wp_pool *pool)
{
	return atomic_load(&pool->n.delivered) ==
	       atomic_load(&pool->n.accepted);
}

/* Hands a chain of n outcomes to the user, one callback at a time, and
 * frees the tasks. */
static void
deliver_list(wp_pool *pool, struct wp__task *list, unsigned n)
{
	struct wp__task *t;

	if (pool->cfg.on_result && wp__cb_enter(pool)) {
		pthread_mutex_lock(&pool->deliver_mu);
		for (t = list; t; t = t->next)
			pool->cfg.on_result(pool->cfg.udata, &t->res);
		pthread_mutex_unlock(&pool->deliver_mu);
		wp__cb_leave(pool);
	}
	for (t = list; t->next; t = t->next)
		;
	wp__nodes_put(pool, list, t, n);
	atomic_fetch_add(&pool->n.delivered, n);
	if (atomic_load(&pool->idle_waiters) > 0 && wp__is_idle(pool)) {
		pthread_mutex_lock(&pool->mu);
		pthread_cond_broadcast(&pool->idle_cv);
		pthread_mutex_unlock(&pool->mu);
	}
}

/* Watches a queue's length hint, for at most HANDOFF_SPIN_NS, until it is
 * below `below` (a producer waiting for room) or, with `nonempty`, above
 * zero (the consumer waiting for work).  Yields now and then: on a small
 * machine the other side needs this CPU. */
static void
peek(const atomic_uint *hint, unsigned below, bool nonempty)
{
	int64_t end = wp__now() + HANDOFF_SPIN_NS;
	unsigned i = 0, v;

	for (;;) {
		v = atomic_load_explicit(hint, memory_order_relaxed);
		if (nonempty ? v > 0 : v < below)
			return;
		wp__cpu_relax();
		if (++i % 32 == 0) {
			sched_yield();
			if (wp__now() >= end)
				return;
		}
	}
}

void
wp__deliver_batch(wp_pool *pool, struct wp__task *head, struct wp__task *tail,
		  unsigned n, bool block)
{
	struct wp__resultq *q = &pool->results;
	bool spun = false;
	unsigned cap;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		if (q->closed || !q->consumer_alive) {
			pthread_mutex_unlock(&q->mu);
			atomic_fetch_add_explicit(&pool->n.results_direct, n,
						  memory_order_relaxed);
			deliver_list(pool, head, n);
			return;
		}
		/* Below the cap a batch goes in whole: the queue may pass its
		 * cap by at most one batch per worker. */
		if (!block || q->len < q->cap)
			break;
		/* The handler usually empties the queue within microseconds:
		 * watch for that before sleeping on the futex. */
		if (!spun) {
			spun = true;
			cap = q->cap;
			pthread_mutex_unlock(&q->mu);
			peek(&q->hint, cap, false);
			pthread_mutex_lock(&q->mu);
			continue;
		}
		q->full_waiters++;
		pthread_cond_wait(&q->not_full, &q->mu);
		q->full_waiters--;
	}
	tail->next = NULL;
	if (q->tail)
		q->tail->next = head;
	else
		q->head = head;
	q->tail = tail;
	q->len += n;
	atomic_store_explicit(&q->hint, q->len, memory_order_relaxed);
	if (q->len > q->hwm)
		q->hwm = q->len;
	if (q->consumer_waiting)
		pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

void
wp__deliver_result(wp_pool *pool, struct wp__task *t, bool block)
{
	t->next = NULL;
	wp__deliver_batch(pool, t, t, 1, block);
}

void
wp__report_error(wp_pool *pool, const struct wp__task *t, enum wp_outcome o,
		 int code, const char *msg)
{
	struct wp__errorq *q = &pool->errors;
	struct wp__errnode *e = malloc(sizeof *e);

	if (!e) {
		atomic_fetch_add(&pool->n.errors_dropped, 1);
		return;
	}
	memset(e, 0, sizeof *e);
	e->e.task_id = t ? t->id : 0;
	e->e.outcome = o;
	e->e.code = code;
	e->e.worker = t ? t->res.worker : -1;
	e->e.at_ns = wp__now();
	if (t)
		memcpy(e->e.kind, t->kind, sizeof e->e.kind);
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

void
wp__cancel_list(wp_pool *pool, struct wp__task *list)
{
	struct wp__task *t, *next;
	int64_t now = wp__now();

	for (t = list; t; t = next) {
		next = t->next;
		t->next = NULL;
		wp__res_reset(t);
		t->res.never_ran = true;
		t->res.worker = -1;
		t->res.queued_ns = now - t->submit_ns;
		snprintf(t->res.msg, sizeof t->res.msg,
			 "cancelled before it started");
		wp__task_finish(pool, t, WP_OUTCOME_CANCELLED, WP_ECANCELED);
		atomic_fetch_add_explicit(&pool->n.never_ran, 1,
					  memory_order_relaxed);
		if (t->free_fn)
			t->free_fn(t->arg);
		wp__deliver_result(pool, t, false);
	}
}

/* The consumer's exit rule: closed, or cancelled with nothing to come. */
static bool
consumer_done(wp_pool *pool, bool closed, unsigned producers)
{
	return closed ||
	       (atomic_load(&pool->sig[WP_SIG_CANCEL]) && producers == 0);
}

void *
wp__results_main(void *arg)
{
	wp_pool *pool = arg;
	struct wp__resultq *q = &pool->results;
	struct wp__task *list;
	bool spun = false;
	unsigned n;

	wp__self.pool = pool;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		if (q->head) {
			list = q->head;
			n = q->len;
			q->head = q->tail = NULL;
			q->len = 0;
			atomic_store_explicit(&q->hint, 0, memory_order_relaxed);
			spun = false;
			if (q->full_waiters)
				pthread_cond_broadcast(&q->not_full);
			pthread_mutex_unlock(&q->mu);
			deliver_list(pool, list, n);
			pthread_mutex_lock(&q->mu);
			continue;
		}
		if (consumer_done(pool, q->closed, q->producers))
			break;
		/* In a stream of results the next batch is microseconds
		 * away: watch for it before sleeping (then look again). */
		if (!spun) {
			spun = true;
			pthread_mutex_unlock(&q->mu);
			peek(&q->hint, 0, true);
			pthread_mutex_lock(&q->mu);
			continue;
		}
		q->consumer_waiting = true;
		pthread_cond_wait(&q->not_empty, &q->mu);
		q->consumer_waiting = false;
		spun = false;
	}
	q->consumer_alive = false;
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->mu);
	wp__aux_exited(pool, WP_THREAD_RESULTS);
	return NULL;
}

void *
wp__errors_main(void *arg)
{
	wp_pool *pool = arg;
	struct wp__errorq *q = &pool->errors;
	struct wp__errnode *list, *e, *next;

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
