/*
 * lane.c - how outcomes travel from the workers to the result handler.
 *
 * DESIGN
 * Each worker slot owns a lane: a single-producer single-consumer ring of
 * compact records (32 bytes, two to a cache line; a message or a kind
 * label only when there is one).  The slot's thread is the producer (a
 * slot changes hands only under pool->mu, after its previous thread has
 * stopped pushing), the result handler ("wp-results", passive.c) the
 * consumer.  A push is a copy, a release store and a prefetch for writing
 * of the next line of records; no lock is shared by two workers.
 * Outcomes made anywhere else (a timeout, a cancelled task, a forced stop)
 * go on the side list under side_mu, which the handler drains with the
 * lanes.
 *
 * Waking the handler.  It sleeps on `rstate` (AWAKE -> SLEEPING, then a
 * futex wait) after a pass found nothing.  A wake-up costs the waker a
 * system call and, on a VM, tens of microseconds when the handler's CPU
 * is idle, so workers do not wake it per result: at the start of each run
 * (after the fence that publishes the run) a worker looks at rstate, and
 * wakes a sleeping handler only when its lane holds WP_RESULT_BATCH
 * results (or three quarters of the lane) the handler has not seen, when
 * the oldest of them is older than AGE (1 ms), or when the worker's tasks
 * are long; before it parks or leaves it
 * wakes the handler for anything.  A result stranded behind a task that
 * runs far longer than usual is picked up by the handler's own timed sleep
 * (SAFETY) while tasks are in flight.  The Dekker pair: the worker pushes,
 * fences, reads rstate; the handler sets SLEEPING, fences, reads every
 * lane.  One of them sees the other.
 *
 * A full lane.  A lane holds at most `lane_share` records: the result
 * queue's capacity shared among the workers, at least one each.  A worker
 * whose lane is full delivers the lane itself instead of waiting for the
 * handler: the handler, woken long before, may still be waiting for a CPU
 * (it runs under SCHED_BATCH, and the kernel leaves it queued behind a
 * busy submitter for hundreds of microseconds while the workers' CPU
 * idles), and a worker waiting for it is a worker not running tasks.
 * Whoever consumes a lane holds its `cmu` from reading the head to
 * storing it, so the handler and the producer never deliver the same
 * record; the handler only tries the lock and moves on to the next lane.
 * Deliveries stay one callback at a time, in order within a lane
 * (deliver_mu), and a slow callback still holds the workers back.
 *
 * Closing.  When the handler leaves (close-results, or a cancel with no
 * producer left) it marks itself CLOSING, takes everything still there,
 * closes the side list, and marks itself GONE.  A worker that finds the
 * handler CLOSING waits for GONE, then delivers its own lane inline, as
 * does every later push; deliveries stay one at a time (deliver_mu).  A
 * lane can lose its producer while the handler is gone (its thread was
 * orphaned with no replacement, or left before serving); the ordered
 * stop sweeps every lane once no producer can be left.
 */
#include "wp-internal.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

struct wp__lane *
wp__lane_new(void)
{
	/* From mem.c (a destroyed pool's lanes are kept for the next one).
	 * The record arrays are written before they are read: no need to
	 * touch (and commit) them now. */
	struct wp__lane *l = wp__mem_get(sizeof *l, false);

	if (!l)
		return NULL;
	memset(l, 0, offsetof(struct wp__lane, rec));
	pthread_mutex_init(&l->cmu, NULL);
	return l;
}

void
wp__lane_free(struct wp__lane *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->cmu);
	wp__mem_put(l, sizeof *l);
}

void
wp__results_wake(wp_pool *pool)
{
	uint32_t s = WP__R_SLEEPING;

	if (atomic_load_explicit(&pool->rstate, memory_order_relaxed) ==
		    WP__R_SLEEPING &&
	    atomic_compare_exchange_strong(&pool->rstate, &s, WP__R_AWAKE))
		wp__futex_wake(&pool->rstate, 1);
}

/* A result record as the user sees it (static: inlined into the
 * delivery loop, once per result). */
static void
rec_result(const struct wp__rec *rec, const char *msg, const char *kind,
	   struct wp_result *out)
{
	unsigned flags = WP__REC_FLAGS(rec);

	out->id = rec->id;
	out->outcome = (enum wp_outcome)WP__REC_OUTCOME(rec);
	out->code = rec->code;
	out->panicked = flags & WP__REC_PANICKED;
	out->crashed = flags & WP__REC_CRASHED;
	out->never_ran = flags & WP__REC_NEVER_RAN;
	out->priority = rec->priority;
	out->worker = rec->worker;
	out->value = rec->value;
	out->queued_ns = wp__dur_unpack(rec->queued);
	out->run_ns = wp__dur_unpack(rec->run);
	if (flags & WP__REC_KIND)
		memcpy(out->kind, kind, WP_KIND_MAX);
	else
		memcpy(out->kind, "task", 5);
	if (flags & WP__REC_MSG)
		memcpy(out->msg, msg, WP_MSG_MAX);
	else
		out->msg[0] = '\0';
}

/* Wakes anyone waiting for an idle pool, if it now is. */
static void
delivered(wp_pool *pool, unsigned n, bool inline_)
{
	atomic_fetch_add(&pool->n.delivered, n);
	if (inline_)
		atomic_fetch_add_explicit(&pool->n.results_direct, n,
					  memory_order_relaxed);
	if (atomic_load(&pool->idle_waiters) > 0 && wp__is_idle(pool)) {
		pthread_mutex_lock(&pool->mu);
		pthread_cond_broadcast(&pool->idle_cv);
		pthread_mutex_unlock(&pool->mu);
	}
}

/* Hands records [h, t) of lane l to the user, one callback at a time
 * (the caller is the lane's only consumer); returns the count. */
static unsigned
deliver_lane(wp_pool *pool, struct wp__lane *l, uint64_t h, uint64_t t)
{
	bool cb = pool->cfg.on_result && wp__cb_enter(pool);
	struct wp_result r;
	unsigned n = (unsigned)(t - h);

	if (cb) {
		pthread_mutex_lock(&pool->deliver_mu);
		for (; h != t; h++) {
			unsigned i = (unsigned)(h & (WP__LANE_CAP - 1));

			rec_result(&l->rec[i], l->msg[i], l->kind[i], &r);
			pool->cfg.on_result(pool->cfg.udata, &r);
		}
		pthread_mutex_unlock(&pool->deliver_mu);
		wp__cb_leave(pool);
	}
	return n;
}

static void
deliver_one(wp_pool *pool, const struct wp_result *r)
{
	if (pool->cfg.on_result && wp__cb_enter(pool)) {
		pthread_mutex_lock(&pool->deliver_mu);
		pool->cfg.on_result(pool->cfg.udata, r);
		pthread_mutex_unlock(&pool->deliver_mu);
		wp__cb_leave(pool);
	}
}

/* Delivers everything in lane l from here: its producer, when the lane
 * is full or the handler is gone (`direct`: counted in results_direct),
 * or the stop's last sweep once no producer is left. */
static void
deliver_own(wp_pool *pool, struct wp__lane *l, bool direct)
{
	uint64_t h, t;
	unsigned n = 0;

	pthread_mutex_lock(&l->cmu);
	h = atomic_load_explicit(&l->head, memory_order_acquire);
	t = atomic_load_explicit(&l->tail, memory_order_relaxed);
	if (h != t) {
		n = deliver_lane(pool, l, h, t);
		atomic_store_explicit(&l->head, t, memory_order_release);
	}
	pthread_mutex_unlock(&l->cmu);
	l->head_cache = t;
	l->nout = 0;
	if (n)
		delivered(pool, n, direct);
}

/* The handler is closing or gone: wait for gone, then deliver inline. */
static void
handler_gone(wp_pool *pool, struct wp__lane *l)
{
	while (atomic_load_explicit(&pool->rstate, memory_order_acquire) !=
	       WP__R_GONE)
		sched_yield();
	deliver_own(pool, l, true);
}

void
wp__lane_check(wp_pool *pool, struct wp__lane *l, int64_t now,
	       enum wp__check why)
{
	uint32_t s = atomic_load_explicit(&pool->rstate, memory_order_relaxed);

	if (WP__LIKELY(s == WP__R_AWAKE)) {
		l->nout = 0; /* it will look at the lane before it sleeps */
		return;
	}
	if (s == WP__R_SLEEPING) {
		if (!l->nout)
			return;
		if (why == WP__CHK_PARK || wp__lane_due(pool, l, now, false)) {
			l->nout = 0;
			wp__results_wake(pool);
		}
		return;
	}
	handler_gone(pool, l);
}

/* Lane l is full: its producer delivers it (above). */
static void
lane_full(wp_pool *pool, struct wp__lane *l)
{
	if (atomic_load(&pool->rstate) >= WP__R_CLOSING)
		handler_gone(pool, l);
	else
		deliver_own(pool, l, false);
}

void
wp__lane_prepare(wp_pool *pool, struct wp__lane *l, uint64_t t,
		 const struct wp__rec *r, const char *msg, const char *kind)
{
	unsigned share = atomic_load_explicit(&pool->lane_share,
					      memory_order_relaxed);
	unsigned i = (unsigned)(t & (WP__LANE_CAP - 1));

	if (t - l->head_cache >= share) {
		l->head_cache = atomic_load_explicit(&l->head,
						     memory_order_acquire);
		if (t - l->head_cache >= share)
			lane_full(pool, l); /* empties it: head is t now */
	}
	if (WP__REC_FLAGS(r) & WP__REC_MSG) {
		size_t n = strnlen(msg, WP_MSG_MAX - 1);

		memcpy(l->msg[i], msg, n);
		l->msg[i][n] = '\0';
	}
	if (WP__REC_FLAGS(r) & WP__REC_KIND)
		wp__kind_copy(l->kind[i], kind);
}

void
wp__deliver_side(wp_pool *pool, const struct wp_result *r)
{
	struct wp__rnode *n = malloc(sizeof *n);

	if (n) {
		n->next = NULL;
		n->r = *r;
		pthread_mutex_lock(&pool->side_mu);
		if (!pool->side_closed) {
			if (pool->side_tail)
				pool->side_tail->next = n;
			else
				pool->side_head = n;
			pool->side_tail = n;
			atomic_fetch_add(&pool->side_len, 1);
			pthread_mutex_unlock(&pool->side_mu);
			wp__results_wake(pool);
			return;
		}
		pthread_mutex_unlock(&pool->side_mu);
		free(n);
	}
	/* No handler (or no memory): deliver here, still one at a time. */
	deliver_one(pool, r);
	delivered(pool, 1, true);
}

/* Takes the side list (side_mu held by the caller or not needed). */
static unsigned
deliver_side_list(wp_pool *pool)
{
	struct wp__rnode *list, *n, *next;
	unsigned count = 0;

	pthread_mutex_lock(&pool->side_mu);
	list = pool->side_head;
	pool->side_head = pool->side_tail = NULL;
	atomic_store(&pool->side_len, 0);
	pthread_mutex_unlock(&pool->side_mu);
	for (n = list; n; n = next) {
		next = n->next;
		deliver_one(pool, &n->r);
		free(n);
		count++;
	}
	return count;
}

unsigned
wp__results_queued(wp_pool *pool)
{
	unsigned nl = atomic_load(&pool->nlanes), total = 0;

	for (unsigned i = 0; i < nl; i++) {
		struct wp__lane *l = atomic_load(&pool->lanes[i]);

		if (l)
			total += (unsigned)(atomic_load(&l->tail) -
					    atomic_load(&l->head));
	}
	return total + atomic_load(&pool->side_len);
}

unsigned
wp__results_takeable(wp_pool *pool)
{
	unsigned nl = atomic_load(&pool->nlanes), total = 0;

	for (unsigned i = 0; i < nl; i++) {
		struct wp__lane *l = atomic_load(&pool->lanes[i]);

		if (!l || pthread_mutex_trylock(&l->cmu) != 0)
			continue;
		total += (unsigned)(atomic_load(&l->tail) -
				    atomic_load(&l->head));
		pthread_mutex_unlock(&l->cmu);
	}
	return total + atomic_load(&pool->side_len);
}

bool
wp__results_pending(wp_pool *pool)
{
	unsigned nl = atomic_load(&pool->nlanes);

	for (unsigned i = 0; i < nl; i++) {
		struct wp__lane *l = atomic_load(&pool->lanes[i]);

		if (l && atomic_load(&l->tail) != atomic_load(&l->head))
			return true;
	}
	return atomic_load(&pool->side_len) != 0;
}

static void
note_hwm(wp_pool *pool, unsigned depth)
{
	unsigned h = atomic_load_explicit(&pool->result_hwm,
					  memory_order_relaxed);

	while (depth > h &&
	       !atomic_compare_exchange_weak(&pool->result_hwm, &h, depth))
		;
}

unsigned
wp__results_pass(wp_pool *pool)
{
	unsigned nl = atomic_load(&pool->nlanes), total = 0, queued = 0;
	uint64_t tails[WP_WORKERS_MAX];

	/* Between two passes only producers add, so what is there now is
	 * the most there has been since the last pass. */
	for (unsigned i = 0; i < nl; i++) {
		struct wp__lane *l = atomic_load(&pool->lanes[i]);

		tails[i] = l ? atomic_load_explicit(&l->tail,
						    memory_order_acquire)
			     : 0;
		if (l)
			queued += (unsigned)(tails[i] -
					     atomic_load_explicit(
						     &l->head,
						     memory_order_relaxed));
	}
	queued += atomic_load(&pool->side_len);
	if (queued)
		note_hwm(pool, queued);
	for (unsigned i = 0; i < nl; i++) {
		struct wp__lane *l = atomic_load(&pool->lanes[i]);
		uint64_t h;

		/* Its producer is delivering it (the lane was full): that
		 * leaves nothing here to take. */
		if (!l || pthread_mutex_trylock(&l->cmu) != 0)
			continue;
		h = atomic_load_explicit(&l->head, memory_order_relaxed);
		if ((int64_t)(tails[i] - h) > 0) { /* else taken already */
			total += deliver_lane(pool, l, h, tails[i]);
			atomic_store_explicit(&l->head, tails[i],
					      memory_order_release);
		}
		pthread_mutex_unlock(&l->cmu);
	}
	if (atomic_load(&pool->side_len))
		total += deliver_side_list(pool);
	if (total)
		delivered(pool, total, false);
	return total;
}

void
wp__results_sweep(wp_pool *pool)
{
	unsigned nl = atomic_load(&pool->nlanes);

	for (unsigned i = 0; i < nl; i++) {
		struct wp__lane *l = atomic_load(&pool->lanes[i]);

		if (l)
			deliver_own(pool, l, true);
	}
}

void
wp__results_close(wp_pool *pool)
{
	unsigned n;

	atomic_store(&pool->rstate, WP__R_CLOSING);
	wp__fence();
	while (wp__results_pass(pool))
		;
	pthread_mutex_lock(&pool->side_mu);
	pool->side_closed = true;
	pthread_mutex_unlock(&pool->side_mu);
	n = deliver_side_list(pool);
	if (n)
		delivered(pool, n, false);
	atomic_store_explicit(&pool->rstate, WP__R_GONE, memory_order_release);
}
