/*
 * chan.c - the task queue: ten FIFO lists, one per priority.
 *
 * The queue is intrusive (tasks carry their own link), so a push or pop
 * never allocates and its capacity is only a number: it can change while
 * the pool runs.  Pop takes the highest non-empty priority (a bitmask
 * finds it in one instruction) and is FIFO within a priority.  All of it
 * runs under pool->mu; admission (pool->accepting) is checked in the same
 * critical section as the push, in submit.c.  `hint` mirrors the length
 * for a spinning worker to peek at without the lock.
 */
#include "wp-internal.h"

void
wp__taskq_push(struct wp__taskq *q, struct wp__task *t)
{
	int p = t->priority;

	t->next = NULL;
	if (q->tail[p])
		q->tail[p]->next = t;
	else
		q->head[p] = t;
	q->tail[p] = t;
	q->mask |= 1u << p;
	q->len++;
	if (q->len > q->hwm)
		q->hwm = q->len;
	atomic_store_explicit(&q->hint, q->len, memory_order_relaxed);
}

struct wp__task *
wp__taskq_pop(struct wp__taskq *q)
{
	struct wp__task *t;
	int p;

	if (q->mask == 0)
		return NULL;
	p = 31 - __builtin_clz(q->mask);
	t = q->head[p];
	q->head[p] = t->next;
	if (!q->head[p]) {
		q->tail[p] = NULL;
		q->mask &= ~(1u << p);
	}
	q->len--;
	atomic_store_explicit(&q->hint, q->len, memory_order_relaxed);
	t->next = NULL;
	return t;
}

void
wp__taskq_push_front(struct wp__taskq *q, struct wp__task *t)
{
	int p = t->priority;

	t->next = q->head[p];
	q->head[p] = t;
	if (!q->tail[p])
		q->tail[p] = t;
	q->mask |= 1u << p;
	q->len++;
	if (q->len > q->hwm)
		q->hwm = q->len;
	atomic_store_explicit(&q->hint, q->len, memory_order_relaxed);
}

struct wp__task *
wp__taskq_take_all(struct wp__taskq *q)
{
	struct wp__task *head = NULL, **link = &head;
	int p;

	for (p = WP_PRIORITY_MAX; p >= WP_PRIORITY_MIN; p--) {
		if (!q->head[p])
			continue;
		*link = q->head[p];
		link = &q->tail[p]->next;
		q->head[p] = q->tail[p] = NULL;
	}
	q->mask = 0;
	q->len = 0;
	atomic_store_explicit(&q->hint, 0, memory_order_relaxed);
	return head;
}

int64_t
wp__taskq_oldest(const struct wp__taskq *q)
{
	int64_t oldest = 0;
	int p;

	for (p = WP_PRIORITY_MIN; p <= WP_PRIORITY_MAX; p++)
		if (q->head[p] &&
		    (oldest == 0 || q->head[p]->submit_ns < oldest))
			oldest = q->head[p]->submit_ns;
	return oldest;
}
