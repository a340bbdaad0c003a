/*
 * lane.c - how outcomes travel from the workers to the result handler.
 *
 * DESIGN
 * Each worker slot owns a lane: a single-producer single-consumer ring of
 * compact records (48 bytes; a message or a kind label only when there is
 * one).  The slot's thread is the producer (a slot changes hands only
 * under pool->mu, after its previous thread has stopped pushing), the
 * result handler ("wp-results", passive.c) the consumer.  A push is a copy
 * and a release store; no lock is shared by two workers.  Outcomes made
 * anywhere else (a timeout, a cancelled task, a forced stop) go on the side
 * list under side_mu, which the handler drains with the lanes.
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
 * Back-pressure.  A lane holds at most `lane_share` records: the result
 * queue's capacity shared among the workers, at least one each.  A worker
 * whose lane is full wakes the handler and waits (spins briefly, then
 * parks on the lane's `space` futex); the handler wakes it after it has
 * taken records.
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

/* A worker whose lane is full watches it this long before parking. */
#define FULL_SPIN_NS (20 * WP__NS_PER_US)

struct wp__lane *
wp__lane_new(void)
{
	struct wp__lane *l = aligned_alloc(WP__CACHELINE, sizeof *l);

	if (!l)
		return NULL;
	/* The record arrays are written before they are read: no need to
	 * touch (and commit) them now. */
	memset(l, 0, offsetof(struct wp__lane, rec));
	return l;
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

void
wp__rec_result(const struct wp__rec *rec, const char *msg, const char *kind,
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

			wp__rec_result(&l->rec[i], l->msg[i], l->kind[i], &r);
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

/* The producer, once the handler is gone, is its lane's consumer too. */
static void
drain_inline(wp_pool *pool, struct wp__lane *l)
{
	uint64_t h = atomic_load_explicit(&l->head, memory_order_acquire);
	uint64_t t = atomic_load_explicit(&l->tail, memory_order_relaxed);
	unsigned n;

	if (h == t)
		return;
	n = deliver_lane(pool, l, h, t);
	atomic_store_explicit(&l->head, t, memory_order_release);
	l->head_cache = t;
	l->nout = 0;
	delivered(pool, n, true);
}

/* The handler is closing or gone: wait for gone, then deliver inline. */
static void
handler_gone(wp_pool *pool, struct wp__lane *l)
{
	while (atomic_load_explicit(&pool->rstate, memory_order_acquire) !=
	       WP__R_GONE)
		sched_yield();
	drain_inline(pool, l);
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

/* Waits for room in a full lane. */
static void
wait_room(wp_pool *pool, struct wp__lane *l, uint64_t tail, unsigned share)
{
	int64_t until = wp__now() + FULL_SPIN_NS;
	unsigned i = 0;
	uint32_t sp;

	wp__fence();
	if (atomic_load(&pool->rstate) >= WP__R_CLOSING) {
		handler_gone(pool, l);
		return;
	}
	wp__results_wake(pool);
	l->nout = 0;
	while (wp__now() < until) {
		if (tail - atomic_load_explicit(&l->head,
						memory_order_acquire) <
		    share)
			return;
		wp__cpu_relax();
		if (++i % 64 == 0)
			sched_yield();
	}
	sp = atomic_load(&l->space);
	atomic_store(&l->waiting, 1);
	wp__fence();
	if (tail - atomic_load(&l->head) >= share &&
	    atomic_load(&pool->rstate) < WP__R_CLOSING) {
		wp__results_wake(pool);
		wp__futex_wait(&l->space, sp, -1);
	}
	atomic_store(&l->waiting, 0);
}

void
wp__lane_push(wp_pool *pool, struct wp__lane *l, const struct wp__rec *r,
	      const char *msg, const char *kind, int64_t now)
{
	uint64_t t = atomic_load_explicit(&l->tail, memory_order_relaxed);
	unsigned share = atomic_load_explicit(&pool->lane_share,
					      memory_order_relaxed);
	unsigned i;

	if (t - l->head_cache >= share) {
		l->head_cache = atomic_load_explicit(&l->head,
						     memory_order_acquire);
		while (t - l->head_cache >= share) {
			wait_room(pool, l, t, share);
			l->head_cache = atomic_load_explicit(
				&l->head, memory_order_acquire);
			share = atomic_load_explicit(&pool->lane_share,
						     memory_order_relaxed);
		}
	}
	i = (unsigned)(t & (WP__LANE_CAP - 1));
	l->rec[i] = *r;
	if (WP__REC_FLAGS(r) & WP__REC_MSG) {
		size_t n = strnlen(msg, WP_MSG_MAX - 1);

		memcpy(l->msg[i], msg, n);
		l->msg[i][n] = '\0';
	}
	if (WP__REC_FLAGS(r) & WP__REC_KIND)
		wp__kind_copy(l->kind[i], kind);
	atomic_store_explicit(&l->tail, t + 1, memory_order_release);
	if (l->nout++ == 0)
		l->out_since = now;
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

static void
wake_producer(struct wp__lane *l)
{
	wp__fence();
	if (atomic_load(&l->waiting)) {
		atomic_fetch_add(&l->space, 1);
		wp__futex_wake(&l->space, 1);
	}
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

		if (!l)
			continue;
		h = atomic_load_explicit(&l->head, memory_order_relaxed);
		if (h == tails[i])
			continue;
		total += deliver_lane(pool, l, h, tails[i]);
		atomic_store_explicit(&l->head, tails[i],
				      memory_order_release);
		wake_producer(l);
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
			drain_inline(pool, l);
	}
}

void
wp__results_close(wp_pool *pool)
{
	unsigned nl, n;

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
	/* Producers waiting for room now deliver their own. */
	nl = atomic_load(&pool->nlanes);
	for (unsigned i = 0; i < nl; i++) {
		struct wp__lane *l = atomic_load(&pool->lanes[i]);

		if (l) {
			atomic_fetch_add(&l->space, 1);
			wp__futex_wake(&l->space, -1);
		}
	}
}
