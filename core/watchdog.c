/*
 * watchdog.c - the hand-off keeper: per-task deadlines without a thread
 * per task (S3), and the supervisor of starved tasks.
 *
 * DESIGN
 * One thread, "wp-watchdog", of the active class.  Workers run every task
 * on their own stack; a timed run publishes its deadline (ticks) in the
 * worker's thread struct.  The watchdog sleeps until the earliest deadline
 * it knows of (pool->watch_at).  A worker whose new deadline is earlier
 * than that kicks it; the check is a Dekker pair (worker: store run,
 * fence, load watch_at; watchdog: store watch_at = NEVER, scan, store the
 * real value), so either the scan sees the run or the worker sees that it
 * must kick.  In the steady state (same timeout for every task) no kick
 * is ever needed, so a timeout costs a worker two stores, a fence and a
 * load.  The watchdog scans only when a deadline is due, after a kick or
 * a signal, or after it claimed runs: not at its supervision ticks, since
 * every timed run that starts during a scan's NEVER window kicks it.
 *
 * When a deadline passes, the watchdog claims the run (CAS in the run
 * word), gives the task its TIMED_OUT outcome at once, cancels the task's
 * context (the late code is asked to stop), and hands the slot off: the
 * stuck thread becomes an orphan and a parked spare (or, if none, a new
 * thread) fills the slot, so the queue keeps moving.  Orphans are capped
 * (cfg.orphan_cap): at the cap the slot waits for its thread instead.
 * The watchdog also joins worker threads that exited (resize, orphans).
 *
 * Supervision.  A submit does not wake a parked worker while another is
 * awake and tasks are short (worker.c): the awake one will get to it; and
 * a worker takes short tasks in batches (batch.c).  If a worker is instead
 * stuck in an unusually long task, tasks queued or batched behind it would
 * wait for it: the submitter (or the worker taking a batch) asks for
 * supervision, and while it is on the watchdog looks every SUPERVISE_NS,
 * puts back in the queue the batch behind any run that has lasted that
 * long, and wakes parked workers for tasks that have waited that long.
 * It turns itself off once nothing waits and no batch is held.
 *
 * It exits once workers have been told to stop and none is left in a slot
 * or parked; orphans may outlive it (the stop waits for them, bounded).
 */
#include "wp-internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#define SUPERVISE_NS (5 * WP__NS_PER_MS)
/* Timed-out tasks answered per scan (the next scan follows at once). */
#define CLAIMS_PER_SCAN 32

void
wp__watchdog_notice(wp_pool *pool, int64_t deadline)
{
	if (deadline >= atomic_load(&pool->watch_at))
		return;
	pthread_mutex_lock(&pool->mu);
	pool->watch_kick = true;
	pool->watch_rescan = true;
	pthread_cond_signal(&pool->watch_cv);
	pthread_mutex_unlock(&pool->mu);
}

void
wp__supervise(wp_pool *pool)
{
	if (atomic_load_explicit(&pool->supervise, memory_order_relaxed) ||
	    atomic_exchange(&pool->supervise, true))
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

void
wp__claimed_result(struct wp__thread *t, const struct wp__task *task,
		   int64_t now, enum wp_outcome o, int code, const char *msg,
		   struct wp_result *r)
{
	int64_t start = atomic_load_explicit(&t->started, memory_order_relaxed);

	memset(r, 0, sizeof *r);
	r->id = task->id;
	r->outcome = o;
	r->code = code;
	r->priority = task->priority;
	r->worker = t->slot;
	r->queued_ns = wp__tk2ns(start - atomic_load_explicit(
						 &task->submit,
						 memory_order_relaxed));
	r->run_ns = wp__tk2ns(now - start);
	wp__kind_copy(r->kind, task->has_kind ? t->cur_kind : "task");
	snprintf(r->msg, sizeof r->msg, "%s", msg);
}

void
wp__orphan(wp_pool *pool, struct wp__thread *t, bool replace)
{
	struct wp__thread *s;
	int slot = t->slot;

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
	wp__unslot(pool, t);
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

/* A claimed run whose deadline passed (mu held): its outcome, now. */
static void
timed_out(wp_pool *pool, struct wp__thread *t, const struct wp__task *task,
	  uint64_t run, int64_t now, struct wp_result *r)
{
	int slot = t->slot;
	char msg[WP_MSG_MAX];
	int64_t ran = wp__tk2ns(now - atomic_load_explicit(
					       &t->started,
					       memory_order_relaxed));

	snprintf(msg, sizeof msg, "timed out after %lld ms",
		 (long long)(ran / WP__NS_PER_MS));
	wp__claimed_result(t, task, now, WP_OUTCOME_TIMED_OUT, WP_ETIMEDOUT,
			   msg, r);
	wp__count_outcome(pool, WP_OUTCOME_TIMED_OUT);
	wp__ctx_cancel(t, run, WP_ETIMEDOUT);
	/* Tasks behind it in its batch go back to the queue (on a halt they
	 * stay for the canceller, who steals every batch after its drain). */
	if (!(atomic_load(&pool->gate) & WP__G_HALT))
		wp__batch_requeue(pool, t);
	wp__event_later(pool, WP_EV_TIMEOUT, task->id, slot,
			"%s #%llu timed out after %lld ms on worker %d",
			r->kind, (unsigned long long)task->id,
			(long long)(ran / WP__NS_PER_MS), slot);
	wp__orphan(pool, t, true);
	if (t->role == WP__ROLE_ORPHAN)
		wp__event_later(pool, WP_EV_ORPHAN, task->id, slot,
				"%s left running #%llu; worker %d handed off",
				t->name, (unsigned long long)task->id, slot);
}

/* Looks at every running slot (mu held).  Timed-out tasks' results go to
 * out[] (at most CLAIMS_PER_SCAN; *n of them); returns when to look again
 * (ticks). */
static int64_t
scan(wp_pool *pool, struct wp_result *out, unsigned *n)
{
	int64_t now = wp__ticks(), next = WP__NEVER, dl;
	uint64_t runsum = 0, w, run;
	bool any_timed = false;
	struct wp__thread *t;
	struct wp__task *task;

	atomic_store(&pool->watch_at, WP__NEVER);
	wp__fence();
	for (t = pool->threads; t; t = t->next_all) {
		if (t->role != WP__ROLE_SLOT)
			continue;
		w = atomic_load(&t->run);
		runsum += w >> 2;
		if ((w & 3) != WP__RUN_ACTIVE)
			continue;
		dl = atomic_load_explicit(&t->deadline, memory_order_relaxed);
		if (dl == WP__NEVER)
			continue;
		any_timed = true;
		if (dl > now || *n == CLAIMS_PER_SCAN) {
			next = WP__MIN(next, dl);
			pool->watch_guess =
				dl - atomic_load_explicit(&t->started,
							  memory_order_relaxed);
			continue;
		}
		task = wp__claim_run(t, &run);
		if (!task)
			continue;
		timed_out(pool, t, task, run, now, &out[(*n)++]);
	}
	/* Nothing timed is running.  If runs happened since the last look,
	 * more timed ones may follow: look again one usual timeout from now
	 * so they need not kick us; otherwise sleep until kicked. */
	if (!any_timed && runsum != pool->watch_runsum && pool->watch_guess > 0)
		next = now + pool->watch_guess;
	pool->watch_runsum = runsum;
	atomic_store(&pool->watch_at, next);
	return next;
}

/* A thread in a run that has lasted SUPERVISE_NS or more (ticks). */
static bool
stuck_in_run(const struct wp__thread *t, int64_t now)
{
	return (atomic_load(&t->run) & 3) == WP__RUN_ACTIVE &&
	       now - atomic_load_explicit(&t->started, memory_order_relaxed) >=
		       wp__ns2tk(SUPERVISE_NS);
}

/* Tasks held in a batch behind a run far longer than usual go back to
 * the queue (mu held); true if any did. */
static bool
rescue_batches(wp_pool *pool, int64_t now)
{
	struct wp__thread *t;
	bool any = false;

	for (t = pool->threads; t; t = t->next_all) {
		if (!wp__batch_len(t, NULL) || !stuck_in_run(t, now))
			continue;
		wp__batch_requeue(pool, t);
		any = true;
	}
	return any;
}

/* What supervision tells the workers (worker.c's step_aside), written
 * only when it changes. */
static void
tell_workers(wp_pool *pool, bool starved, int stuck)
{
	if (atomic_load_explicit(&pool->starved, memory_order_relaxed) !=
	    starved)
		atomic_store(&pool->starved, starved);
	if (atomic_load_explicit(&pool->stuck, memory_order_relaxed) != stuck)
		atomic_store(&pool->stuck, stuck);
}

static void
supervise_off(wp_pool *pool)
{
	atomic_store(&pool->supervise, false);
	tell_workers(pool, false, 0);
}

/* Supervision (mu held): wakes parked workers for tasks that waited too
 * long, and rescues tasks held behind a long run; returns when to look
 * again (ns), or WP__NEVER when it is off.  It also tells the workers
 * how many of them are stuck in a run that has lasted SUPERVISE_NS (they
 * count as awake, but take no turns on the queue: step_aside() leaves
 * one per CPU besides them), and whether tasks starve: then no woken
 * worker steps aside, since a run only shows it is long when it ends. */
static int64_t
supervise(wp_pool *pool)
{
	int64_t oldest, now_ns = wp__now(), now = wp__ticks();
	bool held = false;
	int sleepers, stuck = 0;
	unsigned queued;

	if (!atomic_load(&pool->supervise))
		return WP__NEVER;
	if (atomic_load(&pool->gate) & (WP__G_HALT | WP__G_PAUSE)) {
		supervise_off(pool);
		return WP__NEVER;
	}
	for (struct wp__thread *t = pool->threads; t; t = t->next_all) {
		if (wp__batch_len(t, NULL))
			held = true;
		if (t->role == WP__ROLE_SLOT && stuck_in_run(t, now))
			stuck++;
	}
	if (held && rescue_batches(pool, now))
		wp__workers_wake(pool, 1);
	sleepers = atomic_load(&pool->sleepers);
	queued = wp__q_len(&pool->tasks);
	if (!held && (sleepers == 0 || queued == 0)) {
		supervise_off(pool);
		return WP__NEVER;
	}
	oldest = wp__q_oldest(&pool->tasks);
	if (sleepers && oldest && now - oldest >= wp__ns2tk(SUPERVISE_NS)) {
		tell_workers(pool, true, stuck);
		wp__workers_wake(pool, (int)WP__MIN((unsigned)sleepers, queued));
	} else {
		tell_workers(pool, false, stuck);
	}
	return now_ns + SUPERVISE_NS;
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
		pthread_mutex_lock(&pool->mu);
		t->stack->used = false;
		wp__thread_free(t);
		goto again;
	}
}

static void
deliver_timeouts(wp_pool *pool, const struct wp_result *res, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		wp__report_error(pool, res[i].id, res[i].kind, res[i].worker,
				 WP_OUTCOME_TIMED_OUT, WP_ETIMEDOUT,
				 res[i].msg);
		wp__deliver_side(pool, &res[i]);
	}
}

void *
wp__watchdog_main(void *arg)
{
	wp_pool *pool = arg;
	struct wp_result res[CLAIMS_PER_SCAN];
	int64_t next, sup;
	unsigned n;

	wp__self.pool = pool;
	/* Deadlines are met to the microsecond, not to the default 50 us
	 * of timer slack. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	pthread_mutex_lock(&pool->mu);
	pool->watch_rescan = true;
	for (;;) {
		wp__reap_exited(pool);
		if (wp__workers_should_exit(pool) && pool->live_workers == 0 &&
		    pool->spares == 0)
			break;
		n = 0;
		/* A scan when a deadline is due or someone asked for one, not
		 * at every supervision tick: a scan's watch_at = NEVER window
		 * makes every timed run that starts during it kick us (a lock
		 * and a wake-up each), and the kicks made scans of their own. */
		if (pool->watch_rescan ||
		    wp__ticks() >= atomic_load(&pool->watch_at)) {
			pool->watch_rescan = false;
			next = scan(pool, res, &n);
		} else {
			next = atomic_load(&pool->watch_at);
		}
		sup = supervise(pool);
		if (n) {
			pool->watch_rescan = true; /* more may be due */
			pthread_mutex_unlock(&pool->mu);
			wp__events_flush(pool);
			deliver_timeouts(pool, res, n);
			pthread_mutex_lock(&pool->mu);
			continue;
		}
		if (!pool->watch_kick) {
			pthread_mutex_unlock(&pool->mu);
			wp__events_flush(pool);
			wp__clock_refine();
			pthread_mutex_lock(&pool->mu);
			if (!pool->watch_kick)
				wp__cond_wait_until(
					&pool->watch_cv, &pool->mu,
					WP__MIN(next == WP__NEVER
							? WP__NEVER
							: wp__tk2mono(next),
						sup));
		}
		pool->watch_kick = false;
	}
	atomic_store(&pool->watch_at, WP__NEVER);
	wp__producer_leave(pool);
	pthread_mutex_unlock(&pool->mu);
	wp__aux_exited(pool, WP_THREAD_WATCHDOG);
	return NULL;
}
