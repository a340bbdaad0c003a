/*
 * batch.c - workers' private batches.
 *
 * DESIGN
 * Taking tasks from the ring one at a time, two workers fight over the
 * consumers' cursor on every task (a contended CAS, a cache line moving
 * between CPUs each time); that was the single largest cost of a short
 * task.  So a worker whose tasks are short takes several published cells
 * with one CAS (wp__q_take) into a private batch: about BUDGET_NS of work
 * at its usual task length, at most WP__BATCH_MAX tasks.  A task's deadline
 * counts from its start, so waiting in a batch does not eat into it.
 *
 * The batch stays the pool's.  Its state is one word, head | tail << 32:
 * the owner takes bq[head] by CAS (a line only it writes: cheap), and any
 * thread holding pool->mu may take everything from head to tail by the
 * opposite CAS, marking the head STEALING while it copies, so the owner
 * never refills a batch that is being read.  That is how a cancel or a
 * shutdown cancels queued tasks held in batches at once, how a forced
 * stop and the watchdog take the tasks behind a claimed run, and how the
 * supervisor (watchdog.c) rescues tasks stuck behind a task that runs far
 * longer than usual.  The owner itself puts its remainder back at the
 * front of the queue when it pauses or its slot retires, and cancels it
 * when the pool halts.  Tasks in batches count as queued in the metrics.
 */
#include "wp-internal.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

/* A batch is sized to take about this long to run. */
#define BUDGET_NS (20 * WP__NS_PER_US)
/* Runs a thread makes before it trusts its usual task length. */
#define WARMUP_RUNS 8
#define STEALING 0xffffffffu
/* Tasks this long keep the submitter well ahead of the workers: a take
 * may ask for its cells all at once (wp__q_take's `ahead`). */
#define AHEAD_NS 500

bool
wp__batch_fill(wp_pool *pool, struct wp__thread *t)
{
	uint64_t w = atomic_load_explicit(&t->bq_ht, memory_order_acquire);
	unsigned max = 1, k;

	/* A steal in progress: the owner waits for the copy to finish. */
	while ((uint32_t)w == STEALING) {
		sched_yield();
		w = atomic_load_explicit(&t->bq_ht, memory_order_acquire);
	}
	if ((uint32_t)w < (uint32_t)(w >> 32))
		return true; /* not empty after all */
	if (t->runs >= WARMUP_RUNS) {
		int64_t budget = wp__ns2tk(BUDGET_NS);

		max = t->ewma > 0 ? (unsigned)WP__MIN(budget / t->ewma,
						      WP__BATCH_MAX)
				  : WP__BATCH_MAX;
		max = WP__MAX(max, 1u);
	}
	/* Cells asked for ahead when the last take found the queue deep and
	 * the tasks last long enough for the submitter to be well ahead (1 us
	 * tasks: +1.6 % at 2 workers, +0.2-0.8 % at 8, bench/FINDINGS.md). */
	k = wp__q_take(&pool->tasks, t->bq, t->bq_kind, max,
		       t->bq_deep && t->ewma >= wp__ns2tk(AHEAD_NS));
	t->bq_deep = k == max && max > 1;
	if (!k)
		return false;
	atomic_store_explicit(&t->bq_ht, wp__batch_word(0, k),
			      memory_order_release);
	/* Tasks wait behind each running one: the supervisor watches for a
	 * run far longer than usual. */
	if (k > 1)
		wp__supervise(pool);
	return true;
}

unsigned
wp__batch_steal(struct wp__thread *t, struct wp__task *out,
		char (*kinds)[WP_KIND_MAX])
{
	uint64_t w = atomic_load_explicit(&t->bq_ht, memory_order_acquire);
	uint32_t h, tl, i;

	for (;;) {
		h = (uint32_t)w;
		tl = (uint32_t)(w >> 32);
		if (h >= tl)
			return 0;
		if (atomic_compare_exchange_weak_explicit(
			    &t->bq_ht, &w, wp__batch_word(STEALING, tl),
			    memory_order_seq_cst, memory_order_acquire))
			break;
	}
	for (i = h; i < tl; i++) {
		wp__task_copy(&out[i - h], &t->bq[i]);
		if (out[i - h].has_kind)
			memcpy(kinds[i - h], t->bq_kind[i], WP_KIND_MAX);
	}
	atomic_store_explicit(&t->bq_ht, wp__batch_word(tl, tl),
			      memory_order_release);
	return tl - h;
}

void
wp__batch_requeue(wp_pool *pool, struct wp__thread *t)
{
	struct wp__task tasks[WP__BATCH_MAX];
	char kinds[WP__BATCH_MAX][WP_KIND_MAX];
	unsigned n = wp__batch_steal(t, tasks, kinds);

	/* Back to front in reverse, so they keep their order. */
	while (n-- > 0)
		wp__q_push_front(&pool->tasks, &tasks[n], kinds[n]);
}

unsigned
wp__batch_len(const struct wp__thread *t, int64_t *oldest)
{
	uint64_t w = atomic_load_explicit(&((struct wp__thread *)t)->bq_ht,
					  memory_order_acquire);
	uint32_t h = (uint32_t)w, tl = (uint32_t)(w >> 32);
	int64_t s;

	if (h >= tl)
		return 0;
	s = atomic_load_explicit(&t->bq[h].submit, memory_order_relaxed);
	if (oldest && (!*oldest || s < *oldest))
		*oldest = s;
	return tl - h;
}

unsigned
wp__batches_steal(wp_pool *pool, struct wp__task **tasks,
		  char (**kinds)[WP_KIND_MAX])
{
	struct wp__thread *t;
	unsigned n = 0, cap = 0;

	*tasks = NULL;
	*kinds = NULL;
	for (t = pool->threads; t; t = t->next_all)
		if (wp__batch_len(t, NULL))
			cap += WP__BATCH_MAX;
	if (!cap)
		return 0;
	*tasks = malloc(cap * sizeof **tasks);
	*kinds = malloc(cap * sizeof **kinds);
	if (!*tasks || !*kinds) {
		/* No memory for the copies: back to the queue, to be drained
		 * by the caller's next drain. */
		free(*tasks);
		free(*kinds);
		*tasks = NULL;
		*kinds = NULL;
		for (t = pool->threads; t; t = t->next_all)
			wp__batch_requeue(pool, t);
		return 0;
	}
	for (t = pool->threads; t; t = t->next_all)
		n += wp__batch_steal(t, *tasks + n, *kinds + n);
	return n;
}

void
wp__batches_cancel(wp_pool *pool)
{
	struct wp__task *tasks;
	char (*kinds)[WP_KIND_MAX];
	unsigned n;

	pthread_mutex_lock(&pool->mu);
	n = wp__batches_steal(pool, &tasks, &kinds);
	pthread_mutex_unlock(&pool->mu);
	wp__q_drain(pool, wp__cancel_queued); /* whatever went back */
	for (unsigned i = 0; i < n; i++)
		wp__cancel_queued(pool, &tasks[i],
				  tasks[i].has_kind ? kinds[i] : NULL);
	free(tasks);
	free(kinds);
}
