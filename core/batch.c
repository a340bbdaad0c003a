/*
 * batch.c - workers' private batches.
 *
 * DESIGN
 * Taking one task per lock round trip made the queue lock the bottleneck,
 * so a worker takes up to WP__BATCH_MAX tasks at once:
 * about its fair share of the queue, fewer when its tasks run long (so a
 * long task never sits in front of work an idle worker could do).  The
 * batch is still the pool's: the owner takes the next task with a CAS on
 * bq_head, and anyone holding pool->mu may take the rest with the opposite
 * CAS.  That is how pause and resize put tasks back in the queue, how
 * cancel and shutdown cancel them at once, and how the watchdog rescues
 * the tasks queued behind a task that overstayed its deadline.
 *
 * Locking: bq[] and bq_tail are written by the owner under pool->mu when it
 * takes a batch; bq_head moves by CAS only, forward.  The owner takes the
 * next task without a lock; stealers hold pool->mu.
 */
#include "wp-internal.h"

/* A batch is sized to take about this long to run. */
#define BATCH_BUDGET_NS 20000

struct wp__task *
wp__batch_next(struct wp__thread *t)
{
	unsigned h = atomic_load_explicit(&t->bq_head, memory_order_relaxed);

	while (h < t->bq_tail)
		if (atomic_compare_exchange_weak(&t->bq_head, &h, h + 1))
			return t->bq[h];
	return NULL;
}

struct wp__task *
wp__batch_steal(struct wp__thread *t)
{
	struct wp__task *head = NULL, **link = &head;
	unsigned h = atomic_load(&t->bq_head), tail = t->bq_tail;

	while (h < tail && !atomic_compare_exchange_weak(&t->bq_head, &h, tail))
		;
	for (; h < tail; h++) {
		*link = t->bq[h];
		link = &t->bq[h]->next;
	}
	*link = NULL;
	return head;
}

struct wp__task *
wp__steal_all(wp_pool *pool)
{
	struct wp__task *head = NULL, **link = &head, *l;
	struct wp__thread *t;

	for (t = pool->threads; t; t = t->next_all) {
		l = wp__batch_steal(t);
		*link = l;
		while (*link)
			link = &(*link)->next;
	}
	return head;
}

void
wp__requeue(wp_pool *pool, struct wp__task *list)
{
	struct wp__task *rev = NULL, *t, *next;

	for (t = list; t; t = next) {
		next = t->next;
		t->next = rev;
		rev = t;
	}
	for (t = rev; t; t = next) {
		next = t->next;
		wp__taskq_push_front(&pool->tasks, t);
	}
	if (list && pool->idle_workers)
		pthread_cond_signal(&pool->work_cv);
}

/* How many tasks to take (mu held): a fair share of the queue, no more
 * than runs in about BATCH_BUDGET_NS at this thread's usual task length. */
unsigned
wp__batch_size(const wp_pool *pool, const struct wp__thread *t)
{
	unsigned n = pool->tasks.len / WP__MAX(pool->live_workers, 1u);
	int64_t typical = t->ewma_ns > 0 ? t->ewma_ns : 1;
	int64_t fit = BATCH_BUDGET_NS / typical;

	if ((int64_t)n > fit)
		n = (unsigned)WP__MAX(fit, 1);
	return WP__MIN(WP__MAX(n, 1u), (unsigned)WP__BATCH_MAX);
}

