/*
 * chan.c - the task queue: a lock-free ring for the common case, short
 * locked lists for the rest.
 *
 * DESIGN
 * A priority-0 task (every task a caller gives no priority) is pushed into
 * a bounded ring of cells after Dmitry Vyukov's MPMC queue: each cell has
 * a sequence number that says whose turn it is, producers claim a cell by
 * CAS on `enq`, consumers by CAS on `deq`, and the task is copied into and
 * out of the cell by value.  No lock, no allocation, and no cache line
 * shared between a submitter and a worker but the cell itself.
 *
 * Everything else goes into FIFO lists under q->mu, each node allocated
 * outside the lock: priorities 1..9, the "front" list (tasks a worker took
 * and had to put back: they go first), and the "overflow" list (priority
 * 0 past the ring's size, when the capacity was raised at run time beyond
 * it).  `lmask` says which lists are non-empty, so a worker looks at them
 * only when one is (one relaxed load per pop).  Pop order: 9..1, front,
 * ring, overflow; a submit goes to the overflow list while it is not
 * empty, so priority 0 stays FIFO across ring and overflow.
 *
 * Capacity.  The logical capacity (`cap`, a run-time option) bounds ring
 * plus lists; the ring's size is fixed at create (twice the capacity
 * rounded up to a power of two, within [256, 65536]).  A producer checks the
 * capacity against `deq_hint`, a recent consumer position that is never
 * ahead of the real one, so the estimate can only overcount; only when it
 * says "full" (or a new high-water mark) does the producer read the
 * consumers' cursor itself.
 *
 * Ids.  A task's id is taken only once it has a place (after the claim),
 * from the pool's id counter: ids are dense, so the counter is also the
 * accepted count, and it is written before the task can be seen by a
 * worker (the cell is published after it).
 *
 * Closing.  Admission closes with one bit (WP__Q_CLOSED) in `enq`: a
 * producer's CAS from a cursor without the bit fails, so after the bit is
 * set no push can land in the ring; the lists check it under q->mu.  A
 * push that claimed a cell just before the close publishes it a moment
 * later; wp__q_drain() waits for such cells, so nothing accepted is left
 * behind.
 */
#include "wp-internal.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define RING_MIN 256u
#define RING_MAX 65536u
#define OVER_BIT (1u << WP__L_OVER)
#define FRONT_BIT (1u << WP__L_FRONT)
/* Tasks queued that make the queue "deep" (wp__q_deep). */
#define DEPTH_AHEAD 4

void
wp__kind_copy(char dst[WP_KIND_MAX], const char *src)
{
	size_t n = strnlen(src, WP_KIND_MAX - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
wp__q_init(struct wp__taskq *q, unsigned cap, const atomic_uint *gate)
{
	size_t size = RING_MIN;

	memset(q, 0, sizeof *q);
	q->gate = gate;
	/* Twice the capacity: a full queue never finds a cell still being
	 * copied out a lap back. */
	while (size < 2ull * cap && size < RING_MAX)
		size <<= 1;
	/* From mem.c: kept for the next pool when this one is freed. */
	q->cells = wp__mem_get(size * sizeof *q->cells, false);
	q->kinds = wp__mem_get(size * sizeof *q->kinds, false);
	if (!q->cells || !q->kinds) {
		wp__mem_put(q->cells, size * sizeof *q->cells);
		wp__mem_put(q->kinds, size * sizeof *q->kinds);
		return WP_ENOMEM;
	}
	for (size_t i = 0; i < size; i++)
		atomic_init(&q->cells[i].seq, i);
	q->mask = size - 1;
	atomic_init(&q->cap, cap);
	pthread_mutex_init(&q->mu, NULL);
	return 0;
}

void
wp__q_fini(struct wp__taskq *q)
{
	struct wp__qnode *n, *next;

	for (int l = 0; l < WP__NLISTS; l++)
		for (n = q->head[l]; n; n = next) {
			next = n->next;
			free(n);
		}
	pthread_mutex_destroy(&q->mu);
	wp__mem_put(q->cells, (q->mask + 1) * sizeof *q->cells);
	wp__mem_put(q->kinds, (q->mask + 1) * sizeof *q->kinds);
}

/* A paused or halted pool takes nothing.  Called after seeing a task (an
 * acquire of its cell, or the list lock): a task queued after the pause
 * or the halt is then never taken. */
static bool
held(const struct wp__taskq *q)
{
	return atomic_load(q->gate) & (WP__G_PAUSE | WP__G_HALT);
}

static void
note_hwm(struct wp__taskq *q, unsigned depth)
{
	unsigned h = atomic_load_explicit(&q->hwm, memory_order_relaxed);

	while (depth > h &&
	       !atomic_compare_exchange_weak(&q->hwm, &h, depth))
		;
}

static uint64_t
ring_count(struct wp__taskq *q)
{
	uint64_t e = atomic_load(&q->enq) & ~WP__Q_CLOSED;
	uint64_t d = atomic_load(&q->deq);

	return e > d ? e - d : 0;
}

/* Some more return values of ring_push. */
enum { RING_FULL = 1 /* the ring, not the capacity: use the lists */ };

static int
ring_push(wp_pool *pool, struct wp__taskq *q, const struct wp__task *t,
	  const char *kind, uint64_t *id)
{
	uint64_t pos = atomic_load_explicit(&q->enq, memory_order_relaxed);
	struct wp__cell *c;

	for (;;) {
		uint64_t dh, depth, seq;
		int64_t diff;
		unsigned cap;

		if (pos & WP__Q_CLOSED)
			return WP_ECLOSED;
		cap = atomic_load_explicit(&q->cap, memory_order_relaxed);
		dh = atomic_load_explicit(&q->deq_hint, memory_order_relaxed);
		depth = pos + 1 - dh +
			atomic_load_explicit(&q->llen, memory_order_relaxed);
		if (depth > cap ||
		    depth > atomic_load_explicit(&q->hwm,
						 memory_order_relaxed)) {
			dh = atomic_load_explicit(&q->deq,
						  memory_order_acquire);
			atomic_store_explicit(&q->deq_hint, dh,
					      memory_order_relaxed);
			depth = pos + 1 - WP__MIN(dh, pos) +
				atomic_load_explicit(&q->llen,
						     memory_order_relaxed);
			if (depth > cap)
				return WP_EFULL;
			note_hwm(q, (unsigned)WP__MIN(depth, UINT32_MAX));
		}
		c = &q->cells[pos & q->mask];
		seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		diff = (int64_t)(seq - pos);
		if (diff == 0) {
			if (atomic_compare_exchange_weak_explicit(
				    &q->enq, &pos, pos + 1,
				    memory_order_relaxed,
				    memory_order_relaxed))
				break;
		} else if (diff < 0) {
			/* The cell a lap back is still being copied out by a
			 * consumer (it has moved deq already), or the ring is
			 * really full. */
			uint64_t d = atomic_load(&q->deq);

			if (d <= pos && pos - d > q->mask)
				return RING_FULL;
			wp__cpu_relax();
			pos = atomic_load_explicit(&q->enq,
						   memory_order_relaxed);
		} else {
			pos = atomic_load_explicit(&q->enq,
						   memory_order_relaxed);
		}
	}
	/* A cell a few places on, asked for now with the intent to write:
	 * a worker took it a lap ago, and it comes back while this push and
	 * the next few go on, rather than when its own push reads it. */
	wp__prefetch_w(&q->cells[(pos + 8) & q->mask]);
	*id = atomic_fetch_add_explicit(&pool->n.next_task_id, 1,
					memory_order_relaxed) + 1;
	wp__task_copy(&c->task, t);
	c->task.id = *id;
	if (t->has_kind)
		memcpy(q->kinds[pos & q->mask], kind, WP_KIND_MAX);
	atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
	return 0;
}

static void
list_append(struct wp__taskq *q, int l, struct wp__qnode *n)
{
	n->next = NULL;
	if (q->tail[l])
		q->tail[l]->next = n;
	else
		q->head[l] = n;
	q->tail[l] = n;
	atomic_fetch_or_explicit(&q->lmask, 1u << l, memory_order_release);
	atomic_fetch_add_explicit(&q->llen, 1, memory_order_relaxed);
}

static struct wp__qnode *
node_new(const struct wp__task *t, const char *kind)
{
	struct wp__qnode *n = malloc(sizeof *n);

	if (!n)
		return NULL;
	wp__task_copy(&n->task, t);
	if (t->has_kind)
		memcpy(n->kind, kind, WP_KIND_MAX);
	return n;
}

static int
list_push(wp_pool *pool, struct wp__taskq *q, const struct wp__task *t,
	  const char *kind, int l, uint64_t *id)
{
	struct wp__qnode *n = node_new(t, kind);
	uint64_t depth;

	if (!n)
		return WP_ENOMEM;
	pthread_mutex_lock(&q->mu);
	if (wp__q_is_closed(q)) {
		pthread_mutex_unlock(&q->mu);
		free(n);
		return WP_ECLOSED;
	}
	depth = ring_count(q) + atomic_load(&q->llen) + 1;
	if (depth > atomic_load(&q->cap)) {
		pthread_mutex_unlock(&q->mu);
		free(n);
		return WP_EFULL;
	}
	*id = atomic_fetch_add_explicit(&pool->n.next_task_id, 1,
					memory_order_relaxed) + 1;
	n->task.id = *id;
	list_append(q, l, n);
	note_hwm(q, (unsigned)WP__MIN(depth, UINT32_MAX));
	pthread_mutex_unlock(&q->mu);
	return 0;
}

int
wp__q_push(wp_pool *pool, const struct wp__task *t, const char *kind,
	   uint64_t *id)
{
	struct wp__taskq *q = &pool->tasks;
	int rc;

	if (t->priority == 0 &&
	    !(atomic_load_explicit(&q->lmask, memory_order_relaxed) &
	      OVER_BIT)) {
		rc = ring_push(pool, q, t, kind, id);
		if (rc != RING_FULL)
			return rc;
	}
	return list_push(pool, q, t, kind,
			 t->priority ? t->priority : WP__L_OVER, id);
}

void
wp__q_push_front(struct wp__taskq *q, const struct wp__task *t,
		 const char *kind)
{
	struct wp__qnode *n;

	/* A node this small failing to allocate leaves the process in no
	 * state to run anything; keep the task rather than lose it. */
	while (!(n = node_new(t, kind)))
		sched_yield();
	pthread_mutex_lock(&q->mu);
	n->next = q->head[WP__L_FRONT];
	q->head[WP__L_FRONT] = n;
	if (!q->tail[WP__L_FRONT])
		q->tail[WP__L_FRONT] = n;
	atomic_fetch_or_explicit(&q->lmask, FRONT_BIT, memory_order_release);
	atomic_fetch_add_explicit(&q->llen, 1, memory_order_relaxed);
	pthread_mutex_unlock(&q->mu);
}

/* Pops list l's head (q->mu held); NULL if empty. */
static struct wp__qnode *
list_pop_locked(struct wp__taskq *q, int l)
{
	struct wp__qnode *n = q->head[l];

	if (!n)
		return NULL;
	q->head[l] = n->next;
	if (!q->head[l]) {
		q->tail[l] = NULL;
		atomic_fetch_and_explicit(&q->lmask, ~(1u << l),
					  memory_order_relaxed);
	}
	atomic_fetch_sub_explicit(&q->llen, 1, memory_order_relaxed);
	return n;
}

/* Takes the first task of the highest list in `which` (a mask). */
static bool
list_pop(struct wp__taskq *q, unsigned which, struct wp__task *out,
	 char kind[WP_KIND_MAX])
{
	if (held(q))
		return false;
	struct wp__qnode *n = NULL;
	int order[WP__NLISTS], k = 0;

	for (int p = WP_PRIORITY_MAX; p >= 1; p--)
		order[k++] = p;
	order[k++] = WP__L_FRONT;
	order[k++] = WP__L_OVER;
	pthread_mutex_lock(&q->mu);
	for (int i = 0; i < k && !n && !held(q); i++)
		if (which & (1u << order[i]))
			n = list_pop_locked(q, order[i]);
	pthread_mutex_unlock(&q->mu);
	if (!n)
		return false;
	wp__task_copy(out, &n->task);
	if (n->task.has_kind && kind)
		memcpy(kind, n->kind, WP_KIND_MAX);
	free(n);
	return true;
}

/* One ring pop.  With `wait`, a cell claimed by a push that has not
 * published it yet is waited for (only after the queue was closed, when
 * that push is the last). */
static bool
ring_pop(struct wp__taskq *q, struct wp__task *out, char kind[WP_KIND_MAX],
	 bool wait)
{
	uint64_t pos = atomic_load_explicit(&q->deq, memory_order_relaxed);
	struct wp__cell *c;

	for (;;) {
		uint64_t seq;
		int64_t diff;

		c = &q->cells[pos & q->mask];
		seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		diff = (int64_t)(seq - (pos + 1));
		if (diff == 0) {
			if (!wait && held(q))
				return false;
			if (atomic_compare_exchange_weak_explicit(
				    &q->deq, &pos, pos + 1,
				    memory_order_seq_cst,
				    memory_order_relaxed))
				break;
		} else if (diff < 0) {
			if (!wait || (atomic_load(&q->enq) & ~WP__Q_CLOSED) <=
					     pos)
				return false;
			sched_yield();
			pos = atomic_load_explicit(&q->deq,
						   memory_order_relaxed);
		} else {
			pos = atomic_load_explicit(&q->deq,
						   memory_order_relaxed);
		}
	}
	wp__task_copy(out, &c->task);
	if (out->has_kind && kind)
		memcpy(kind, q->kinds[pos & q->mask], WP_KIND_MAX);
	atomic_store_explicit(&c->seq, pos + q->mask + 1,
			      memory_order_release);
	return true;
}

/* Takes up to max consecutive published ring cells with one CAS.  With
 * `ahead`, first asks for every cell it means to take, with the intent to
 * write: the lines come over from the submitter's CPU together, and
 * already writable, so the sequence stores after the copy do not wait for
 * them again.  Only when the cells are most likely published: asking for
 * a cell the submitter is about to write takes its line from under it. */
unsigned
wp__q_take(struct wp__taskq *q, struct wp__task *out,
	   char (*kinds)[WP_KIND_MAX], unsigned max, bool ahead)
{
	uint64_t pos = atomic_load_explicit(&q->deq, memory_order_relaxed);
	unsigned k, i;

	if (ahead)
		for (k = 0; k < max; k++)
			wp__prefetch_w(&q->cells[(pos + k) & q->mask]);
	for (;;) {
		for (k = 0; k < max; k++) {
			struct wp__cell *c = &q->cells[(pos + k) & q->mask];

			if (atomic_load_explicit(&c->seq, memory_order_acquire) !=
			    pos + k + 1)
				break;
		}
		if (!k || held(q))
			return 0;
		if (atomic_compare_exchange_weak_explicit(
			    &q->deq, &pos, pos + k, memory_order_seq_cst,
			    memory_order_relaxed))
			break;
	}
	for (i = 0; i < k; i++) {
		struct wp__cell *c = &q->cells[(pos + i) & q->mask];

		wp__task_copy(&out[i], &c->task);
		if (out[i].has_kind)
			memcpy(kinds[i], q->kinds[(pos + i) & q->mask],
			       WP_KIND_MAX);
		atomic_store_explicit(&c->seq, pos + i + q->mask + 1,
				      memory_order_release);
	}
	return k;
}

bool
wp__q_pop_list(struct wp__taskq *q, struct wp__task *out,
	       char kind[WP_KIND_MAX], bool before_ring)
{
	unsigned lm = atomic_load_explicit(&q->lmask, memory_order_acquire);

	if (before_ring)
		return (lm & ~OVER_BIT) && list_pop(q, ~OVER_BIT, out, kind);
	return lm && list_pop(q, ~0u, out, kind);
}

bool
wp__q_pop(struct wp__taskq *q, struct wp__task *out, char kind[WP_KIND_MAX])
{
	unsigned lm = atomic_load_explicit(&q->lmask, memory_order_acquire);

	if ((lm & ~OVER_BIT) && list_pop(q, ~OVER_BIT, out, kind))
		return true;
	if (ring_pop(q, out, kind, false))
		return true;
	if (lm & OVER_BIT || atomic_load(&q->lmask))
		return list_pop(q, ~0u, out, kind);
	return false;
}

bool
wp__q_close(struct wp__taskq *q)
{
	uint64_t old = atomic_fetch_or(&q->enq, WP__Q_CLOSED);

	/* Taking the list lock orders the close against list pushes. */
	pthread_mutex_lock(&q->mu);
	pthread_mutex_unlock(&q->mu);
	return !(old & WP__Q_CLOSED);
}

bool
wp__q_is_closed(const struct wp__taskq *q)
{
	return atomic_load(&((struct wp__taskq *)q)->enq) & WP__Q_CLOSED;
}

bool
wp__q_is_empty(struct wp__taskq *q)
{
	return ring_count(q) == 0 && atomic_load(&q->llen) == 0;
}

unsigned
wp__q_len(struct wp__taskq *q)
{
	uint64_t n = ring_count(q) + atomic_load(&q->llen);

	return (unsigned)WP__MIN(n, UINT32_MAX);
}

bool
wp__q_deep(struct wp__taskq *q)
{
	uint64_t pos = atomic_load_explicit(&q->deq, memory_order_relaxed) +
		       DEPTH_AHEAD;

	return atomic_load_explicit(&q->cells[pos & q->mask].seq,
				    memory_order_relaxed) == pos + 1 ||
	       atomic_load_explicit(&q->llen, memory_order_relaxed) >=
		       DEPTH_AHEAD;
}

bool
wp__q_ready(struct wp__taskq *q)
{
	uint64_t pos = atomic_load_explicit(&q->deq, memory_order_relaxed);

	return atomic_load_explicit(&q->cells[pos & q->mask].seq,
				    memory_order_acquire) == pos + 1 ||
	       atomic_load_explicit(&q->lmask, memory_order_acquire) != 0;
}

int64_t
wp__q_oldest(struct wp__taskq *q)
{
	int64_t oldest = 0, s;
	uint64_t pos = atomic_load(&q->deq);
	struct wp__cell *c = &q->cells[pos & q->mask];

	/* A seqlock read of the head cell: the stamp counts only if the cell
	 * held the same task before and after. */
	if (atomic_load(&c->seq) == pos + 1) {
		s = atomic_load_explicit(&c->task.submit,
					 memory_order_relaxed);
		if (atomic_load(&c->seq) == pos + 1)
			oldest = s;
	}
	pthread_mutex_lock(&q->mu);
	for (int l = 0; l < WP__NLISTS; l++)
		if (q->head[l]) {
			s = atomic_load_explicit(&q->head[l]->task.submit,
						 memory_order_relaxed);
			if (!oldest || s < oldest)
				oldest = s;
		}
	pthread_mutex_unlock(&q->mu);
	return oldest;
}

void
wp__q_drain(wp_pool *pool,
	    void (*fn)(wp_pool *, const struct wp__task *, const char *))
{
	struct wp__taskq *q = &pool->tasks;
	struct wp__qnode *all = NULL, **link = &all, *n, *next;
	struct wp__task t;
	char kind[WP_KIND_MAX];

	/* Lists first, in pop order, so a drain cancels in the order the
	 * tasks would have run. */
	pthread_mutex_lock(&q->mu);
	for (int p = WP_PRIORITY_MAX; p >= 1; p--)
		while ((n = list_pop_locked(q, p)) != NULL)
			*link = n, link = &n->next;
	while ((n = list_pop_locked(q, WP__L_FRONT)) != NULL)
		*link = n, link = &n->next;
	pthread_mutex_unlock(&q->mu);
	*link = NULL;
	for (n = all; n; n = next) {
		next = n->next;
		fn(pool, &n->task, n->task.has_kind ? n->kind : NULL);
		free(n);
	}
	while (ring_pop(q, &t, kind, wp__q_is_closed(q)))
		fn(pool, &t, t.has_kind ? kind : NULL);
	pthread_mutex_lock(&q->mu);
	all = NULL;
	link = &all;
	while ((n = list_pop_locked(q, WP__L_OVER)) != NULL)
		*link = n, link = &n->next;
	pthread_mutex_unlock(&q->mu);
	*link = NULL;
	for (n = all; n; n = next) {
		next = n->next;
		fn(pool, &n->task, n->task.has_kind ? n->kind : NULL);
		free(n);
	}
}
