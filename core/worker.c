/*
 * worker.c - the active thread class: workers (S2.1).
 *
 * DESIGN
 * A worker fills a slot (a logical worker, "wp-worker-3") and loops: take a
 * small batch of the highest-priority queued tasks under pool->mu, run them
 * one by one without any lock, set each outcome, and hand the results to
 * the result queue in batches.  It exits when the root context is
 * cancelled (L1), the business shutdown fires (L2), the task queue is
 * closed and empty (L3), or its slot is retired by a resize.  Pause keeps
 * it from starting new tasks.
 *
 * Private batches: a worker takes several tasks per trip to the queue lock
 * (batch.c explains how they stay the pool's).
 *
 * Runs.  Every run is published in the thread's `run` word (run number
 * << 2 | state).  The watchdog (on a deadline) or a forced stop may claim
 * an ACTIVE run with one CAS; the worker ends the run with the opposite
 * CAS.  Exactly one of them wins, and the winner alone sets the task's
 * outcome: a timed-out task is answered by the watchdog at once while the
 * late code runs on, and its late result is discarded here.  A claimed
 * thread becomes an orphan: its slot gets a spare or a new thread (no
 * thread per task), and when the late code returns the orphan fills an
 * empty slot, parks as a spare, or exits.
 *
 * Tasks run under sigsetjmp: wp_panic() and contained fault signals jump
 * back here, the run ends as FAILED, and the same thread carries on, so a
 * panic never shrinks the pool (S5.1).
 *
 * Counters and the processing-time histogram are per thread, written only
 * by their owner (no shared cache line on the hot path), and folded into
 * the pool's when the thread exits (under pool->mu).
 */
#include "wp-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long an idle worker watches the queue before it parks. */
#define SPIN_NS (30 * 1000)
/* Results wait at most this long in a worker before being handed over. */
#define FLUSH_AFTER_NS 1000000

static bool
workers_exit(const wp_pool *pool)
{
	return atomic_load(&pool->sig[WP_SIG_CANCEL]) ||
	       atomic_load(&pool->sig[WP_SIG_SHUTDOWN]) ||
	       (atomic_load(&pool->sig[WP_SIG_CLOSE_TASKS]) &&
		pool->tasks.len == 0);
}

bool
wp__workers_should_exit(const wp_pool *pool)
{
	return workers_exit(pool);
}

/* Owner-only increment of a counter others may read. */
static inline void
bump(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

bool
wp__task_finish(wp_pool *pool, struct wp__task *t, enum wp_outcome o,
		int code)
{
	int none = WP_OUTCOME_NONE;

	if (!atomic_compare_exchange_strong(&t->outcome, &none, (int)o))
		return false;
	t->res.id = t->id;
	t->res.outcome = o;
	t->res.code = code;
	t->res.priority = t->priority;
	memcpy(t->res.kind, t->kind, sizeof t->res.kind);
	atomic_fetch_add_explicit(&pool->n.outcome[o], 1,
				  memory_order_release);
	return true;
}

/* The worker's own version: only it touches its counters. */
static void
finish_own(struct wp__thread *t, struct wp__task *task, enum wp_outcome o,
	   int code)
{
	int none = WP_OUTCOME_NONE;

	if (!atomic_compare_exchange_strong(&task->outcome, &none, (int)o))
		return;
	task->res.id = task->id;
	task->res.outcome = o;
	task->res.code = code;
	task->res.priority = task->priority;
	memcpy(task->res.kind, task->kind, sizeof task->res.kind);
	bump(&t->cnt.outcome[o]);
}

/* ------------------------------------------------------------------------
 * Results.
 */
static void
flush(wp_pool *pool, struct wp__thread *t)
{
	if (!t->nout)
		return;
	wp__deliver_batch(pool, t->out_head, t->out_tail, t->nout, true);
	t->out_head = t->out_tail = NULL;
	t->nout = 0;
}

static void
keep(struct wp__thread *t, struct wp__task *task, int64_t now)
{
	task->next = NULL;
	if (t->out_tail)
		t->out_tail->next = task;
	else
		t->out_head = task, t->out_since = now;
	t->out_tail = task;
	t->nout++;
}

static void
publish_kind(struct wp__thread *t, const char *kind)
{
	uint64_t w[3];

	memcpy(w, kind, sizeof w);
	for (int i = 0; i < 3; i++)
		atomic_store_explicit(&t->kindw[i], w[i],
				      memory_order_relaxed);
}

enum { RAN = 0, PANICKED = 1, CRASHED = 2 };

/* Fills the result of a run that ended in the worker's hands. */
static void
fill_result(struct wp__thread *t, struct wp__task *task, int slot,
	    int64_t end, int code, int how)
{
	struct wp_result *r = &task->res;

	wp__res_reset(task);
	r->worker = slot;
	r->value = t->ctx.value;
	r->queued_ns = task->start_ns - task->submit_ns;
	r->run_ns = end - task->start_ns;
	r->panicked = how == PANICKED;
	r->crashed = how == CRASHED;
	if (how == PANICKED)
		snprintf(r->msg, sizeof r->msg, "panic: %.88s", t->panic_msg);
	else if (how == CRASHED)
		snprintf(r->msg, sizeof r->msg, "crash: %s",
			 strsignal(t->fault_signo));
	else if (t->ctx.has_msg)
		memcpy(r->msg, t->ctx.msg, sizeof r->msg);
	else if (code < 0 && strcmp(wp_err_name(code), "WP_E?") != 0)
		snprintf(r->msg, sizeof r->msg, "task returned %s (%s)",
			 wp_err_name(code), wp_strerror(code));
	else if (code != 0)
		snprintf(r->msg, sizeof r->msg, "task returned %d", code);
}

static void
failed(wp_pool *pool, struct wp__task *task, int slot, int code)
{
	enum wp_event_type ev = task->res.panicked  ? WP_EV_PANIC
				: task->res.crashed ? WP_EV_CRASH
						    : WP_EV_FAILED;

	wp__report_error(pool, task, WP_OUTCOME_FAILED, code, task->res.msg);
	wp__event(pool, ev, task->id, slot, "%s #%llu on worker %d: %s",
		  task->kind, (unsigned long long)task->id, slot,
		  task->res.msg);
}

/* A task that stops because the root context was cancelled, and says so
 * by returning WP_ECANCELED, ends cancelled: it did what was asked of it.
 * Any other non-zero return is a failure. */
static enum wp_outcome
outcome_of(const struct wp__thread *t, int code, int how)
{
	if (code == 0)
		return WP_OUTCOME_COMPLETED;
	if (how == RAN && code == WP_ECANCELED &&
	    wp_ctx_err(&t->ctx) == WP_ECANCELED)
		return WP_OUTCOME_CANCELLED;
	return WP_OUTCOME_FAILED;
}

/* Runs one task that starts at *now (the caller's clock reading) and sets
 * *now to when it ended, so back-to-back tasks share one clock read.
 * Returns true if the run was claimed by the watchdog or a forced stop
 * (the thread is then overdue or an orphan). */
static bool
run(wp_pool *pool, struct wp__thread *t, struct wp__task *task, int slot,
    int64_t *now)
{
	int64_t start = *now, tmo = task->timeout_ns;
	int64_t deadline = WP__NEVER, end;
	uint64_t r = ++t->runs, expect;
	/* Everything the run needs from the task is read before the run is
	 * published: from then on a claim may hand the task to someone else. */
	wp_task_fn fn = task->fn;
	void *arg = task->arg;
	volatile int code = 0;
	enum wp_outcome o;
	int how;

	if (tmo < 0)
		tmo = atomic_load_explicit(&pool->task_timeout_ns,
					   memory_order_relaxed);
	if (tmo > 0)
		deadline = start + tmo;
	task->start_ns = start;
	wp__ctx_begin(t, task, r, deadline);
	atomic_store_explicit(&t->task, task, memory_order_relaxed);
	atomic_store_explicit(&t->deadline_ns, deadline, memory_order_relaxed);
	atomic_store_explicit(&t->started_ns, start, memory_order_relaxed);
	atomic_store_explicit(&t->cur_task_id, task->id,
			      memory_order_relaxed);
	publish_kind(t, task->kind);
	atomic_store(&t->run, r << 2 | WP__RUN_ACTIVE);
	if (deadline != WP__NEVER)
		wp__watchdog_notice(pool, deadline);

	t->fault_signo = 0;
	/* No mask saved: that would be a system call per task.  Handlers run
	 * with SA_NODEFER and an empty sa_mask, so a jump out of one leaves
	 * the mask as it was. */
	how = sigsetjmp(t->jb, 0);
	if (how == RAN) {
		t->in_task = 1;
		code = fn(&t->ctx, arg);
		t->in_task = 0;
	} else {
		t->in_task = 0;
		code = how == CRASHED ? WP_ECRASH : WP_EPANIC;
		if (how == CRASHED)
			wp__crash_unblock();
	}
	end = wp__now();
	*now = end;
	if (how == CRASHED)
		bump(&t->cnt.crashes);
	else if (how == PANICKED)
		bump(&t->cnt.panics);

	expect = r << 2 | WP__RUN_ACTIVE;
	if (!atomic_compare_exchange_strong(&t->run, &expect,
					    r << 2 | WP__RUN_IDLE)) {
		/* Claimed: the outcome was given already; drop this one. */
		bump(&t->cnt.late);
		return true;
	}

	fill_result(t, task, slot, end, code, how);
	o = outcome_of(t, code, how);
	finish_own(t, task, o, code);
	wp__hist_add_owner(&t->hist, end - start);
	atomic_store_explicit(&t->last_end_ns, end, memory_order_relaxed);
	t->ewma_ns += (end - start - t->ewma_ns) / 8;
	bump(&t->tasks_done);
	if (o == WP_OUTCOME_FAILED)
		failed(pool, task, slot, code);
	keep(t, task, end);
	return false;
}

/* An orphan came back from its late task (mu held).  Returns true if the
 * thread should exit. */
static bool
orphan_returns(wp_pool *pool, struct wp__thread *t)
{
	unsigned i;

	pool->orphans--;
	if (workers_exit(pool))
		return true;
	for (i = 0; i < pool->target; i++) {
		if (pool->slots[i].thread)
			continue;
		wp__thread_take_slot(pool, t, (int)i);
		return false;
	}
	if (pool->spares < pool->cfg.orphan_cap) {
		t->role = WP__ROLE_SPARE;
		pool->spares++;
		snprintf(t->name, sizeof t->name, "wp-spare-%d", t->last_slot);
		wp__thread_name(t->tid, t->name);
		return false;
	}
	return true;
}

/* Folds a leaving thread's counters into the pool's (mu held). */
static void
fold_counters(wp_pool *pool, struct wp__thread *t)
{
	struct wp__hist_snap s;

	for (int o = 0; o < WP_OUTCOME_COUNT; o++)
		atomic_fetch_add(&pool->n.outcome[o],
				 atomic_load(&t->cnt.outcome[o]));
	atomic_fetch_add(&pool->n.panics, atomic_load(&t->cnt.panics));
	atomic_fetch_add(&pool->n.crashes, atomic_load(&t->cnt.crashes));
	atomic_fetch_add(&pool->n.late_discarded, atomic_load(&t->cnt.late));
	wp__hist_read(&t->hist, &s);
	wp__hist_add_snap(&pool->hist, &s);
	memset(&t->cnt, 0, sizeof t->cnt);
	memset(&t->hist, 0, sizeof t->hist);
}

/* Bookkeeping of a worker-class thread leaving (mu held). */
static void
leave(wp_pool *pool, struct wp__thread *t)
{
	bool orphan = t->role == WP__ROLE_ORPHAN;

	if (t->role == WP__ROLE_SLOT) {
		pool->slots[t->slot].thread = NULL;
		pool->live_workers--;
		wp__producer_leave(pool);
	} else if (t->role == WP__ROLE_SPARE) {
		pool->spares--;
	}
	fold_counters(pool, t);
	t->role = WP__ROLE_EXITED;
	t->slot = -1;
	pool->worker_threads--;
	wp__stop_log_exit(pool, t->name, orphan ? WP_THREAD_ORPHAN
						: WP_THREAD_WORKER);
	/* Pass on a wake-up this thread may have swallowed. */
	if (pool->tasks.len && pool->idle_workers)
		pthread_cond_signal(&pool->work_cv);
	pthread_cond_broadcast(&pool->thread_cv);
	pthread_cond_broadcast(&pool->idle_cv);
	pool->watch_kick = true;
	pthread_cond_signal(&pool->watch_cv);
}

/* Takes a batch (mu held) and wakes whoever else should work. */
static void
take_batch(wp_pool *pool, struct wp__thread *t)
{
	unsigned n = wp__batch_size(pool, t), i;

	for (i = 0; i < n; i++) {
		t->bq[i] = wp__taskq_pop(&pool->tasks);
		t->bq_ns[i] = t->bq[i]->submit_ns;
	}
	atomic_store(&t->bq_head, 0);
	t->bq_tail = n;
	t->spun = false;
	if (pool->tasks.len && pool->idle_workers > pool->wakes) {
		pool->wakes++;
		pthread_cond_signal(&pool->work_cv);
	}
	if (pool->blocked_submitters && pool->tasks.len <= pool->tasks.cap / 2)
		pthread_cond_broadcast(&pool->room_cv);
}

/* Before parking, one worker at a time watches the queue for a few tens of
 * microseconds (mu released): in a steady stream of short tasks the queue
 * runs dry for moments only, and a futex sleep and wake-up per moment
 * cost more than the tasks.  Submitters do not signal while a worker
 * spins; the spinner wakes the others when it takes a batch.  Returns true
 * if work (or a reason to look again) turned up; either way the caller
 * re-checks under the lock before it parks. */
static bool
spin(wp_pool *pool)
{
	int64_t end;
	unsigned i = 0;
	bool found = false;

	pool->spinning++;
	pthread_mutex_unlock(&pool->mu);
	end = wp__now() + SPIN_NS;
	for (;;) {
		if (atomic_load_explicit(&pool->paused, memory_order_relaxed))
			break;
		if (atomic_load_explicit(&pool->tasks.hint,
					 memory_order_relaxed) ||
		    atomic_load_explicit(&pool->sig[WP_SIG_CANCEL],
					 memory_order_relaxed) ||
		    atomic_load_explicit(&pool->sig[WP_SIG_SHUTDOWN],
					 memory_order_relaxed) ||
		    atomic_load_explicit(&pool->sig[WP_SIG_CLOSE_TASKS],
					 memory_order_relaxed)) {
			found = true;
			break;
		}
		wp__cpu_relax();
		if (++i % 64 == 0 && wp__now() >= end)
			break;
	}
	pthread_mutex_lock(&pool->mu);
	pool->spinning--;
	return found;
}

/* Waits for work (mu held), first handing over finished results. */
static void
idle(wp_pool *pool, struct wp__thread *t)
{
	if (t->nout) {
		pthread_mutex_unlock(&pool->mu);
		flush(pool, t);
		pthread_mutex_lock(&pool->mu);
		return;
	}
	/* After a spin the caller looks again at everything (the lock was
	 * released, a signal may have fired); only then does it park. */
	if (!t->spun && pool->spinning == 0 &&
	    !atomic_load_explicit(&pool->paused, memory_order_relaxed)) {
		t->spun = true;
		spin(pool);
		return;
	}
	t->spun = false;
	pool->idle_workers++;
	pthread_cond_wait(&pool->work_cv, &pool->mu);
	pool->idle_workers--;
	if (pool->wakes)
		pool->wakes--;
}

/* Runs the private batch (no lock).  Returns true if a run was claimed. */
static bool
run_batch(wp_pool *pool, struct wp__thread *t, int slot)
{
	struct wp__task *task;
	int64_t now = wp__now();

	while ((task = wp__batch_next(t)) != NULL) {
		if (t->nout && (t->nout >= WP__BATCH_MAX ||
				now - t->out_since > FLUSH_AFTER_NS)) {
			flush(pool, t);
			now = wp__now();
		}
		if (run(pool, t, task, slot, &now))
			return true;
	}
	flush(pool, t);
	return false;
}

void *
wp__worker_main(void *arg)
{
	struct wp__thread *t = arg;
	wp_pool *pool = t->pool;
	bool detached;

	wp__self.pool = pool;
	wp__self.worker = t;
	if (pool->contain)
		wp__altstack_setup(t);

	pthread_mutex_lock(&pool->mu);
	for (;;) {
		if (t->role == WP__ROLE_SPARE) {
			if (workers_exit(pool))
				break;
			pthread_cond_wait(&pool->spare_cv, &pool->mu);
			continue;
		}
		if (workers_exit(pool) || t->slot >= (int)pool->target)
			break;
		if (atomic_load_explicit(&pool->paused, memory_order_relaxed) ||
		    pool->tasks.len == 0) {
			idle(pool, t);
			continue;
		}
		take_batch(pool, t);
		int slot = t->slot;
		pthread_mutex_unlock(&pool->mu);

		bool claimed = run_batch(pool, t, slot);

		pthread_mutex_lock(&pool->mu);
		if (!claimed)
			continue;
		if (t->role == WP__ROLE_SLOT) {
			/* Overdue at the orphan cap: the slot waited for us. */
			t->overdue = false;
			pool->slots[t->slot].waiting_orphan = false;
			continue;
		}
		wp__event_later(pool, WP_EV_ORPHAN_BACK, 0, t->last_slot,
				"orphan of worker %d returned; late result "
				"dropped", t->last_slot);
		if (orphan_returns(pool, t))
			break;
	}
	leave(pool, t);
	detached = t->detached;
	pthread_mutex_unlock(&pool->mu);
	flush(pool, t);
	wp__events_flush(pool);
	wp__altstack_teardown(t);
	if (detached)
		wp__pool_unref(pool);
	return NULL;
}

/* Puts thread t into slot i (mu held). */
void
wp__thread_take_slot(wp_pool *pool, struct wp__thread *t, int i)
{
	if (t->role == WP__ROLE_SPARE)
		pool->spares--;
	t->role = WP__ROLE_SLOT;
	t->slot = i;
	t->last_slot = i;
	pool->slots[i].thread = t;
	pool->slots[i].waiting_orphan = false;
	pool->live_workers++;
	wp__producer_enter(pool);
	snprintf(t->name, sizeof t->name, "wp-worker-%d", i);
	wp__thread_name(t->tid, t->name);
}

int
wp__worker_spawn(wp_pool *pool, int slot)
{
	struct wp__thread *t = aligned_alloc(64, sizeof *t);
	int rc;

	if (!t)
		return WP_ENOMEM;
	memset(t, 0, sizeof *t);
	t->pool = pool;
	t->ctx.pool = pool;
	t->ctx.thread = t;
	t->slot = -1;
	t->role = WP__ROLE_SPARE; /* becomes SLOT below */
	atomic_init(&t->deadline_ns, WP__NEVER);
	pthread_mutex_init(&t->sleep_mu, NULL);
	rc = wp__cond_init(&t->sleep_cv);
	if (rc) {
		pthread_mutex_destroy(&t->sleep_mu);
		free(t);
		return rc;
	}
	snprintf(t->name, sizeof t->name, "wp-worker-%d", slot);
	rc = wp__thread_start(&t->tid, t->name, wp__worker_main, t);
	if (rc) {
		pthread_cond_destroy(&t->sleep_cv);
		pthread_mutex_destroy(&t->sleep_mu);
		free(t);
		return rc;
	}
	/* The new thread blocks on pool->mu until the caller releases it. */
	t->next_all = pool->threads;
	pool->threads = t;
	pool->worker_threads++;
	pool->spares++;
	wp__thread_take_slot(pool, t, slot);
	return 0;
}

void
wp__thread_free(struct wp__thread *t)
{
	pthread_cond_destroy(&t->sleep_cv);
	pthread_mutex_destroy(&t->sleep_mu);
	free(t);
}
