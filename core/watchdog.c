/*
 * watchdog.c - the hand-off keeper: per-task deadlines without a thread
 * per task (S3).
 *
 * DESIGN
 * One thread, "wp-watchdog", of the active class.  Workers run every task
 * on their own stack; a timed run publishes its deadline in the worker's
 * thread struct.  The watchdog sleeps until the earliest deadline it knows
 * of (pool->watch_at).  A worker whose new deadline is earlier than that
 * kicks it; the check is a Dekker pair (worker: store run, load watch_at;
 * watchdog: store watch_at = NEVER, scan, store the real value), both
 * seq_cst, so either the scan sees the run or the worker sees that it must
 * kick.  In the steady state (same timeout for every task) no kick is ever
 * needed, so a timeout costs a worker two stores and a load.
 *
 * When a deadline passes, the watchdog claims the run (CAS in the run
 * word), gives the task its TIMED_OUT outcome at once, cancels the task's
 * context (the late code is asked to stop), and hands the slot off: the
 * stuck thread becomes an orphan and a parked spare (or, if none, a new
 * thread) fills the slot, so the queue keeps moving.  Orphans are capped
 * (cfg.orphan_cap): at the cap the slot waits for its thread instead.
 * The watchdog also joins worker threads that exited (resize, orphans).
 *
 * It exits once workers have been told to stop and none is left in a slot
 * or parked; orphans may outlive it (the stop waits for them, bounded).
 */
#include "wp-internal.h"

#include <stdio.h>

void
wp__watchdog_notice(wp_pool *pool, int64_t deadline_ns)
{
	if (deadline_ns >= atomic_load(&pool->watch_at))
		return;
	pthread_mutex_lock(&pool->mu);
	pool->watch_kick = true;
	pthread_cond_signal(&pool->watch_cv);
	pthread_mutex_unlock(&pool->mu);
}

struct wp__task *
wp__claim_run(struct wp__thread *t, uint64_t *run)
{
	uint64_t w = atomic_load(&t->run);
	struct wp__task *task;

	if ((w & 3) != WP__RUN_ACTIVE)
		return NULL;
	task = atomic_load_explicit(&t->task, memory_order_relaxed);
	if (!atomic_compare_exchange_strong(&t->run, &w,
					    (w & ~(uint64_t)3) |
						    WP__RUN_CLAIMED))
		return NULL;
	*run = w >> 2;
	return task;
}

struct wp__task *
wp__take_out(struct wp__thread *t)
{
	struct wp__task *out = t->out_head;

	t->out_head = t->out_tail = NULL;
	t->nout = 0;
	return out;
}

void
wp__orphan(wp_pool *pool, struct wp__thread *t, bool replace)
{
	struct wp__thread *s;
	int slot = t->slot;

	/* The tasks queued behind the stuck one go back to the queue. */
	wp__requeue(pool, wp__batch_steal(t));

	if (replace && pool->orphans >= pool->cfg.orphan_cap) {
		/* At the cap: no thread is left behind, the slot waits. */
		t->overdue = true;
		pool->slots[slot].waiting_orphan = true;
		wp__event_later(pool, WP_EV_ORPHAN, 0, slot,
				"orphan cap %u reached: worker %d waits for "
				"its late task", pool->cfg.orphan_cap, slot);
		return;
	}
	pool->slots[slot].thread = NULL;
	pool->live_workers--;
	wp__producer_leave(pool);
	t->role = WP__ROLE_ORPHAN;
	t->slot = -1;
	pool->orphans++;
	snprintf(t->name, sizeof t->name, "wp-orphan-%d", slot);
	wp__thread_name(t->tid, t->name);
	if (!replace || wp__workers_should_exit(pool) ||
	    slot >= (int)pool->target)
		return;
	for (s = pool->threads; s; s = s->next_all)
		if (s->role == WP__ROLE_SPARE)
			break;
	if (s) {
		wp__thread_take_slot(pool, s, slot);
		pthread_cond_broadcast(&pool->spare_cv);
	} else if (wp__worker_spawn(pool, slot) != 0) {
		wp__event_later(pool, WP_EV_ORPHAN, 0, slot,
				"could not start a replacement for worker %d",
				slot);
	}
}

/* A claimed run whose deadline passed (mu held): outcome now.  Results
 * the thread had finished but not handed over go on *done. */
static void
timed_out(wp_pool *pool, struct wp__thread *t, struct wp__task *task,
	  uint64_t run, int64_t now, struct wp__task **done)
{
	int slot = t->slot;
	struct wp__task *out = wp__take_out(t), *last;

	if (out) {
		for (last = out; last->next; last = last->next)
			;
		last->next = *done;
		*done = out;
	}

	wp__res_reset(task);
	task->res.worker = slot;
	task->res.queued_ns = task->start_ns - task->submit_ns;
	task->res.run_ns = now - task->start_ns;
	snprintf(task->res.msg, sizeof task->res.msg,
		 "timed out after %lld ms",
		 (long long)((now - task->start_ns) / WP__NS_PER_MS));
	wp__task_finish(pool, task, WP_OUTCOME_TIMED_OUT, WP_ETIMEDOUT);
	wp__ctx_cancel(t, run, WP_ETIMEDOUT);
	wp__event_later(pool, WP_EV_TIMEOUT, task->id, slot,
			"%s #%llu timed out after %lld ms on worker %d",
			task->kind, (unsigned long long)task->id,
			(long long)(task->res.run_ns / WP__NS_PER_MS), slot);
	wp__orphan(pool, t, true);
	if (t->role == WP__ROLE_ORPHAN)
		wp__event_later(pool, WP_EV_ORPHAN, task->id, slot,
				"%s left running #%llu; worker %d handed off",
				t->name, (unsigned long long)task->id, slot);
}

/* Looks at every running slot (mu held).  Timed-out tasks are collected on
 * *out; returns when to look again. */
static int64_t
scan(wp_pool *pool, struct wp__task **out, struct wp__task **done)
{
	int64_t now = wp__now(), next = WP__NEVER, dl;
	uint64_t runsum = 0, w, run;
	bool any_timed = false;
	struct wp__thread *t;
	struct wp__task *task;

	atomic_store(&pool->watch_at, WP__NEVER);
	for (t = pool->threads; t; t = t->next_all) {
		if (t->role != WP__ROLE_SLOT)
			continue;
		w = atomic_load(&t->run);
		runsum += w >> 2;
		if ((w & 3) != WP__RUN_ACTIVE)
			continue;
		dl = atomic_load_explicit(&t->deadline_ns,
					  memory_order_relaxed);
		if (dl == WP__NEVER)
			continue;
		any_timed = true;
		if (dl > now) {
			next = WP__MIN(next, dl);
			pool->watch_guess_ns =
				dl - atomic_load_explicit(&t->started_ns,
							  memory_order_relaxed);
			continue;
		}
		task = wp__claim_run(t, &run);
		if (!task)
			continue;
		timed_out(pool, t, task, run, now, done);
		task->next = *out;
		*out = task;
	}
	/* Nothing timed is running.  If runs happened since the last look,
	 * more timed ones may follow: look again one usual timeout from now
	 * so they need not kick us; otherwise sleep until kicked. */
	if (!any_timed && runsum != pool->watch_runsum &&
	    pool->watch_guess_ns > 0)
		next = now + pool->watch_guess_ns;
	pool->watch_runsum = runsum;
	atomic_store(&pool->watch_at, next);
	return next;
}

void
wp__reap_exited(wp_pool *pool)
{
	struct wp__thread **pp, *t;

again:
	for (pp = &pool->threads; (t = *pp) != NULL; pp = &t->next_all) {
		if (t->role != WP__ROLE_EXITED || t->detached)
			continue;
		*pp = t->next_all;
		pthread_mutex_unlock(&pool->mu);
		pthread_join(t->tid, NULL);
		wp__thread_free(t);
		pthread_mutex_lock(&pool->mu);
		goto again;
	}
}

static void
deliver_timeouts(wp_pool *pool, struct wp__task *list, struct wp__task *done)
{
	struct wp__task *task, *next;

	for (task = done; task; task = next) {
		next = task->next;
		wp__deliver_result(pool, task, false);
	}

	for (task = list; task; task = next) {
		next = task->next;
		task->next = NULL;
		wp__report_error(pool, task, WP_OUTCOME_TIMED_OUT,
				 WP_ETIMEDOUT, task->res.msg);
		wp__deliver_result(pool, task, false);
	}
}

void *
wp__watchdog_main(void *arg)
{
	wp_pool *pool = arg;
	struct wp__task *list, *done;
	int64_t next;

	wp__self.pool = pool;
	pthread_mutex_lock(&pool->mu);
	for (;;) {
		wp__reap_exited(pool);
		if (wp__workers_should_exit(pool) && pool->live_workers == 0 &&
		    pool->spares == 0)
			break;
		list = done = NULL;
		next = scan(pool, &list, &done);
		if (list || done) {
			pthread_mutex_unlock(&pool->mu);
			wp__events_flush(pool);
			deliver_timeouts(pool, list, done);
			pthread_mutex_lock(&pool->mu);
			continue;
		}
		if (!pool->watch_kick) {
			pthread_mutex_unlock(&pool->mu);
			wp__events_flush(pool);
			pthread_mutex_lock(&pool->mu);
			if (!pool->watch_kick)
				wp__cond_wait_until(&pool->watch_cv, &pool->mu,
						    next);
		}
		pool->watch_kick = false;
	}
	atomic_store(&pool->watch_at, WP__NEVER);
	wp__producer_leave(pool);
	pthread_mutex_unlock(&pool->mu);
	wp__aux_exited(pool, WP_THREAD_WATCHDOG);
	return NULL;
}
