/*
 * signal.c - the seven layer signals (S1.1).
 *
 * DESIGN
 * Each signal is a one-shot latch (pool->sig[]) set under pool->mu and
 * broadcast to the threads that watch it; a second firing returns
 * WP_EALREADY.  Any thread may fire any signal at any time after start.
 *   L1 cancel        every thread: workers exit, running tasks' contexts
 *                    are done, queued tasks are cancelled, timed threads
 *                    exit, passive threads deliver what is still coming.
 *   L2 shutdown      workers finish their current task and exit; queued
 *                    tasks are cancelled (delivered, free_fn called).
 *   L2 stop-monitor  the monitor exits (its last snapshot stays visible).
 *   L2 stop-health   the health checker exits.
 *   L3 close-tasks   admission closes; workers run the queue dry, exit.
 *   L3 close-results the result handler drains and exits; later results
 *                    are delivered inline.
 *   L3 close-errors  the error handler drains and exits; later entries
 *                    are dropped and counted.
 * Cancel, shutdown and close-tasks also close admission, so no task is
 * ever accepted that no worker will run.  Tasks cancelled here are taken
 * from the queue and from workers' private batches under pool->mu, and
 * delivered after the lock is released.
 */
#include "wp-internal.h"

#include <stdio.h>

/* Condition variables a signal must wake, collected under pool->mu and
 * broadcast after it is released: only those with waiters, and never with
 * the lock held (a woken thread would only block on it again). */
enum {
	KICK_WORK = 1 << 0,
	KICK_ROOM = 1 << 1,
	KICK_SPARE = 1 << 2,
	KICK_IDLE = 1 << 3,
	KICK_WATCH = 1 << 4,
	KICK_MONITOR = 1 << 5,
	KICK_HEALTH = 1 << 6,
};

/* Everything that waits for workers or room (mu held). */
static unsigned
kick_workers(wp_pool *pool)
{
	unsigned k = KICK_WATCH;

	if (pool->idle_workers)
		k |= KICK_WORK;
	if (pool->blocked_submitters)
		k |= KICK_ROOM;
	if (pool->spares)
		k |= KICK_SPARE;
	if (atomic_load(&pool->idle_waiters))
		k |= KICK_IDLE;
	pool->watch_kick = true;
	return k;
}

/* A root cancel ends every task's sleep (mu held; lock order allows the
 * threads' sleep locks under it). */
static void
wake_sleepers(wp_pool *pool)
{
	struct wp__thread *t;

	for (t = pool->threads; t; t = t->next_all) {
		if ((atomic_load(&t->run) & 3) == WP__RUN_IDLE)
			continue;
		pthread_mutex_lock(&t->sleep_mu);
		pthread_cond_broadcast(&t->sleep_cv);
		pthread_mutex_unlock(&t->sleep_mu);
	}
}

static void
kick(wp_pool *pool, unsigned k)
{
	if (k & KICK_WORK)
		pthread_cond_broadcast(&pool->work_cv);
	if (k & KICK_ROOM)
		pthread_cond_broadcast(&pool->room_cv);
	if (k & KICK_SPARE)
		pthread_cond_broadcast(&pool->spare_cv);
	if (k & KICK_IDLE)
		pthread_cond_broadcast(&pool->idle_cv);
	if (k & KICK_WATCH)
		pthread_cond_broadcast(&pool->watch_cv);
	if (k & KICK_MONITOR)
		pthread_cond_broadcast(&pool->monitor_cv);
	if (k & KICK_HEALTH)
		pthread_cond_broadcast(&pool->health_cv);
}

static void
close_queue_locked(pthread_mutex_t *mu, bool *closed, pthread_cond_t *a,
		   pthread_cond_t *b)
{
	pthread_mutex_lock(mu);
	if (closed)
		*closed = true;
	pthread_cond_broadcast(a);
	if (b)
		pthread_cond_broadcast(b);
	pthread_mutex_unlock(mu);
}

static void
append(struct wp__task **list, struct wp__task *more)
{
	while (*list)
		list = &(*list)->next;
	*list = more;
}

int
wp__fire(wp_pool *pool, enum wp_signal sig)
{
	struct wp__task *list = NULL;
	unsigned k = 0;

	if (!pool || (unsigned)sig >= WP_SIG_COUNT)
		return WP_EINVAL;
	pthread_mutex_lock(&pool->mu);
	if (!pool->started) {
		pthread_mutex_unlock(&pool->mu);
		return WP_ESTATE;
	}
	if (atomic_load(&pool->sig[sig])) {
		pthread_mutex_unlock(&pool->mu);
		return WP_EALREADY;
	}
	atomic_store(&pool->sig_at[sig], wp__now());
	atomic_store(&pool->sig[sig], true);
	switch (sig) {
	case WP_SIG_CANCEL:
	case WP_SIG_SHUTDOWN:
		pool->accepting = false;
		list = wp__steal_all(pool);
		append(&list, wp__taskq_take_all(&pool->tasks));
		k = kick_workers(pool);
		break;
	case WP_SIG_CLOSE_TASKS:
		pool->accepting = false;
		k = kick_workers(pool);
		break;
	case WP_SIG_STOP_MONITOR:
		k = KICK_MONITOR;
		break;
	case WP_SIG_STOP_HEALTH:
		k = KICK_HEALTH;
		break;
	default:
		break;
	}
	if (sig == WP_SIG_CANCEL) {
		k |= KICK_MONITOR | KICK_HEALTH;
		wake_sleepers(pool);
	}
	pthread_mutex_unlock(&pool->mu);
	kick(pool, k);

	if (sig == WP_SIG_CLOSE_RESULTS || sig == WP_SIG_CANCEL)
		close_queue_locked(&pool->results.mu,
				   sig == WP_SIG_CANCEL ? NULL
							: &pool->results.closed,
				   &pool->results.not_empty,
				   &pool->results.not_full);
	if (sig == WP_SIG_CLOSE_ERRORS || sig == WP_SIG_CANCEL)
		close_queue_locked(&pool->errors.mu,
				   sig == WP_SIG_CANCEL ? NULL
							: &pool->errors.closed,
				   &pool->errors.not_empty, NULL);
	wp__event(pool, WP_EV_SIGNAL, 0, -1, "%s (L%d) fired",
		  wp_signal_name(sig), wp_signal_layer(sig));
	if (list)
		wp__cancel_list(pool, list);
	return 0;
}

int
wp_pool_signal(wp_pool *pool, enum wp_signal sig)
{
	return wp__fire(pool, sig);
}

int
wp_pool_cancel(wp_pool *pool)
{
	return wp__fire(pool, WP_SIG_CANCEL);
}

int
wp_pool_shutdown(wp_pool *pool)
{
	return wp__fire(pool, WP_SIG_SHUTDOWN);
}

int
wp_pool_stop_monitor(wp_pool *pool)
{
	return wp__fire(pool, WP_SIG_STOP_MONITOR);
}

int
wp_pool_stop_health(wp_pool *pool)
{
	return wp__fire(pool, WP_SIG_STOP_HEALTH);
}

int
wp_pool_close_tasks(wp_pool *pool)
{
	return wp__fire(pool, WP_SIG_CLOSE_TASKS);
}

int
wp_pool_close_results(wp_pool *pool)
{
	return wp__fire(pool, WP_SIG_CLOSE_RESULTS);
}

int
wp_pool_close_errors(wp_pool *pool)
{
	return wp__fire(pool, WP_SIG_CLOSE_ERRORS);
}

void
wp_pool_signals(const wp_pool *pool, struct wp_signal_state out[WP_SIG_COUNT])
{
	if (!pool || !out)
		return;
	for (int i = 0; i < WP_SIG_COUNT; i++) {
		out[i].fired = atomic_load(&pool->sig[i]);
		out[i].at_ns = out[i].fired ? atomic_load(&pool->sig_at[i]) : 0;
	}
}

