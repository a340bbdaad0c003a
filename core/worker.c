/*
 * worker.c - the active thread class: workers (S2.1).
 *
 * DESIGN
 * A worker fills a slot (a logical worker, "wp-worker-3") and loops: take
 * the highest-priority queued task under pool->mu, run it without any lock,
 * set its outcome, hand the result to the result queue.  It exits when the
 * root context is cancelled (L1), the business shutdown fires (L2), the
 * task queue is closed and empty (L3), or its slot is retired by a resize.
 * Pause keeps it from taking new tasks.
 *
 * Every run is published in the thread's `run` word (run number << 2 |
 * state).  The watchdog (on a deadline) or a forced stop may claim an
 * ACTIVE run with one CAS; the worker ends the run with the opposite CAS.
 * Exactly one of them wins, and the winner alone sets the task's outcome:
 * a timed-out task is answered by the watchdog at once while the late code
 * runs on, and its late result is discarded here.  A claimed thread becomes
 * an orphan: its slot gets a spare or a new thread (no thread per task),
 * and when the late code returns the orphan fills an empty slot, parks as
 * a spare, or exits.
 *
 * Tasks run under sigsetjmp: wp_panic() and contained fault signals jump
 * back here, the run ends as FAILED, and the same thread carries on, so a
 * panic never shrinks the pool (S5.1).
 *
 * Threads touch: pool->mu for the queue, slots and roles; their own
 * thread struct without a lock (owner-only fields); the result and error
 * queues through passive.c.
 */
#include "wp-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	else if (code != 0)
		snprintf(r->msg, sizeof r->msg, "task returned %d", code);
}

/* Runs one task.  Returns true if the run was claimed by the watchdog or
 * a forced stop (the thread is then overdue or an orphan). */
static bool
run(wp_pool *pool, struct wp__thread *t, struct wp__task *task, int slot)
{
	int64_t start = wp__now(), tmo = task->timeout_ns;
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
	}
	end = wp__now();
	if (how == CRASHED)
		atomic_fetch_add_explicit(&pool->n.crashes, 1,
					  memory_order_relaxed);
	else if (how == PANICKED)
		atomic_fetch_add_explicit(&pool->n.panics, 1,
					  memory_order_relaxed);

	expect = r << 2 | WP__RUN_ACTIVE;
	if (!atomic_compare_exchange_strong(&t->run, &expect,
					    r << 2 | WP__RUN_IDLE)) {
		/* Claimed: the outcome was given already; drop this one. */
		atomic_fetch_add_explicit(&pool->n.late_discarded, 1,
					  memory_order_relaxed);
		return true;
	}

	fill_result(t, task, slot, end, code, how);
	o = code == 0 ? WP_OUTCOME_COMPLETED : WP_OUTCOME_FAILED;
	wp__task_finish(pool, task, o, code);
	wp__hist_add(&pool->hist[slot % WP__HIST_STRIPES], end - start);
	atomic_store_explicit(&pool->last_proc_ns, end - start,
			      memory_order_relaxed);
	atomic_fetch_add_explicit(&t->tasks_done, 1, memory_order_relaxed);
	if (o == WP_OUTCOME_FAILED) {
		enum wp_event_type ev = task->res.panicked  ? WP_EV_PANIC
					: task->res.crashed ? WP_EV_CRASH
							    : WP_EV_FAILED;
		wp__report_error(pool, task, o, code, task->res.msg);
		wp__event(pool, ev, task->id, slot, "%s #%llu on worker %d: %s",
			  task->kind, (unsigned long long)task->id, slot,
			  task->res.msg);
	}
	wp__deliver_result(pool, task, true);
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

void *
wp__worker_main(void *arg)
{
	struct wp__thread *t = arg;
	wp_pool *pool = t->pool;
	struct wp__task *task;
	bool detached;
	int slot;

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
		if (pool->paused || pool->tasks.len == 0) {
			pool->idle_workers++;
			pthread_cond_wait(&pool->work_cv, &pool->mu);
			pool->idle_workers--;
			continue;
		}
		task = wp__taskq_pop(&pool->tasks);
		if (pool->tasks.len && pool->idle_workers)
			pthread_cond_signal(&pool->work_cv);
		if (pool->blocked_submitters &&
		    pool->tasks.len <= pool->tasks.cap / 2)
			pthread_cond_broadcast(&pool->room_cv);
		slot = t->slot;
		pthread_mutex_unlock(&pool->mu);

		bool claimed = run(pool, t, task, slot);

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
	struct wp__thread *t = calloc(1, sizeof *t);
	int rc;

	if (!t)
		return WP_ENOMEM;
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
