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

void
wp__task_free(struct wp__task *t)
{
	free(t);
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
task_new(wp_task_fn fn, void *arg, const struct wp_task_opts *o)
{
	struct wp__task *t = malloc(sizeof *t);

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
	memset(&t->res, 0, sizeof t->res);
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
	t = task_new(fn, arg, o);
	if (!t)
		return reject(pool, WP__REJ_NOMEM, WP_ENOMEM);
	if (wait)
		deadline = wp__deadline_after_ms(timeout_ms);

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
			/* Wake a worker unless enough wake-ups are already
			 * on their way. */
			if (pool->idle_workers > pool->wakes) {
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
		if (wp__now() >= deadline) {
			rc = reject(pool, WP__REJ_TIMEOUT, WP_ETIMEDOUT);
			break;
		}
		pool->blocked_submitters++;
		wp__cond_wait_until(&pool->room_cv, &pool->mu, deadline);
		pool->blocked_submitters--;
	}
	pthread_mutex_unlock(&pool->mu);
	if (t)
		wp__task_free(t);
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
