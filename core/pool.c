/*
 * pool.c - the pool's lifecycle: create, start, pause, resize, settings,
 * wait-idle, destroy; and the event plumbing every thread uses.
 *
 * DESIGN
 * One wp_pool owns everything it uses: no global state, so two pools in
 * one process never see each other (the only process-wide thing, fault
 * signal handlers for opt-in crash containment, lives in crash.c).
 *
 * Threads: N workers (worker.c) and five auxiliary threads: the watchdog
 * (watchdog.c), the result and error handlers (passive.c), the monitor
 * (monitor.c) and the health checker (health.c).  Lock order is written
 * once, in wp-internal.h; the hot path (submit, worker, result lanes)
 * takes no lock at all.
 *
 * Memory: the user holds one reference; a forced stop gives one to each
 * thread it leaves behind.  The last reference frees the pool, so a stuck
 * thread that returns after wp_pool_destroy() still finds valid memory.
 */
#include "wp-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long destroy waits for callbacks still running in threads a forced
 * stop left behind; one stuck in user code is not waited for longer. */
#define MUTE_WAIT_NS (1000 * WP__NS_PER_MS)

static int
init_sync(wp_pool *pool)
{
	pthread_cond_t *cvs[] = {&pool->idle_cv,    &pool->thread_cv,
				 &pool->watch_cv,   &pool->spare_cv,
				 &pool->monitor_cv, &pool->health_cv,
				 &pool->stop_cv};

	pthread_mutex_init(&pool->mu, NULL);
	pthread_mutex_init(&pool->side_mu, NULL);
	pthread_mutexattr_t rec;

	pthread_mutexattr_init(&rec);
	pthread_mutexattr_settype(&rec, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&pool->deliver_mu, &rec);
	pthread_mutexattr_destroy(&rec);
	pthread_mutex_init(&pool->stats_mu, NULL);
	pthread_mutex_init(&pool->stop_mu, NULL);
	pthread_mutex_init(&pool->evcb_mu, NULL);
	for (size_t i = 0; i < sizeof cvs / sizeof cvs[0]; i++)
		if (wp__cond_init(cvs[i]) != 0)
			return WP_ENOMEM;
	return 0;
}

int
wp_pool_create(const struct wp_config *cfg, wp_pool **out)
{
	struct wp_config c;
	wp_pool *pool;
	int rc;

	if (!out)
		return WP_EINVAL;
	if (cfg)
		c = *cfg;
	else
		wp_config_init(&c);
	rc = wp_config_validate(&c, NULL);
	if (rc)
		return rc;
	wp__config_resolve(&c);
	wp__clock_init();

	pool = aligned_alloc(WP__CACHELINE, sizeof *pool);
	if (!pool)
		return WP_ENOMEM;
	memset(pool, 0, sizeof *pool);
	pool->slots = calloc(WP_WORKERS_MAX, sizeof *pool->slots);
	if (!pool->slots)
		goto err_free_pool;
	rc = wp__q_init(&pool->tasks, c.task_queue_cap, &pool->gate);
	if (rc)
		goto err_free_slots;
	rc = wp__events_init(&pool->events, c.event_ring_cap);
	if (rc)
		goto err_free_queue;
	pool->cfg = c;
	pool->contain = c.contain_crashes;
	pool->ncpu = wp__cpus();
	atomic_init(&pool->refs, 1);
	atomic_init(&pool->watch_at, WP__NEVER);
	atomic_init(&pool->task_timeout_ns,
		    (int64_t)c.task_timeout_ms * WP__NS_PER_MS);
	atomic_init(&pool->spin_max_ns,
		    (int64_t)c.idle_spin_us * WP__NS_PER_US);
	atomic_init(&pool->spin_tk,
		    wp__ns2tk(WP__MIN(50, (int64_t)c.idle_spin_us) *
			      WP__NS_PER_US));
	/* No result handler until start: outcomes are delivered inline. */
	atomic_init(&pool->rstate, WP__R_GONE);
	pool->side_closed = true;
	init_sync(pool);
	wp__errorq_init(&pool->errors, c.error_queue_cap);
	pool->target = c.workers;
	wp__lane_share_update(pool);
	pool->last_healthy = true;
	if (pool->contain)
		wp__crash_acquire();
	*out = pool;
	return 0;

err_free_queue:
	wp__q_fini(&pool->tasks);
err_free_slots:
	free(pool->slots);
err_free_pool:
	free(pool);
	return rc ? rc : WP_ENOMEM;
}

void
wp__lane_share_update(wp_pool *pool)
{
	unsigned share = pool->cfg.result_queue_cap / WP__MAX(pool->target, 1u);

	atomic_store(&pool->lane_share,
		     WP__MIN(WP__MAX(share, 1u), (unsigned)WP__LANE_CAP));
}

/* Starts one auxiliary thread (mu held). */
static int
start_aux(wp_pool *pool, enum wp_thread_class cls, pthread_t *tid,
	  bool *alive, const char *name, void *(*fn)(void *))
{
	int rc = wp__stack_get(pool, &pool->aux_stack[cls]);

	if (rc)
		return rc;
	rc = wp__thread_start(tid, name, fn, pool, pool->aux_stack[cls]);
	if (rc == 0) {
		*alive = true;
		pool->aux_started[cls] = true;
	} else {
		pool->aux_stack[cls]->used = false;
	}
	return rc;
}

int
wp_pool_start(wp_pool *pool)
{
	int rc = 0;
	unsigned i;

	if (!pool)
		return WP_EINVAL;
	pthread_mutex_lock(&pool->mu);
	if (pool->started) {
		pthread_mutex_unlock(&pool->mu);
		return WP_ESTATE;
	}
	pool->started = true;
	pool->start_ns = wp__now();
	pool->stats_t0 = pool->start_ns;
	/* The error-rate window starts from nothing at start. */
	pthread_mutex_lock(&pool->stats_mu);
	wp__sample_add(pool, pool->start_ns, 0, 0, 0);
	pthread_mutex_unlock(&pool->stats_mu);

	/* Passive consumers first, so the first result has a home. */
	atomic_store(&pool->rstate, WP__R_AWAKE);
	pthread_mutex_lock(&pool->side_mu);
	pool->side_closed = false;
	pthread_mutex_unlock(&pool->side_mu);
	pthread_mutex_lock(&pool->errors.mu);
	pool->errors.consumer_alive = true;
	pthread_mutex_unlock(&pool->errors.mu);
	rc = start_aux(pool, WP_THREAD_RESULTS, &pool->results_tid,
		       &pool->results_alive, "wp-results", wp__results_main);
	if (!rc)
		rc = start_aux(pool, WP_THREAD_ERRORS, &pool->errors_tid,
			       &pool->errors_alive, "wp-errors",
			       wp__errors_main);
	if (!rc) {
		wp__producer_enter(pool); /* the watchdog's */
		rc = start_aux(pool, WP_THREAD_WATCHDOG, &pool->watchdog_tid,
			       &pool->watchdog_alive, "wp-watchdog",
			       wp__watchdog_main);
		if (rc)
			wp__producer_leave(pool);
	}
	for (i = 0; !rc && i < pool->target; i++)
		rc = wp__worker_spawn(pool, (int)i);
	if (!rc)
		rc = start_aux(pool, WP_THREAD_MONITOR, &pool->monitor_tid,
			       &pool->monitor_alive, "wp-monitor",
			       wp__monitor_main);
	if (!rc)
		rc = start_aux(pool, WP_THREAD_HEALTH, &pool->health_tid,
			       &pool->health_alive, "wp-health",
			       wp__health_main);
	/* A consumer whose thread never started is not alive. */
	if (!pool->results_alive) {
		pthread_mutex_lock(&pool->side_mu);
		pool->side_closed = true;
		pthread_mutex_unlock(&pool->side_mu);
		atomic_store(&pool->rstate, WP__R_GONE);
	}
	if (!pool->errors_alive) {
		pthread_mutex_lock(&pool->errors.mu);
		pool->errors.consumer_alive = false;
		pthread_mutex_unlock(&pool->errors.mu);
	}
	pthread_mutex_unlock(&pool->mu);
	if (rc) {
		/* Whatever did start is stopped by the ordered stop. */
		wp_pool_stop(pool, NULL);
		return rc;
	}
	wp__event(pool, WP_EV_STARTED, 0, -1,
		  "started: %u workers, queues %u/%u/%u", pool->target,
		  atomic_load(&pool->tasks.cap), pool->cfg.result_queue_cap,
		  pool->errors.cap);
	return 0;
}

static void
pool_free(wp_pool *pool)
{
	struct wp__thread *t, *next;
	pthread_cond_t *cvs[] = {&pool->idle_cv,    &pool->thread_cv,
				 &pool->watch_cv,   &pool->spare_cv,
				 &pool->monitor_cv, &pool->health_cv,
				 &pool->stop_cv};
	struct wp__rnode *n, *nn;

	for (t = pool->threads; t; t = next) {
		next = t->next_all;
		wp__thread_free(t);
	}
	for (size_t i = 0; i < sizeof cvs / sizeof cvs[0]; i++)
		pthread_cond_destroy(cvs[i]);
	pthread_mutex_destroy(&pool->mu);
	pthread_mutex_destroy(&pool->side_mu);
	pthread_mutex_destroy(&pool->deliver_mu);
	pthread_mutex_destroy(&pool->stats_mu);
	pthread_mutex_destroy(&pool->stop_mu);
	pthread_mutex_destroy(&pool->evcb_mu);
	for (n = pool->side_head; n; n = nn) {
		nn = n->next;
		free(n);
	}
	for (unsigned i = 0; i < atomic_load(&pool->nlanes); i++)
		wp__lane_free(atomic_load(&pool->lanes[i]));
	wp__q_fini(&pool->tasks);
	wp__errorq_fini(&pool->errors);
	wp__stacks_free(pool);
	wp__events_fini(&pool->events);
	if (pool->contain)
		wp__crash_release();
	free(pool->log);
	free(pool->slots);
	free(pool);
}

void
wp__pool_unref(wp_pool *pool)
{
	if (atomic_fetch_sub(&pool->refs, 1) == 1)
		pool_free(pool);
}

/* No callback starts from now on; waits (bounded) for those running,
 * which only threads left behind by a forced stop can still be in. */
static void
mute(wp_pool *pool)
{
	int64_t end = wp__now() + MUTE_WAIT_NS;
	struct timespec ms = {0, 1000000};

	atomic_store(&pool->muted, true);
	while (atomic_load(&pool->cb_active) > 0 && wp__now() < end)
		nanosleep(&ms, NULL);
}

int
wp_pool_destroy(wp_pool *pool)
{
	if (!pool)
		return WP_EINVAL;
	if (wp__on_own_thread(pool))
		return WP_ESELF;
	wp__stop_for_destroy(pool);
	mute(pool);
	wp__pool_unref(pool);
	return 0;
}

/* ------------------------------------------------------------------------
 * State.
 */
enum wp_pool_state
wp_pool_state(const wp_pool *pool)
{
	wp_pool *p = (wp_pool *)pool;
	enum wp_pool_state s;

	if (!pool)
		return WP_STATE_STOPPED;
	pthread_mutex_lock(&p->stop_mu);
	if (p->stop_done) {
		s = p->report.forced ? WP_STATE_FORCED : WP_STATE_STOPPED;
		pthread_mutex_unlock(&p->stop_mu);
		return s;
	}
	s = p->stop_begun ? WP_STATE_STOPPING : WP_STATE_RUNNING;
	pthread_mutex_unlock(&p->stop_mu);
	if (s == WP_STATE_STOPPING)
		return atomic_load(&p->draining) ? WP_STATE_DRAINING : s;

	pthread_mutex_lock(&p->mu);
	if (!p->started)
		s = WP_STATE_CREATED;
	else if (atomic_load(&p->sig[WP_SIG_CANCEL]) ||
		 atomic_load(&p->sig[WP_SIG_SHUTDOWN]))
		s = p->worker_threads ? WP_STATE_STOPPING : WP_STATE_STOPPED;
	else if (atomic_load(&p->sig[WP_SIG_CLOSE_TASKS]))
		s = p->worker_threads ? WP_STATE_DRAINING : WP_STATE_STOPPED;
	else if (atomic_load(&p->gate) & WP__G_PAUSE)
		s = WP_STATE_PAUSED;
	else
		s = WP_STATE_RUNNING;
	pthread_mutex_unlock(&p->mu);
	return s;
}

bool
wp_pool_is_accepting(const wp_pool *pool)
{
	wp_pool *p = (wp_pool *)pool;
	bool a;

	if (!pool)
		return false;
	pthread_mutex_lock(&p->mu);
	a = !wp__q_is_closed(&p->tasks);
	pthread_mutex_unlock(&p->mu);
	return a;
}

static int
set_paused(wp_pool *pool, bool paused)
{
	bool changed;

	if (!pool)
		return WP_EINVAL;
	pthread_mutex_lock(&pool->mu);
	if (pool->stopping || atomic_load(&pool->sig[WP_SIG_CANCEL]) ||
	    atomic_load(&pool->sig[WP_SIG_SHUTDOWN]) ||
	    (pool->stop_logging && paused)) {
		pthread_mutex_unlock(&pool->mu);
		return WP_ESTATE;
	}
	changed = !!(atomic_load(&pool->gate) & WP__G_PAUSE) != paused;
	if (paused)
		wp__gate_set(pool, WP__G_PAUSE);
	else
		wp__gate_clear(pool, WP__G_PAUSE);
	pthread_mutex_unlock(&pool->mu);
	if (changed)
		wp__event(pool, paused ? WP_EV_PAUSE : WP_EV_RESUME, 0, -1,
			  paused ? "paused: workers take no new task"
				 : "resumed");
	return 0;
}

int
wp_pool_pause(wp_pool *pool)
{
	return set_paused(pool, true);
}

int
wp_pool_resume(wp_pool *pool)
{
	return set_paused(pool, false);
}

int
wp_pool_wait_idle(wp_pool *pool, uint64_t timeout_ms)
{
	int64_t deadline;
	int rc = 0;

	if (!pool)
		return WP_EINVAL;
	if (wp__on_own_thread(pool))
		return WP_ESELF;
	deadline = wp__deadline_after_ms(timeout_ms);
	pthread_mutex_lock(&pool->mu);
	atomic_fetch_add(&pool->idle_waiters, 1);
	while (!wp__is_idle(pool)) {
		if (wp__cond_wait_until(&pool->idle_cv, &pool->mu, deadline) &&
		    !wp__is_idle(pool)) {
			rc = WP_ETIMEDOUT;
			break;
		}
	}
	atomic_fetch_sub(&pool->idle_waiters, 1);
	pthread_mutex_unlock(&pool->mu);
	return rc;
}

/* ------------------------------------------------------------------------
 * Resize and settings.
 */
static int
resize_locked(wp_pool *pool, unsigned n)
{
	struct wp__thread *s;
	unsigned i;
	int rc = 0;

	pool->target = n;
	pool->cfg.workers = n;
	wp__lane_share_update(pool);
	if (!pool->started || pool->stopping ||
	    wp__workers_should_exit(pool))
		return 0;
	for (i = 0; i < n && !rc; i++) {
		if (pool->slots[i].thread)
			continue;
		for (s = pool->threads; s; s = s->next_all)
			if (s->role == WP__ROLE_SPARE)
				break;
		rc = wp__lane_for(pool, (int)i);
		if (rc)
			break;
		if (s) {
			wp__thread_take_slot(pool, s, (int)i);
			pthread_cond_broadcast(&pool->spare_cv);
		} else {
			rc = wp__worker_spawn(pool, (int)i);
		}
	}
	/* Slots past n retire when their thread next looks; a task one of
	 * them takes meanwhile goes back to the front of the queue. */
	for (i = n; i < WP_WORKERS_MAX; i++)
		if (pool->slots[i].thread) {
			wp__gate_set(pool, WP__G_RETIRE);
			break;
		}
	return rc;
}

int
wp_pool_resize(wp_pool *pool, unsigned workers)
{
	unsigned old;
	int rc;

	if (!pool)
		return WP_EINVAL;
	if (workers < 1 || workers > WP_WORKERS_MAX)
		return WP_ERANGE;
	pthread_mutex_lock(&pool->mu);
	if (pool->stopping || wp__workers_should_exit(pool)) {
		pthread_mutex_unlock(&pool->mu);
		return WP_ESTATE;
	}
	old = pool->target;
	rc = resize_locked(pool, workers);
	pthread_mutex_unlock(&pool->mu);
	if (old != workers || rc)
		wp__event(pool, WP_EV_RESIZE, 0, -1, "workers %u -> %u%s", old,
		  workers, rc ? " (some threads failed to start)" : "");
	return rc;
}
