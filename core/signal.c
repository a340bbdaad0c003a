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
 * Cancel, shutdown and close-tasks also close admission (the queue's
 * closed bit), so no task is ever accepted that no worker will run.  The
 * workers learn of a signal through their gate word (worker.c) and are
 * woken from their futex; tasks cancelled here are taken from the queue
 * (waiting for pushes that claimed a place just before the close) and
 * their outcomes delivered after pool->mu is released.
 */
#include "wp-internal.h"

#include <stdlib.h>

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

/* Everything that waits for workers or room.  Called after pool->mu is
 * released: a thread woken while the firer still holds it would only
 * block again on the lock, and every unlock would then wake one more, a
 * wake-up each (tens of microseconds on a VM).  The predicates changed
 * under the lock, so a broadcast after it loses nobody. */
static void
kick_workers(wp_pool *pool)
{
	wp__workers_wake(pool, -1);
	wp__room_wake(pool);
	pthread_cond_broadcast(&pool->spare_cv);
	pthread_cond_broadcast(&pool->idle_cv);
	pthread_cond_broadcast(&pool->watch_cv);
}

int
wp__fire(wp_pool *pool, enum wp_signal sig)
{
	struct wp__task *held = NULL;
	char (*kinds)[WP_KIND_MAX] = NULL;
	unsigned nheld = 0;
	bool drain = false;

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
	/* The queue closes and the workers' gate shuts before the signal's
	 * flag is raised: a running task that sees the cancel and returns
	 * must find its worker's gate shut, or that worker could take a
	 * queued task and run it instead of it being cancelled. */
	if (sig == WP_SIG_CANCEL || sig == WP_SIG_SHUTDOWN) {
		wp__q_close(&pool->tasks);
		atomic_fetch_or(&pool->gate, WP__G_HALT);
	} else if (sig == WP_SIG_CLOSE_TASKS) {
		wp__q_close(&pool->tasks);
		atomic_fetch_or(&pool->gate, WP__G_CLOSE);
	}
	atomic_store(&pool->sig_at[sig], wp__now());
	atomic_store(&pool->sig[sig], true);
	switch (sig) {
	case WP_SIG_CANCEL:
	case WP_SIG_SHUTDOWN:
		pool->watch_kick = pool->watch_rescan = true;
		/* Tasks held in batches behind running tasks: cancelled
		 * below, with the queue. */
		nheld = wp__batches_steal(pool, &held, &kinds);
		drain = true;
		break;
	case WP_SIG_CLOSE_TASKS:
		pool->watch_kick = pool->watch_rescan = true;
		break;
	case WP_SIG_CLOSE_RESULTS:
		atomic_store(&pool->res_close, true);
		break;
	default:
		break;
	}
	if (sig == WP_SIG_CANCEL)
		wake_sleepers(pool);
	pthread_mutex_unlock(&pool->mu);

	/* The wake-ups, outside the lock (kick_workers). */
	if (sig == WP_SIG_CANCEL || sig == WP_SIG_SHUTDOWN ||
	    sig == WP_SIG_CLOSE_TASKS)
		kick_workers(pool);
	if (sig == WP_SIG_STOP_MONITOR || sig == WP_SIG_CANCEL)
		pthread_cond_broadcast(&pool->monitor_cv);
	if (sig == WP_SIG_STOP_HEALTH || sig == WP_SIG_CANCEL)
		pthread_cond_broadcast(&pool->health_cv);

	if (sig == WP_SIG_CLOSE_RESULTS || sig == WP_SIG_CANCEL)
		wp__results_wake(pool);
	if (sig == WP_SIG_CLOSE_ERRORS || sig == WP_SIG_CANCEL) {
		pthread_mutex_lock(&pool->errors.mu);
		if (sig == WP_SIG_CLOSE_ERRORS)
			pool->errors.closed = true;
		pthread_cond_broadcast(&pool->errors.not_empty);
		pthread_mutex_unlock(&pool->errors.mu);
	}
	wp__event(pool, WP_EV_SIGNAL, 0, -1, "%s (L%d) fired",
		  wp_signal_name(sig), wp_signal_layer(sig));
	if (drain) {
		wp__q_drain(pool, wp__cancel_queued);
		for (unsigned i = 0; i < nheld; i++)
			wp__cancel_queued(pool, &held[i],
					  held[i].has_kind ? kinds[i] : NULL);
		free(held);
		free(kinds);
	}
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

