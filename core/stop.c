/*
 * stop.c - the ordered stop (S1.2) and its bounded wait (S6.2).
 *
 * DESIGN
 * The ordered stop fires the signals (signal.c) in the standard's order,
 * once: concurrent callers wait for the first one's result.  The bounded
 * wait sleeps on thread_cv; an exiting thread looks at what the stopper
 * waits for (pool->stop_wait) and broadcasts when it is done, so the wait
 * returns the moment the last thread leaves (no polling, and no wake-up
 * per exit); it wakes every check interval only to publish progress.  Past the bound it gives up on the
 * running tasks (each gets a CANCELLED outcome), closes the queues, and
 * leaves the stuck threads behind, detached, each holding a reference to
 * the pool so nothing they can touch is freed.
 */
#include "wp-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Exit log: who left when, for the stop report (mu held).
 */
void
wp__stop_log_exit(wp_pool *pool, const char *name, enum wp_thread_class cls)
{
	struct wp_stop_thread *e;

	if (!pool->stop_logging)
		return;
	if (pool->nlog == pool->log_cap) {
		unsigned cap = pool->log_cap ? pool->log_cap * 2 : 16;
		e = realloc(pool->log, cap * sizeof *e);
		if (!e)
			return;
		pool->log = e;
		pool->log_cap = cap;
	}
	e = &pool->log[pool->nlog++];
	snprintf(e->name, sizeof e->name, "%s", name);
	e->cls = cls;
	e->exited_ns = wp__now() - pool->report.begin_ns;
}

static const char *const aux_names[] = {
	[WP_THREAD_WATCHDOG] = "wp-watchdog",
	[WP_THREAD_RESULTS] = "wp-results",
	[WP_THREAD_ERRORS] = "wp-errors",
	[WP_THREAD_MONITOR] = "wp-monitor",
	[WP_THREAD_HEALTH] = "wp-health",
};

static bool *
aux_alive(wp_pool *pool, enum wp_thread_class cls)
{
	switch (cls) {
	case WP_THREAD_WATCHDOG: return &pool->watchdog_alive;
	case WP_THREAD_RESULTS: return &pool->results_alive;
	case WP_THREAD_ERRORS: return &pool->errors_alive;
	case WP_THREAD_MONITOR: return &pool->monitor_alive;
	case WP_THREAD_HEALTH: return &pool->health_alive;
	default: return NULL;
	}
}

void
wp__aux_exited(wp_pool *pool, enum wp_thread_class cls)
{
	bool detached;

	pthread_mutex_lock(&pool->mu);
	*aux_alive(pool, cls) = false;
	wp__stop_log_exit(pool, aux_names[cls], cls);
	wp__thread_gone(pool);
	detached = pool->aux_detached[cls];
	pthread_mutex_unlock(&pool->mu);
	wp__events_flush(pool);
	if (detached)
		wp__pool_unref(pool);
}

/* ------------------------------------------------------------------------
 * The bounded wait.
 */
static bool
active_gone(const wp_pool *pool)
{
	return pool->worker_threads == 0 && !pool->watchdog_alive &&
	       !pool->monitor_alive && !pool->health_alive;
}

/* After the bound: how long threads that run no task code may take to
 * leave once everything has been closed. */
#define FINISH_GRACE_NS (200 * WP__NS_PER_MS)

static bool
all_but_orphans_gone(const wp_pool *pool)
{
	return pool->worker_threads == pool->orphans && !pool->watchdog_alive &&
	       !pool->monitor_alive && !pool->health_alive &&
	       !pool->results_alive && !pool->errors_alive;
}

/* Names of the pool's live threads, comma-separated (mu held). */
static unsigned
alive_names(wp_pool *pool, char *buf, size_t n)
{
	struct wp__thread *t;
	unsigned count = 0;
	size_t off = 0;
	int cls;

	buf[0] = '\0';
#define ADD(nm)                                                                \
	do {                                                                   \
		if (off < n)                                                   \
			off += (size_t)snprintf(buf + off, n - off, "%s%s",   \
						count ? ", " : "", (nm));      \
		count++;                                                       \
	} while (0)
	for (t = pool->threads; t; t = t->next_all)
		if (t->role != WP__ROLE_EXITED)
			ADD(t->name);
	for (cls = WP_THREAD_WATCHDOG; cls <= WP_THREAD_HEALTH; cls++)
		if (*aux_alive(pool, (enum wp_thread_class)cls))
			ADD(aux_names[cls]);
#undef ADD
	return count;
}

/* Waits (mu held) until done(pool) or the deadline; publishes progress
 * every check_ns.  Returns true if done. */
static bool
bounded_wait(wp_pool *pool, bool (*done)(const wp_pool *), int64_t deadline,
	     int64_t check_ns, const char *what)
{
	int64_t begin = pool->report.begin_ns, next = wp__now() + check_ns;
	char names[200];
	unsigned alive;
	bool ok = false;

	pool->stop_wait = done;
	while (!(ok = done(pool))) {
		int64_t now = wp__now();

		if (now >= deadline)
			break;
		if (now >= next) {
			alive = alive_names(pool, names, sizeof names);
			pthread_mutex_unlock(&pool->mu);
			wp__event(pool, WP_EV_STOP_PROGRESS, 0, -1,
				  "%s: %.1f/%.1f s, %u alive: %s", what,
				  (double)(now - begin) / WP__NS_PER_S,
				  (double)(deadline - begin) / WP__NS_PER_S,
				  alive, names);
			pthread_mutex_lock(&pool->mu);
			next += check_ns;
			if (next <= now)
				next = now + check_ns;
			continue;
		}
		wp__cond_wait_until(&pool->thread_cv, &pool->mu,
				    WP__MIN(deadline, next));
	}
	pool->stop_wait = NULL;
	return ok;
}

void
wp__thread_gone(wp_pool *pool)
{
	/* Only the exit that ends the stopper's wait wakes it. */
	if (pool->stop_wait && pool->stop_wait(pool))
		pthread_cond_broadcast(&pool->thread_cv);
}

/* Past the bound: every run still active gets a CANCELLED outcome and its
 * thread is left behind (mu held).  Their results go to out[] (room for
 * every slot); returns how many. */
static unsigned
give_up_running(wp_pool *pool, struct wp_result *out)
{
	struct wp__thread *t;
	struct wp__task *task;
	int64_t now = wp__ticks();
	unsigned n = 0;
	uint64_t run;

	for (t = pool->threads; t; t = t->next_all) {
		if (t->role != WP__ROLE_SLOT)
			continue;
		if (t->overdue) {
			/* Its task timed out at the orphan cap and already has
			 * its outcome; it becomes an orphan like the others,
			 * so nothing waits for its slot any more. */
			t->overdue = false;
			pool->slots[t->slot].waiting_orphan = false;
			wp__orphan(pool, t, false);
			continue;
		}
		task = wp__claim_run(t, &run);
		if (!task)
			continue;
		wp__claimed_result(t, task, now, WP_OUTCOME_CANCELLED,
				   WP_ECANCELED, "given up by a forced stop",
				   &out[n++]);
		wp__count_outcome(pool, WP_OUTCOME_CANCELLED);
		wp__ctx_cancel(t, run, WP_ECANCELED);
		wp__orphan(pool, t, false);
		pool->report.cancelled_running++;
	}
	return n;
}

static void
phase(wp_pool *pool, enum wp_stop_phase p, bool already)
{
	struct wp_stop_report *r = &pool->report;

	r->phase_ms[p] = (double)(wp__now() - r->begin_ns) / WP__NS_PER_MS;
	r->phase_already[p] = already;
	wp__event(pool, WP_EV_STOP_PHASE, 0, -1, "%s at %.1f ms%s",
		  wp_stop_phase_name(p), r->phase_ms[p],
		  already ? " (already fired)" : "");
}

static void
fire_phase(wp_pool *pool, enum wp_stop_phase p, enum wp_signal sig)
{
	phase(pool, p, wp__fire(pool, sig) == WP_EALREADY);
}

/* Joins what has exited; detaches (with a pool reference each) what has
 * not (mu held). */
static void
join_or_leave(wp_pool *pool)
{
	pthread_t *tids[] = {
		[WP_THREAD_WATCHDOG] = &pool->watchdog_tid,
		[WP_THREAD_RESULTS] = &pool->results_tid,
		[WP_THREAD_ERRORS] = &pool->errors_tid,
		[WP_THREAD_MONITOR] = &pool->monitor_tid,
		[WP_THREAD_HEALTH] = &pool->health_tid,
	};
	struct wp__thread *t;
	int cls;

	for (cls = WP_THREAD_WATCHDOG; cls <= WP_THREAD_HEALTH; cls++) {
		if (!pool->aux_started[cls] || pool->aux_joined[cls])
			continue;
		pool->aux_joined[cls] = true;
		if (*aux_alive(pool, (enum wp_thread_class)cls)) {
			pool->aux_detached[cls] = true;
			pool->aux_stack[cls]->kept = true;
			atomic_fetch_add(&pool->refs, 1);
			pthread_detach(*tids[cls]);
			continue;
		}
		pthread_mutex_unlock(&pool->mu);
		pthread_join(*tids[cls], NULL);
		pthread_mutex_lock(&pool->mu);
		pool->aux_stack[cls]->used = false;
	}
	wp__reap_exited(pool);
	for (t = pool->threads; t; t = t->next_all) {
		if (t->role == WP__ROLE_EXITED || t->detached)
			continue;
		t->detached = true;
		t->stack->kept = true;
		atomic_fetch_add(&pool->refs, 1);
		pthread_detach(t->tid);
	}
}

/* Freezes the report's thread list: the exit log plus the threads left. */
static void
finish_report(wp_pool *pool)
{
	struct wp_stop_report *r = &pool->report;
	struct wp__thread *t;
	int cls;

	for (t = pool->threads; t; t = t->next_all)
		if (t->role != WP__ROLE_EXITED) {
			wp__stop_log_exit(pool, t->name,
					  t->role == WP__ROLE_ORPHAN
						  ? WP_THREAD_ORPHAN
						  : WP_THREAD_WORKER);
			pool->log[pool->nlog - 1].exited_ns = -1;
			r->nalive++;
		}
	for (cls = WP_THREAD_WATCHDOG; cls <= WP_THREAD_HEALTH; cls++)
		if (*aux_alive(pool, (enum wp_thread_class)cls)) {
			wp__stop_log_exit(pool, aux_names[cls],
					  (enum wp_thread_class)cls);
			pool->log[pool->nlog - 1].exited_ns = -1;
			r->nalive++;
		}
	pool->stop_logging = false;
	r->threads = pool->log;
	r->nthreads = pool->nlog;
}

static void
deliver_given_up(wp_pool *pool, const struct wp_result *res, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		wp__report_error(pool, res[i].id, res[i].kind, res[i].worker,
				 WP_OUTCOME_CANCELLED, WP_ECANCELED,
				 res[i].msg);
		wp__deliver_side(pool, &res[i]);
	}
}

/* Drain: close admission, let the queue run dry, bounded. */
static void
drain_first(wp_pool *pool, int64_t deadline, int64_t check_ns)
{
	/* A paused pool would drain nothing: resume it (wp_pool_resume refuses
	 * once a stop has begun, so directly). */
	pthread_mutex_lock(&pool->mu);
	if (atomic_load(&pool->gate) & WP__G_PAUSE) {
		wp__gate_clear(pool, WP__G_PAUSE);
		pthread_mutex_unlock(&pool->mu);
		wp__event(pool, WP_EV_RESUME, 0, -1, "resumed to drain");
	} else {
		pthread_mutex_unlock(&pool->mu);
	}
	wp__fire(pool, WP_SIG_CLOSE_TASKS);
	wp__event(pool, WP_EV_DRAIN, 0, -1, "draining: task queue closed");
	pthread_mutex_lock(&pool->mu);
	atomic_store(&pool->draining, true);
	atomic_fetch_add(&pool->idle_waiters, 1);
	while (!wp__is_idle(pool) && pool->worker_threads > 0) {
		int64_t now = wp__now();

		if (now >= deadline)
			break;
		wp__cond_wait_until(&pool->idle_cv, &pool->mu,
				    WP__MIN(deadline, now + check_ns));
		if (!wp__is_idle(pool) && wp__now() < deadline) {
			unsigned q = wp__q_len(&pool->tasks);

			pthread_mutex_unlock(&pool->mu);
			wp__event(pool, WP_EV_DRAIN, 0, -1,
				  "draining: %u queued, %llu in flight", q,
				  (unsigned long long)(atomic_load(
							       &pool->n.next_task_id) -
						       atomic_load(
							       &pool->n.delivered)));
			pthread_mutex_lock(&pool->mu);
		}
	}
	atomic_fetch_sub(&pool->idle_waiters, 1);
	atomic_store(&pool->draining, false);
	pthread_mutex_unlock(&pool->mu);
}

/* Starts the report and the exit log; returns the check interval. */
static int64_t
stop_begin(wp_pool *pool, bool drain)
{
	struct wp_stop_report *r = &pool->report;
	int64_t check_ns;
	int i;

	pthread_mutex_lock(&pool->mu);
	memset(r, 0, sizeof *r);
	r->begin_ns = wp__now();
	r->begin_wall_ms = wp__wall_ms();
	r->bound_ms = pool->cfg.stop_timeout_ms;
	r->drained = drain;
	/* Counted back in stop_end(): tasks this stop cancelled unstarted. */
	r->cancelled_queued = atomic_load(&pool->n.never_ran);
	for (i = 0; i < WP_PHASE_COUNT; i++)
		r->phase_ms[i] = -1;
	check_ns = (int64_t)pool->cfg.stop_check_ms * WP__NS_PER_MS;
	pool->stop_logging = true;
	pool->stopping = true;
	pthread_mutex_unlock(&pool->mu);
	wp__event(pool, WP_EV_STOP_PHASE, 0, -1, "%s begins (bound %llu ms)",
		  drain ? "drain" : "stop", (unsigned long long)r->bound_ms);
	return check_ns;
}

/* Phases closed .. cancel: the signals, business before system (S1.3). */
static void
stop_signals(wp_pool *pool)
{
	bool was_open;

	pthread_mutex_lock(&pool->mu);
	was_open = wp__q_close(&pool->tasks);
	wp__room_wake(pool);
	pthread_mutex_unlock(&pool->mu);
	phase(pool, WP_PHASE_CLOSED, !was_open);
	fire_phase(pool, WP_PHASE_SHUTDOWN, WP_SIG_SHUTDOWN);
	fire_phase(pool, WP_PHASE_MONITOR, WP_SIG_STOP_MONITOR);
	fire_phase(pool, WP_PHASE_HEALTH, WP_SIG_STOP_HEALTH);
	fire_phase(pool, WP_PHASE_CANCEL, WP_SIG_CANCEL);
}

/* Phase wait: the bounded wait for every active and timed thread.  Past
 * the bound, running tasks are given up and whatever is still queued is
 * cancelled.  Returns true if the bound was hit. */
static bool
stop_wait(wp_pool *pool, int64_t deadline, int64_t check_ns)
{
	struct wp_result *given_up = NULL;
	unsigned n = 0;
	bool forced;

	pthread_mutex_lock(&pool->mu);
	forced = !bounded_wait(pool, active_gone, deadline, check_ns,
			       "waiting for threads");
	if (forced) {
		given_up = calloc(WP_WORKERS_MAX, sizeof *given_up);
		if (given_up)
			n = give_up_running(pool, given_up);
	}
	pthread_mutex_unlock(&pool->mu);
	wp__events_flush(pool);
	phase(pool, WP_PHASE_WAIT, false);
	deliver_given_up(pool, given_up, n);
	free(given_up);
	if (forced) {
		wp__q_drain(pool, wp__cancel_queued);
		wp__batches_cancel(pool);
	}
	return forced;
}

/* Phases close-queues and passive.  Everything but the orphans now only
 * has to finish up: passive threads drain, the watchdog sees no worker
 * left.  If the bound is already spent they get a short grace, since none
 * of them is stuck in a task (a hung callback still gets them left
 * behind).  Returns true if they did not all leave. */
static bool
stop_queues(wp_pool *pool, int64_t deadline, int64_t check_ns)
{
	int64_t grace = wp__now() + WP__MAX(check_ns, FINISH_GRACE_NS);
	bool left;

	fire_phase(pool, WP_PHASE_CLOSE_QUEUES, WP_SIG_CLOSE_TASKS);
	wp__fire(pool, WP_SIG_CLOSE_RESULTS);
	wp__fire(pool, WP_SIG_CLOSE_ERRORS);
	pthread_mutex_lock(&pool->mu);
	left = !bounded_wait(pool, all_but_orphans_gone,
			     WP__MAX(deadline, grace), check_ns,
			     "waiting for handlers to finish");
	pthread_mutex_unlock(&pool->mu);
	/* No slot is filled and no handler is left: anything still in a
	 * lane lost its producer; deliver it here. */
	if (!left)
		wp__results_sweep(pool);
	phase(pool, WP_PHASE_PASSIVE, false);
	return left;
}

/* Phase done: join or leave behind, freeze the report. */
static int
stop_end(wp_pool *pool, bool forced)
{
	struct wp_stop_report *r = &pool->report;

	r->cancelled_queued = atomic_load(&pool->n.never_ran) -
			      r->cancelled_queued;
	pthread_mutex_lock(&pool->mu);
	join_or_leave(pool);
	r->forced = forced;
	finish_report(pool);
	pool->stopping = false;
	pthread_mutex_unlock(&pool->mu);
	phase(pool, WP_PHASE_DONE, false);
	r->total_ms = r->phase_ms[WP_PHASE_DONE];
	if (forced)
		wp__event(pool, WP_EV_STOP_DONE, 0, -1,
			  "forced after %.1f ms: %u thread(s) left behind",
			  r->total_ms, r->nalive);
	else
		wp__event(pool, WP_EV_STOP_DONE, 0, -1, "clean after %.1f ms",
			  r->total_ms);
	return forced ? WP_EFORCED : 0;
}

static int
ordered_stop(wp_pool *pool, bool drain, uint64_t drain_ms)
{
	int64_t check_ns = stop_begin(pool, drain), deadline;
	uint64_t bound_ms = pool->report.bound_ms;
	bool forced;

	if (drain)
		drain_first(pool,
			    wp__deadline_after_ms(drain_ms ? drain_ms : bound_ms),
			    check_ns);
	/* The bound covers the stop proper, after any drain. */
	deadline = wp__deadline_after_ms(bound_ms);
	stop_signals(pool);
	forced = stop_wait(pool, deadline, check_ns);
	if (stop_queues(pool, deadline, check_ns))
		forced = true;
	return stop_end(pool, forced);
}

/* A pool stopped before it ever started: no thread to wait for. */
static int
stop_unstarted(wp_pool *pool)
{
	struct wp_stop_report *r = &pool->report;
	uint64_t before;
	int i;

	pthread_mutex_lock(&pool->mu);
	memset(r, 0, sizeof *r);
	r->begin_ns = wp__now();
	r->begin_wall_ms = wp__wall_ms();
	r->bound_ms = pool->cfg.stop_timeout_ms;
	for (i = 0; i < WP_PHASE_COUNT; i++)
		r->phase_ms[i] = 0;
	wp__q_close(&pool->tasks);
	for (i = 0; i < WP_SIG_COUNT; i++) {
		atomic_store(&pool->sig_at[i], r->begin_ns);
		atomic_store(&pool->sig[i], true);
	}
	wp__room_wake(pool);
	pthread_mutex_unlock(&pool->mu);
	before = atomic_load(&pool->n.never_ran);
	wp__q_drain(pool, wp__cancel_queued);
	r->cancelled_queued = atomic_load(&pool->n.never_ran) - before;
	return 0;
}

/* Runs `fn` once for every caller: the first runs it, the others wait for
 * its result.  WP_ESELF from the pool's own threads (they would wait on
 * themselves). */
static int
stop_once(wp_pool *pool, bool drain, uint64_t drain_ms, bool unstarted_ok,
	  const struct wp_stop_report **report)
{
	bool started;
	int rc;

	if (!pool)
		return WP_EINVAL;
	if (wp__on_own_thread(pool))
		return WP_ESELF;
	pthread_mutex_lock(&pool->stop_mu);
	if (pool->stop_begun) {
		while (!pool->stop_done)
			pthread_cond_wait(&pool->stop_cv, &pool->stop_mu);
		rc = pool->stop_rc;
		pthread_mutex_unlock(&pool->stop_mu);
		if (report)
			*report = &pool->report;
		return rc;
	}
	pthread_mutex_lock(&pool->mu);
	started = pool->started;
	if (!started && !unstarted_ok) {
		pthread_mutex_unlock(&pool->mu);
		pthread_mutex_unlock(&pool->stop_mu);
		return WP_ESTATE;
	}
	pool->started = true; /* from now on start() refuses */
	pthread_mutex_unlock(&pool->mu);
	pool->stop_begun = true;
	pthread_mutex_unlock(&pool->stop_mu);

	wp__self.stopping = pool;
	rc = started ? ordered_stop(pool, drain, drain_ms)
		     : stop_unstarted(pool);
	wp__self.stopping = NULL;

	pthread_mutex_lock(&pool->stop_mu);
	pool->stop_done = true;
	pool->stop_rc = rc;
	pthread_cond_broadcast(&pool->stop_cv);
	pthread_mutex_unlock(&pool->stop_mu);
	if (report)
		*report = &pool->report;
	return rc;
}

/* wp_pool_destroy()'s stop: also ends a pool that never started. */
int
wp__stop_for_destroy(wp_pool *pool)
{
	return stop_once(pool, false, 0, true, NULL);
}

int
wp_pool_stop(wp_pool *pool, const struct wp_stop_report **report)
{
	return stop_once(pool, false, 0, false, report);
}

int
wp_pool_drain(wp_pool *pool, uint64_t timeout_ms,
	      const struct wp_stop_report **report)
{
	return stop_once(pool, true, timeout_ms, false, report);
}

const struct wp_stop_report *
wp_pool_last_stop(const wp_pool *pool)
{
	const struct wp_stop_report *r = NULL;

	if (!pool)
		return NULL;
	pthread_mutex_lock((pthread_mutex_t *)&pool->stop_mu);
	if (pool->stop_done)
		r = &pool->report;
	pthread_mutex_unlock((pthread_mutex_t *)&pool->stop_mu);
	return r;
}
