/*
 * submit.c - admission: putting a task into the pool.
 *
 * A submit allocates its task before taking pool->mu (never allocate under
 * the hot lock), then checks admission and pushes in one critical section:
 * a submit racing a stop either gets in, and so gets an outcome, or is
 * rejected.  A full queue rejects at once (wp_submit) or waits on room_cv
 * with a deadline (wp_submit_wait); every stop path broadcasts room_cv so
 * blocked submitters wake at once.  A blocking submit from one of the
 * pool's own threads into a full queue fails fast with WP_EWOULDDEADLOCK:
 * if every worker did that, nobody would ever make room (and a result
 * callback that waited would stop the result queue, which stops the
 * workers).
 *
 * Counting: `accepted` is bumped under pool->mu before the task becomes
 * visible to a worker, so a snapshot never shows more finished than
 * accepted.  Rejections are counted per reason.
 */
#include "wp-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
wp_task_opts_init(struct wp_task_opts *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof *o);
	o->timeout_ms = WP_TIMEOUT_DEFAULT;
	o->kind = "task";
}

/* Task nodes are recycled: malloc on one thread and free on another (the
 * result handler) was a third of the cost of a task.  The handler returns
 * whole chains to pool->nodes with one lock; a submit, while it holds
 * pool->mu for its push, leaves one node in pool->spare_node for the next
 * submit, which takes it with one exchange and no lock. */
static struct wp__task *
node_get(wp_pool *pool)
{
	struct wp__task *t = atomic_exchange(&pool->spare_node, NULL);

	if (t)
		return t;
	pthread_mutex_lock(&pool->mu);
	t = pool->nodes;
	if (t) {
		pool->nodes = t->next;
		pool->nnodes--;
	}
	pthread_mutex_unlock(&pool->mu);
	return t ? t : malloc(sizeof *t);
}

/* Refills the spare node (mu held). */
static void
node_refill(wp_pool *pool)
{
	struct wp__task *t = pool->nodes;

	if (!t || atomic_load_explicit(&pool->spare_node, memory_order_relaxed))
		return;
	pool->nodes = t->next;
	pool->nnodes--;
	t = atomic_exchange(&pool->spare_node, t);
	if (t) { /* lost a race with another refill: keep it */
		t->next = pool->nodes;
		pool->nodes = t;
		pool->nnodes++;
	}
}

void
wp__nodes_put(wp_pool *pool, struct wp__task *head, struct wp__task *tail,
	      unsigned n)
{
	struct wp__task *t, *next;

	pthread_mutex_lock(&pool->mu);
	if (pool->nnodes + n <= WP__FREE_NODES_MAX) {
		tail->next = pool->nodes;
		pool->nodes = head;
		pool->nnodes += n;
		head = NULL;
	}
	pthread_mutex_unlock(&pool->mu);
	for (t = head; t; t = next) {
		next = t->next;
		free(t);
	}
}

void
wp__nodes_free(wp_pool *pool)
{
	struct wp__task *t, *next;

	free(atomic_exchange(&pool->spare_node, NULL));
	for (t = pool->nodes; t; t = next) {
		next = t->next;
		free(t);
	}
	pool->nodes = NULL;
	pool->nnodes = 0;
}

static int
reject(wp_pool *pool, int reason, int rc)
{
	atomic_fetch_add_explicit(&pool->n.rejected[reason], 1,
				  memory_order_relaxed);
	return rc;
}

/* A bounded copy without stdio: this is on every submit. */
static void
copy_kind(char dst[WP_KIND_MAX], const char *src)
{
	size_t n = strnlen(src, WP_KIND_MAX - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static struct wp__task *
task_new(wp_pool *pool, wp_task_fn fn, void *arg,
	 const struct wp_task_opts *o)
{
	struct wp__task *t = node_get(pool);

	if (!t)
		return NULL;
	t->next = NULL;
	t->fn = fn;
	t->arg = arg;
	t->free_fn = o ? o->free_fn : NULL;
	t->priority = o ? o->priority : 0;
	if (!o || o->timeout_ms == WP_TIMEOUT_DEFAULT)
		t->timeout_ns = -1; /* resolved when the task starts */
	else if (o->timeout_ms >= (uint64_t)INT64_MAX / WP__NS_PER_MS)
		t->timeout_ns = 0; /* effectively never: run directly */
	else
		t->timeout_ns = (int64_t)o->timeout_ms * WP__NS_PER_MS;
	t->start_ns = 0;
	atomic_init(&t->outcome, WP_OUTCOME_NONE);
	copy_kind(t->kind, o && o->kind && o->kind[0] ? o->kind : "task");
	return t;
}

static int
submit(wp_pool *pool, wp_task_fn fn, void *arg, const struct wp_task_opts *o,
       bool wait, uint64_t timeout_ms, uint64_t *id)
{
	struct wp__task *t;
	int64_t deadline = 0;
	int rc = 0;

	if (!pool || !fn)
		return WP_EINVAL;
	if (o && (o->priority < WP_PRIORITY_MIN || o->priority > WP_PRIORITY_MAX))
		return WP_EINVAL;
	t = task_new(pool, fn, arg, o);
	if (!t)
		return reject(pool, WP__REJ_NOMEM, WP_ENOMEM);
	pthread_mutex_lock(&pool->mu);
	for (;;) {
		if (!pool->accepting) {
			rc = reject(pool, WP__REJ_CLOSED, WP_ECLOSED);
			break;
		}
		if (pool->tasks.len < pool->tasks.cap) {
			t->id = atomic_fetch_add_explicit(&pool->n.next_task_id,
							  1,
							  memory_order_relaxed) +
				1;
			t->submit_ns = wp__now();
			atomic_fetch_add_explicit(&pool->n.accepted, 1,
						  memory_order_relaxed);
			wp__taskq_push(&pool->tasks, t);
			node_refill(pool);
			/* Wake a worker unless enough wake-ups are already
			 * on their way. */
			if (!pool->spinning &&
			    pool->idle_workers > pool->wakes) {
				pool->wakes++;
				pthread_cond_signal(&pool->work_cv);
			}
			if (id)
				*id = t->id;
			t = NULL;
			break;
		}
		if (!wait) {
			rc = reject(pool, WP__REJ_FULL, WP_EFULL);
			break;
		}
		if (wp__self.pool == pool) {
			rc = reject(pool, WP__REJ_DEADLOCK, WP_EWOULDDEADLOCK);
			break;
		}
		/* The deadline is only read when a wait is due: most
		 * blocking submits never wait. */
		if (!deadline)
			deadline = wp__deadline_after_ms(timeout_ms);
		if (wp__now() >= deadline) {
			rc = reject(pool, WP__REJ_TIMEOUT, WP_ETIMEDOUT);
			break;
		}
		pool->blocked_submitters++;
		wp__cond_wait_until(&pool->room_cv, &pool->mu, deadline);
		pool->blocked_submitters--;
	}
	pthread_mutex_unlock(&pool->mu);
	if (t) {
		t->next = NULL;
		wp__nodes_put(pool, t, t, 1);
	}
	return rc;
}

int
wp_submit(wp_pool *pool, wp_task_fn fn, void *arg,
	  const struct wp_task_opts *opts, uint64_t *id)
{
	return submit(pool, fn, arg, opts, false, 0, id);
}

int
wp_submit_wait(wp_pool *pool, wp_task_fn fn, void *arg,
	       const struct wp_task_opts *opts, uint64_t timeout_ms,
	       uint64_t *id)
{
	return submit(pool, fn, arg, opts, true, timeout_ms, id);
}
