/*
 * worker.c - the active thread class: workers (S2.1).
 *
 * DESIGN
 * A worker fills a slot (a logical worker, "wp-worker-3") and serves the
 * task queue without taking any lock: pop a task (chan.c), run it, push
 * its outcome into the slot's lane (lane.c), pop the next.  It leaves when
 * the root context is cancelled (L1), the business shutdown fires (L2),
 * the task queue is closed and empty (L3), or a resize retires its slot;
 * pause keeps it from taking new tasks.  Those decisions are made under
 * pool->mu in worker_main(); the serving loop only watches `gate`, one
 * word of flags read once per task.
 *
 * Runs.  Every run is published in the thread's `run` word (run number
 * << 2 | state), followed by a full fence.  The watchdog (on a deadline)
 * or a forced stop may claim an ACTIVE run with one CAS; the worker ends
 * the run with the opposite CAS.  Exactly one of them wins, and the winner
 * alone makes the task's outcome: a timed-out task is answered by the
 * watchdog at once while the late code runs on, and its late result is
 * dropped here.  A claimed thread becomes an orphan: its slot gets a
 * spare or a new thread (no thread per task), and when the late code
 * returns the orphan fills an empty slot, parks as a spare, or exits.
 * The fence after publishing a run also serves the result handler's and
 * the watchdog's Dekker pairs (lane.c, watchdog.c): one fence per task.
 *
 * Tasks run under sigsetjmp, set once per serve() rather than per task:
 * wp_panic() and contained fault signals jump back there, the run ends as
 * FAILED, and the same thread carries on serving, so a panic never
 * shrinks the pool (S5.1).
 *
 * Parking and waking (all lock-free; counters in pool, written only when
 * a worker parks, wakes or changes its mind about task length):
 * - A worker that finds nothing to do watches the queue for a while if no
 *   other worker is already doing so (one spinner at a time): at least
 *   SPIN_BASE_NS, longer when tasks keep arriving just after it parks (up
 *   to the idle-spin option: adapt_spin()).  Then it parks
 *   on the `work_seq` futex, counted in `sleepers` and no longer in
 *   `awake`.  It looks at the queue once more after counting itself a
 *   sleeper: the Dekker pair with the submitter's kick.
 * - A wake-up for one worker goes to the one that parked last (each waits
 *   with a futex bit of its own, `last_parked` names the latest), not to
 *   the one asleep longest: the CPU it left is the one that went idle and
 *   its cache is warm.  Woken first-in-first-out, a worker asleep for
 *   milliseconds was often put on the busy CPU (this VM's kernel packs
 *   threads onto few vCPUs) and waited there up to a millisecond while
 *   the other CPU idled: 30 % of the throughput of a 5 ms stretch at W=8.
 * - A submit wakes a parked worker only when no worker is awake, or when
 *   tasks are long (a worker's usual task takes LONG_NS or more): an awake
 *   worker running short tasks will get to the new one in moments, and a
 *   futex wake-up costs more than many short tasks (tens of microseconds
 *   on a VM).
 * - A worker that takes a task with several more queued behind it wakes
 *   another, as long as fewer workers than CPUs are awake (or tasks are
 *   long): more threads than CPUs only take turns.
 * - If every awake worker is stuck in a task far longer than usual, the
 *   watchdog's supervision wakes parked workers for tasks that waited
 *   (watchdog.c), so no task waits for ever behind a busy worker.  The
 *   usual length only learns that tasks got long when a long run ends,
 *   and a worker stuck in a run counts as awake: while tasks starve
 *   (`starved`) no worker steps aside and a taken task wakes helpers,
 *   and workers seen stuck in a run (`stuck`) do not count towards the
 *   one awake per CPU.
 *
 * Counters and the processing-time histogram are per thread, written only
 * by their owner (no shared cache line on the hot path), and folded into
 * the pool's when the thread exits (under pool->mu).
 */
#include "wp-internal.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long the one spinning worker watches the queue before it parks, at
 * least (the limit adapts between this and the idle-spin option). */
#define SPIN_BASE_NS (50 * WP__NS_PER_US)
/* A usual task this long counts as long (a wake-up costs less). */
#define LONG_NS (50 * WP__NS_PER_US)
/* A yield this long while spinning: another thread wants this CPU. */
#define SPIN_SHARED_NS (200 * WP__NS_PER_US)
/* A task taken after waiting this long says the workers awake are behind. */
#define BEHIND_NS (20 * WP__NS_PER_US)

enum { GOT, AGAIN, LOOK, CLAIMED };


bool
wp__workers_should_exit(wp_pool *pool)
{
	return atomic_load(&pool->sig[WP_SIG_CANCEL]) ||
	       atomic_load(&pool->sig[WP_SIG_SHUTDOWN]) ||
	       (atomic_load(&pool->sig[WP_SIG_CLOSE_TASKS]) &&
		wp__q_is_empty(&pool->tasks));
}

int
wp__workers_wake(wp_pool *pool, int n)
{
	int r;

	atomic_fetch_add(&pool->work_seq, 1);
	if (n != 1)
		return wp__futex_wake(&pool->work_seq, n);
	/* One: the latest to park, if it still sleeps. */
	r = wp__futex_wake_bits(&pool->work_seq, 1,
				atomic_load_explicit(&pool->last_parked,
						     memory_order_relaxed));
	return r ? r : wp__futex_wake(&pool->work_seq, 1);
}

/* The spin limit learns from misses: a task that found no spinner and had
 * to wake a worker arrived `gap` after the last spin gave up.  A gap
 * shorter than the idle-spin option would have been covered by a longer
 * spin (and spared a wake-up of tens of microseconds), so the limit grows
 * to cover it; a longer gap means the pool had gone idle, so it shrinks. */
static void
adapt_spin(wp_pool *pool)
{
	int64_t max = wp__ns2tk(atomic_load_explicit(&pool->spin_max_ns,
						     memory_order_relaxed));
	int64_t base = WP__MIN(wp__ns2tk(SPIN_BASE_NS), max);
	int64_t cur = atomic_load_explicit(&pool->spin_tk, memory_order_relaxed);
	int64_t gap = wp__ticks() - atomic_load_explicit(&pool->spin_end,
							 memory_order_relaxed);

	if (gap < max)
		cur = (cur + gap) / 4 * 5;
	else
		cur /= 2;
	atomic_store_explicit(&pool->spin_tk, WP__MAX(WP__MIN(cur, max), base),
			      memory_order_relaxed);
}

/* A wake-up is no longer in flight: a parked worker returned from its
 * futex (or none, if it was woken for all or by a spurious return), or a
 * wake-up found nobody asleep to take it. */
static void
woke(wp_pool *pool)
{
	int w = atomic_load_explicit(&pool->waking, memory_order_relaxed);

	while (w > 0 && !atomic_compare_exchange_weak(&pool->waking, &w, w - 1))
		;
}

/* Wakes one parked worker for a task, counting the wake-up in flight:
 * until the worker runs (tens of microseconds on a VM) it counts as
 * awake, so the next submits do not wake another for nothing.  If the
 * futex woke nobody, the worker it was meant for had not gone to sleep
 * yet: it sees work_seq changed and returns at once (counting itself
 * back with woke()), or it found a task on its last look and never
 * sleeps; either way the wake-up is taken now, and must not stay
 * counted (the test-wake suite: a wake-up left counted kept a worker
 * asleep through every later submit). */
static void
wake_for_task(wp_pool *pool)
{
	atomic_fetch_add(&pool->waking, 1);
	if (wp__workers_wake(pool, 1) == 0)
		woke(pool);
}

void
wp__workers_kick(wp_pool *pool)
{
	int sleepers;

	wp__fence(); /* the task is published: now look for sleepers */
	sleepers = atomic_load_explicit(&pool->sleepers, memory_order_relaxed);
	if (WP__LIKELY(sleepers == 0))
		return;
	if ((atomic_load_explicit(&pool->gate, memory_order_relaxed) &
	     WP__G_PAUSE) ||
	    atomic_load_explicit(&pool->spinning, memory_order_relaxed))
		return; /* the spinner takes it in moments */
	if (atomic_load_explicit(&pool->awake, memory_order_relaxed) +
			    atomic_load_explicit(&pool->waking,
						 memory_order_relaxed) ==
		    0) {
		adapt_spin(pool);
		wake_for_task(pool);
	} else if (atomic_load_explicit(&pool->long_tasks,
					memory_order_relaxed) > 0 &&
		   sleepers > atomic_load_explicit(&pool->waking,
						   memory_order_relaxed)) {
		wake_for_task(pool);
	} else {
		wp__supervise(pool);
	}
}

void
wp__gate_set(wp_pool *pool, unsigned bits)
{
	atomic_fetch_or(&pool->gate, bits);
	wp__workers_wake(pool, -1);
}

void
wp__gate_clear(wp_pool *pool, unsigned bits)
{
	atomic_fetch_and(&pool->gate, ~bits);
	wp__workers_wake(pool, -1);
}

/* A task was just taken, after waiting `waited` ticks in the queue.  If
 * others wait behind it and workers are parked: another pair of hands
 * now if several are plainly queued, the one just taken had to wait (the
 * workers awake are falling behind, not catching a burst), and fewer
 * workers than CPUs are awake (or tasks are long); otherwise the
 * watchdog's supervision, which wakes one if they are still waiting in a
 * few milliseconds (the task just taken may be a long one). */
static void
more_hands(wp_pool *pool, int64_t waited)
{
	int waking = atomic_load_explicit(&pool->waking, memory_order_relaxed);
	bool now;

	if (WP__LIKELY(atomic_load_explicit(&pool->sleepers,
					    memory_order_relaxed) <= waking))
		return;
	now = waited >= wp__ns2tk(BEHIND_NS) &&
	      (atomic_load_explicit(&pool->awake, memory_order_relaxed) +
			       waking <
		       (int)pool->ncpu ||
	       atomic_load_explicit(&pool->long_tasks, memory_order_relaxed) >
		       0 ||
	       atomic_load_explicit(&pool->starved, memory_order_relaxed));
	/* The queue's head last: it is a line the other workers write. With
	 * supervision already on, a look that would only ask for it is
	 * skipped. */
	if (!now &&
	    atomic_load_explicit(&pool->supervise, memory_order_relaxed))
		return;
	if (!wp__q_ready(&pool->tasks))
		return;
	if (now && wp__q_deep(&pool->tasks))
		wake_for_task(pool);
	else
		wp__supervise(pool);
}

/* A submitter waits for room and the queue has drained to the mark. */
static void
room_check(wp_pool *pool)
{
	struct wp__taskq *q = &pool->tasks;

	if (WP__UNLIKELY(atomic_load(&pool->room_armed)) &&
	    wp__q_len(q) <= wp__room_mark(pool))
		wp__room_wake(pool);
}

/* Owner-only increment of a counter others may read. */
static inline void
bump(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

void
wp__count_outcome(wp_pool *pool, enum wp_outcome o)
{
	atomic_fetch_add_explicit(&pool->n.outcome[o], 1,
				  memory_order_release);
}

/* A retired slot: mine is past the target. */
static bool
retiring(wp_pool *pool, const struct wp__thread *t)
{
	bool r;

	pthread_mutex_lock(&pool->mu);
	r = t->slot >= (int)pool->target;
	pthread_mutex_unlock(&pool->mu);
	return r;
}

static void
set_long(wp_pool *pool, struct wp__thread *t, bool is_long)
{
	if (t->is_long == is_long)
		return;
	t->is_long = is_long;
	atomic_fetch_add(&pool->long_tasks, is_long ? 1 : -1);
}

/* A run preempted in the middle looks a thousand times longer than the
 * task is: a lone sample past 4x the estimate (plus a microsecond) counts
 * as that limit, so one preemption does not make short tasks "long"
 * (which changes batch sizes and who gets woken).  Two in a row mean the
 * tasks did get longer: then the sample counts as it is. */
static int64_t
clamp_sample(struct wp__thread *t, int64_t d)
{
	int64_t lim = 4 * t->ewma + wp__ns2tk(WP__NS_PER_US);

	if (d <= lim) {
		t->over = 0;
		return d;
	}
	return ++t->over >= 2 ? d : lim;
}

/* Shares the usual task length with submitters (how long the queue takes
 * to drain), writing the shared line only when it moved by a quarter. */
static void
publish_length(wp_pool *pool, const struct wp__thread *t)
{
	int64_t p = atomic_load_explicit(&pool->task_tk, memory_order_relaxed);

	if (t->ewma > p + p / 4 || t->ewma < p - p / 4)
		atomic_store_explicit(&pool->task_tk, t->ewma,
				      memory_order_relaxed);
}

/* ------------------------------------------------------------------------
 * Outcomes.
 */
static void
publish_kind(struct wp__thread *t)
{
	uint64_t w[3];

	if (t->cur.has_kind) {
		memcpy(w, t->cur_kind, sizeof w);
		for (int i = 0; i < 3; i++)
			atomic_store_explicit(&t->kindw[i], w[i],
					      memory_order_relaxed);
		t->kind_shown = true;
	} else if (t->kind_shown) {
		atomic_store_explicit(&t->kindw[0], 0, memory_order_relaxed);
		t->kind_shown = false;
	}
}

enum { RAN = 0, PANICKED = 1, CRASHED = 2 };

/* The message of a run that ended in the worker's hands; false if none. */
static bool
run_message(struct wp__thread *t, int code, int how, char msg[WP_MSG_MAX])
{
	if (how == PANICKED)
		snprintf(msg, WP_MSG_MAX, "panic: %.88s", t->panic_msg);
	else if (how == CRASHED)
		snprintf(msg, WP_MSG_MAX, "crash: %s",
			 strsignal(t->fault_signo));
	else if (t->ctx.has_msg)
		memcpy(msg, t->ctx.msg, WP_MSG_MAX);
	else if (code < 0 && strcmp(wp_err_name(code), "WP_E?") != 0)
		snprintf(msg, WP_MSG_MAX, "task returned %s (%s)",
			 wp_err_name(code), wp_strerror(code));
	else if (code != 0)
		snprintf(msg, WP_MSG_MAX, "task returned %d", code);
	else
		return false;
	return true;
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

static void
failed(wp_pool *pool, struct wp__thread *t, int slot, int code, int how,
       const char *msg)
{
	enum wp_event_type ev = how == PANICKED	 ? WP_EV_PANIC
				: how == CRASHED ? WP_EV_CRASH
						 : WP_EV_FAILED;
	const char *kind = t->cur.has_kind ? t->cur_kind : "task";

	wp__report_error(pool, t->cur.id, kind, slot, WP_OUTCOME_FAILED, code,
			 msg);
	wp__event(pool, ev, t->cur.id, slot, "%s #%llu on worker %d: %s", kind,
		  (unsigned long long)t->cur.id, slot, msg);
}

/* A task taken after a cancel or shutdown fired: cancelled unstarted. */
static void
cancel_taken(wp_pool *pool, struct wp__thread *t, struct wp__lane *l)
{
	struct wp__rec r = {0};
	int64_t now = wp__ticks();

	r.id = t->cur.id;
	r.queued = wp__dur_pack(wp__tk2ns(now - atomic_load_explicit(
						       &t->cur.submit,
						       memory_order_relaxed)));
	r.code = WP_ECANCELED;
	r.worker = -1;
	r.priority = t->cur.priority;
	r.bits = WP__REC_BITS(WP_OUTCOME_CANCELLED,
			      WP__REC_NEVER_RAN | WP__REC_MSG |
				      (t->cur.has_kind ? WP__REC_KIND : 0));
	bump(&t->cnt.outcome[WP_OUTCOME_CANCELLED]);
	atomic_fetch_add_explicit(&pool->n.never_ran, 1,
				  memory_order_relaxed);
	if (t->cur.free_fn)
		t->cur.free_fn(t->cur.arg);
	wp__lane_push(pool, l, &r, "cancelled before it started",
		      t->cur_kind, now);
}

void
wp__cancel_queued(wp_pool *pool, const struct wp__task *t, const char *kind)
{
	struct wp_result r;

	memset(&r, 0, sizeof r);
	r.id = t->id;
	r.outcome = WP_OUTCOME_CANCELLED;
	r.code = WP_ECANCELED;
	r.never_ran = true;
	r.priority = t->priority;
	r.worker = -1;
	r.queued_ns = wp__tk2ns(wp__ticks() -
				atomic_load_explicit(&t->submit,
						     memory_order_relaxed));
	wp__kind_copy(r.kind, kind ? kind : "task");
	snprintf(r.msg, sizeof r.msg, "cancelled before it started");
	wp__count_outcome(pool, WP_OUTCOME_CANCELLED);
	atomic_fetch_add_explicit(&pool->n.never_ran, 1,
				  memory_order_relaxed);
	if (t->free_fn)
		t->free_fn(t->arg);
	wp__deliver_side(pool, &r);
}

/* Publishes the run of t->cur, which starts at `start`. */
static void
run_begin(wp_pool *pool, struct wp__thread *t, struct wp__lane *l,
	  int64_t start)
{
	struct wp__task *task = &t->cur;
	int64_t tmo = task->timeout_ns, deadline = WP__NEVER;
	uint64_t r = ++t->runs;

	if (tmo < 0)
		tmo = atomic_load_explicit(&pool->task_timeout_ns,
					   memory_order_relaxed);
	if (tmo > 0)
		deadline = start + wp__ns2tk(tmo);
	wp__ctx_begin(t, task->id, r, deadline);
	atomic_store_explicit(&t->task, task, memory_order_relaxed);
	atomic_store_explicit(&t->deadline, deadline, memory_order_relaxed);
	atomic_store_explicit(&t->started, start, memory_order_relaxed);
	atomic_store_explicit(&t->cur_task_id, task->id,
			      memory_order_relaxed);
	publish_kind(t);
	/* The lane before the run is published: once it is, a claim may
	 * hand the slot, and its lane, to another thread. */
	if (wp__lane_due(pool, l, start, t->is_long)) {
		wp__fence();
		wp__lane_check(pool, l, start,
			       t->is_long ? WP__CHK_PARK : WP__CHK_RUN);
	}
	atomic_store_explicit(&t->run, r << 2 | WP__RUN_ACTIVE,
			      memory_order_release);
	/* The run visible before we look at the watchdog's next wake-up. */
	if (deadline != WP__NEVER) {
		wp__fence();
		wp__watchdog_notice(pool, deadline);
	}

	t->fault_signo = 0;
}

/* Ends the run of t->cur, which returned `code` (or panicked or crashed:
 * `how`), and sets *now to when it ended, so back-to-back tasks share one
 * clock reading.  Returns true if the run was claimed by the watchdog or
 * a forced stop (the thread is then overdue or an orphan).  Inlined into
 * both callers: as a call it cost ~50 instructions a task (its prologue,
 * and the serve loop's registers saved around it). */
static inline __attribute__((always_inline)) bool
run_end(wp_pool *pool, struct wp__thread *t, struct wp__lane *l, int slot,
	int code, int how, int64_t *now)
{
	struct wp__task *task = &t->cur;
	int64_t start = atomic_load_explicit(&t->started, memory_order_relaxed);
	int64_t end = wp__ticks(), ran;
	uint64_t r = t->runs, expect;
	struct wp__rec rec;
	char msg[WP_MSG_MAX];
	enum wp_outcome o;
	unsigned flags;

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

	o = outcome_of(t, code, how);
	ran = wp__tk2ns(end - start);
	flags = (how == PANICKED ? WP__REC_PANICKED : 0) |
		(how == CRASHED ? WP__REC_CRASHED : 0) |
		(task->has_kind ? WP__REC_KIND : 0);
	if (WP__UNLIKELY(code != 0 || t->ctx.has_msg) &&
	    run_message(t, code, how, msg))
		flags |= WP__REC_MSG;
	rec.id = task->id;
	rec.value = t->ctx.value;
	rec.queued = wp__dur_pack(wp__tk2ns(start - atomic_load_explicit(
							    &task->submit,
							    memory_order_relaxed)));
	rec.run = wp__dur_pack(ran);
	rec.code = code;
	rec.worker = (int16_t)slot;
	rec.priority = task->priority;
	rec.bits = WP__REC_BITS(o, flags);
	bump(&t->cnt.outcome[o]);
	wp__hist_add_owner(&t->hist, ran);
	atomic_store_explicit(&t->last_end, end, memory_order_relaxed);
	t->ewma += (clamp_sample(t, end - start) - t->ewma) / 8;
	set_long(pool, t, t->ewma >= wp__ns2tk(LONG_NS));
	publish_length(pool, t);
	bump(&t->tasks_done);
	if (WP__UNLIKELY(o == WP_OUTCOME_FAILED))
		failed(pool, t, slot, code, how, msg);
	wp__lane_push(pool, l, &rec, msg, t->cur_kind, end);
	return false;
}

/* Runs t->cur, which starts at *now (the caller's clock reading).  A
 * panic or a contained crash in the task jumps to serve()'s sigsetjmp,
 * which ends the run there. */
static bool
run(wp_pool *pool, struct wp__thread *t, struct wp__lane *l, int slot,
    int64_t *now)
{
	int code;

	run_begin(pool, t, l, *now);
	t->in_task = 1;
	code = t->cur.fn(&t->ctx, t->cur.arg);
	t->in_task = 0;
	return run_end(pool, t, l, slot, code, RAN, now);
}

/* ------------------------------------------------------------------------
 * Serving the queue.
 */

/* Parks until woken.  Returns GOT if a last look found a task, LOOK if
 * the worker must decide something under pool->mu, AGAIN otherwise.
 * `aside`: the worker already left `awake` (step_aside) while others are
 * awake to take the queue, so it takes nothing on its last look. */
static int
park_as(wp_pool *pool, struct wp__thread *t, struct wp__lane *l, int64_t *now,
	bool aside)
{
	uint32_t e = atomic_load(&pool->work_seq);
	unsigned g;

	if (!aside)
		atomic_fetch_sub(&pool->awake, 1);
	atomic_fetch_add(&pool->sleepers, 1); /* a full fence */
	g = atomic_load(&pool->gate);
	if (!aside && !(g & (WP__G_HALT | WP__G_PAUSE)) &&
	    !((g & WP__G_RETIRE) && retiring(pool, t)) &&
	    wp__q_pop(&pool->tasks, &t->cur, t->cur_kind)) {
		atomic_fetch_sub(&pool->sleepers, 1);
		atomic_fetch_add(&pool->awake, 1);
		*now = wp__ticks();
		return GOT;
	}
	if ((g & WP__G_HALT) || ((g & WP__G_RETIRE) && retiring(pool, t)) ||
	    ((g & WP__G_CLOSE) && wp__q_is_empty(&pool->tasks))) {
		atomic_fetch_sub(&pool->sleepers, 1);
		atomic_fetch_add(&pool->awake, 1);
		return LOOK;
	}
	/* Admission closed while we stepped aside and tasks are left: help
	 * run the queue dry.  Asleep, nothing would wake us to leave once
	 * the others had emptied it (a close wakes everyone only once). */
	if (aside && (g & WP__G_CLOSE)) {
		atomic_fetch_sub(&pool->sleepers, 1);
		atomic_fetch_add(&pool->awake, 1);
		return AGAIN;
	}
	wp__lane_check(pool, l, wp__ticks(), WP__CHK_PARK);
	atomic_store_explicit(&pool->last_parked, t->park_bit,
			      memory_order_relaxed);
	wp__futex_wait_bits(&pool->work_seq, e, t->park_bit);
	atomic_fetch_add(&pool->awake, 1);
	atomic_fetch_sub(&pool->sleepers, 1);
	woke(pool);
	*now = wp__ticks();
	return AGAIN;
}

/* More workers awake than CPUs while tasks are short only take turns on
 * the CPUs (and take them from the submitters): this one leaves `awake`
 * if that leaves at least one per CPU besides those the watchdog saw
 * stuck in a run, and then parks.  Not while the watchdog sees tasks
 * starve: the awake ones may be stuck in runs it has not seen yet; nor
 * once admission is closed: the queue is to be run dry and left. */
static bool
step_aside(wp_pool *pool)
{
	int a = atomic_load_explicit(&pool->awake, memory_order_relaxed);
	int keep = (int)pool->ncpu;

	if (WP__LIKELY(a <= keep) ||
	    atomic_load_explicit(&pool->long_tasks, memory_order_relaxed) ||
	    atomic_load_explicit(&pool->starved, memory_order_relaxed) ||
	    (atomic_load_explicit(&pool->gate, memory_order_relaxed) &
	     WP__G_CLOSE))
		return false;
	keep += atomic_load_explicit(&pool->stuck, memory_order_relaxed);
	while (a > keep)
		if (atomic_compare_exchange_weak(&pool->awake, &a, a - 1))
			return true;
	return false;
}

static int
park(wp_pool *pool, struct wp__thread *t, struct wp__lane *l, int64_t *now)
{
	return park_as(pool, t, l, now, false);
}

/* The one spinner watches the queue (no lock, no system call but an
 * occasional yield) for the current spin limit.  Returns GOT, or AGAIN if the gate
 * changed or the time ran out (then the caller parks). */
static int
spin(wp_pool *pool, struct wp__thread *t, struct wp__lane *l, int64_t *now)
{
	unsigned g0 = atomic_load(&pool->gate), i = 0;
	int64_t start = wp__ticks(), tk, busy = wp__ns2tk(SPIN_SHARED_NS);
	int64_t span = WP__MIN(atomic_load_explicit(&pool->spin_tk,
						    memory_order_relaxed),
			       wp__ns2tk(atomic_load_explicit(
				       &pool->spin_max_ns,
				       memory_order_relaxed)));

	/* Tasks come sparsely (the limit grew): results waiting in the lane
	 * go to the handler now, not in the middle of the next arrival. */
	if (span > wp__ns2tk(SPIN_BASE_NS)) {
		wp__fence();
		wp__lane_check(pool, l, start, WP__CHK_PARK);
	}

	for (;;) {
		if (wp__q_ready(&pool->tasks) &&
		    wp__q_pop(&pool->tasks, &t->cur, t->cur_kind)) {
			*now = wp__ticks();
			return GOT;
		}
		if (atomic_load_explicit(&pool->gate, memory_order_relaxed) !=
		    g0)
			return AGAIN;
		wp__cpu_relax();
		if (++i % 256)
			continue;
		tk = wp__ticks();
		if (tk - start >= span)
			return AGAIN;
		if (i % 1024 == 0) {
			/* Old results should not wait for our park. */
			wp__fence();
			wp__lane_check(pool, l, tk, WP__CHK_RUN);
		}
		/* Every few microseconds, let a thread that shares this CPU
		 * run: a spinner must not take a submitter's CPU time.  If one
		 * ran for long (a time slice, not a handler's brief pass), the
		 * CPU is wanted: park rather than spin beside it. */
		sched_yield();
		if (wp__ticks() - tk > busy)
			return AGAIN;
	}
}

/* Nothing was there to take.  Returns GOT, AGAIN or LOOK. */
static int
idle(wp_pool *pool, struct wp__thread *t, struct wp__lane *l, int64_t *now)
{
	unsigned g = atomic_load(&pool->gate);
	int zero = 0, r;

	if ((g & WP__G_CLOSE) && wp__q_is_empty(&pool->tasks))
		return LOOK;
	if (!(g & WP__G_PAUSE) &&
	    atomic_load_explicit(&pool->spin_max_ns, memory_order_relaxed) &&
	    atomic_load_explicit(&pool->spinning, memory_order_relaxed) == 0 &&
	    atomic_compare_exchange_strong(&pool->spinning, &zero, 1)) {
		r = spin(pool, t, l, now);
		if (r != GOT)
			atomic_store_explicit(&pool->spin_end, wp__ticks(),
					      memory_order_relaxed);
		atomic_store(&pool->spinning, 0);
		if (r == GOT)
			return GOT;
	}
	return park(pool, t, l, now);
}

/* Puts the task taken (and the rest of its batch, behind it) back first
 * in line.  A shutdown or cancel whose drain ran just before the push
 * would miss them: after the push, look at the gate (the Dekker pair
 * with the firer's gate update and its drain under the queue's lock) and
 * drain again if it halted. */
static void
put_back(wp_pool *pool, struct wp__thread *t, bool with_cur)
{
	wp__batch_requeue(pool, t);
	if (with_cur)
		wp__q_push_front(&pool->tasks, &t->cur, t->cur_kind);
	wp__fence();
	if (atomic_load(&pool->gate) & WP__G_HALT)
		wp__q_drain(pool, wp__cancel_queued);
}

/* What is left of the batch when the worker stops serving: cancelled if
 * the pool halted, else back in the queue for the others. */
static void
drop_batch(wp_pool *pool, struct wp__thread *t)
{
	struct wp__task tasks[WP__BATCH_MAX];
	char kinds[WP__BATCH_MAX][WP_KIND_MAX];
	unsigned n;

	if (!wp__batch_len(t, NULL))
		return;
	if (!(atomic_load(&pool->gate) & WP__G_HALT)) {
		put_back(pool, t, false);
		wp__workers_kick(pool);
		return;
	}
	n = wp__batch_steal(t, tasks, kinds);
	for (unsigned i = 0; i < n; i++)
		wp__cancel_queued(pool, &tasks[i],
				  tasks[i].has_kind ? kinds[i] : NULL);
}

/* The next task: the batch first, then the lists that go before the ring,
 * then a new batch from the ring, then the overflow list. */
static bool
take_next(wp_pool *pool, struct wp__thread *t)
{
	if (wp__batch_next(t, &t->cur, t->cur_kind))
		return true;
	if (wp__q_pop_list(&pool->tasks, &t->cur, t->cur_kind, true))
		return true;
	if (wp__batch_fill(pool, t) &&
	    wp__batch_next(t, &t->cur, t->cur_kind))
		return true;
	return wp__q_pop_list(&pool->tasks, &t->cur, t->cur_kind, false);
}

/* A task taken just as the gate closed: cancel it (halt) or put it back
 * first in line (pause, a retired slot).  Returns LOOK, AGAIN, or GOT to
 * run it after all. */
static int
gate_after_pop(wp_pool *pool, struct wp__thread *t, struct wp__lane *l,
	       unsigned g)
{
	if (g & WP__G_HALT) {
		cancel_taken(pool, t, l);
		return LOOK;
	}
	if ((g & WP__G_RETIRE) && retiring(pool, t)) {
		put_back(pool, t, true);
		wp__workers_kick(pool);
		return LOOK;
	}
	if (g & WP__G_PAUSE) {
		put_back(pool, t, true);
		return AGAIN;
	}
	return GOT;
}

/* Serves the queue until something needs pool->mu: LOOK or CLAIMED.
 * Not inlined into serve(): a function that calls sigsetjmp is compiled
 * as if any call in it could return twice, which keeps its locals out of
 * registers. */
static __attribute__((noinline)) int
serve_loop(wp_pool *pool, struct wp__thread *t, struct wp__lane *l, int slot)
{
	int64_t now = wp__ticks();
	unsigned g;
	int r;

	for (;;) {
		g = atomic_load_explicit(&pool->gate, memory_order_relaxed);
		r = AGAIN;
		if (WP__UNLIKELY(g & (WP__G_HALT | WP__G_RETIRE | WP__G_PAUSE))) {
			if (g & WP__G_HALT)
				return LOOK;
			if ((g & WP__G_RETIRE) && retiring(pool, t))
				return LOOK;
			if (g & WP__G_PAUSE) {
				if (wp__batch_len(t, NULL))
					put_back(pool, t, false);
				/* Its last look may find a task (resumed). */
				r = park(pool, t, l, &now);
				if (r == LOOK)
					return LOOK;
				if (r == AGAIN)
					continue;
			}
		}
		if (r == GOT) {
			/* park() took one */
		} else if (wp__batch_empty(t) && step_aside(pool)) {
			if (park_as(pool, t, l, &now, true) == LOOK)
				return LOOK;
			continue;
		} else if (take_next(pool, t)) {
			r = GOT;
		} else {
			r = idle(pool, t, l, &now);
			if (r == LOOK)
				return LOOK;
			if (r == AGAIN)
				continue;
		}
		more_hands(pool, now - atomic_load_explicit(&t->cur.submit,
							    memory_order_relaxed));
		/* The pop was a seq_cst CAS: a gate closed before it is seen
		 * here. */
		g = atomic_load(&pool->gate);
		if (WP__UNLIKELY(g & (WP__G_HALT | WP__G_RETIRE | WP__G_PAUSE))) {
			r = gate_after_pop(pool, t, l, g);
			if (r == LOOK)
				return LOOK;
			if (r == AGAIN)
				continue;
		}
		/* Once a batch: the queue's length reads the submitters'
		 * cursor, a line they write at every push. */
		if (wp__batch_empty(t))
			room_check(pool);
		if (run(pool, t, l, slot, &now))
			return CLAIMED;
	}
}

/* Serves the queue (serve_loop) with the jump buffer that wp_panic() and
 * a contained fault signal return to, set once for every task it runs,
 * not once per task: a task that panics or crashes ends here as FAILED,
 * and the same thread carries on serving.  Only the arguments, never
 * changed, are used after a jump. */
static int
serve(wp_pool *pool, struct wp__thread *t, struct wp__lane *l, int slot)
{
	int64_t now;
	int how;

	/* No mask saved: that would be a system call.  Handlers run with
	 * SA_NODEFER and an empty sa_mask, so a jump out of one leaves the
	 * mask as it was. */
	how = sigsetjmp(t->jb, 0);
	if (how != RAN) {
		t->in_task = 0;
		if (how == CRASHED)
			wp__crash_unblock();
		if (run_end(pool, t, l, slot,
			    how == CRASHED ? WP_ECRASH : WP_EPANIC, how, &now))
			return CLAIMED;
	}
	return serve_loop(pool, t, l, slot);
}

/* ------------------------------------------------------------------------
 * Slots and the thread's life.
 */

/* An orphan came back from its late task (mu held).  Returns true if the
 * thread should exit. */
static bool
orphan_returns(wp_pool *pool, struct wp__thread *t)
{
	unsigned i;

	pool->orphans--;
	if (wp__workers_should_exit(pool))
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

void
wp__unslot(wp_pool *pool, struct wp__thread *t)
{
	atomic_fetch_sub(&pool->awake, 1);
	if (t->is_long) {
		t->is_long = false;
		atomic_fetch_sub(&pool->long_tasks, 1);
	}
}

/* No occupied slot is past the target any more (mu held). */
static void
retire_done(wp_pool *pool)
{
	for (unsigned i = pool->target; i < WP_WORKERS_MAX; i++)
		if (pool->slots[i].thread)
			return;
	atomic_fetch_and(&pool->gate, ~(unsigned)WP__G_RETIRE);
}

/* Bookkeeping of a worker-class thread leaving (mu held). */
static void
leave(wp_pool *pool, struct wp__thread *t)
{
	bool orphan = t->role == WP__ROLE_ORPHAN;

	if (t->role == WP__ROLE_SLOT) {
		pool->slots[t->slot].thread = NULL;
		pool->live_workers--;
		wp__unslot(pool, t);
		wp__producer_leave(pool);
		if (atomic_load(&pool->gate) & WP__G_RETIRE)
			retire_done(pool);
	} else if (t->role == WP__ROLE_SPARE) {
		pool->spares--;
	}
	fold_counters(pool, t);
	t->role = WP__ROLE_EXITED;
	t->slot = -1;
	pool->worker_threads--;
	wp__stop_log_exit(pool, t->name, orphan ? WP_THREAD_ORPHAN
						: WP_THREAD_WORKER);
	/* A wake-up meant for a task may have reached this thread. */
	if (!wp__q_is_empty(&pool->tasks) && atomic_load(&pool->sleepers))
		wp__workers_wake(pool, 1);
	wp__thread_gone(pool);
	if (atomic_load(&pool->idle_waiters))
		pthread_cond_broadcast(&pool->idle_cv);
	/* The watchdog reaps exited threads, and leaves with the last
	 * worker; a stop joins everything itself. */
	if (!pool->stopping || (pool->live_workers == 0 && pool->spares == 0)) {
		pool->watch_kick = true;
		pthread_cond_signal(&pool->watch_cv);
	}
}

/* Must t leave now (mu held)? */
static bool
must_leave(wp_pool *pool, const struct wp__thread *t)
{
	return wp__workers_should_exit(pool) || t->slot >= (int)pool->target;
}

void *
wp__worker_main(void *arg)
{
	struct wp__thread *t = arg;
	wp_pool *pool = t->pool;
	struct wp__lane *seen = NULL; /* the lane checked since our last push */
	bool detached;
	int r;

	wp__self.pool = pool;
	wp__self.worker = t;
	if (pool->contain)
		wp__altstack_setup(t);

	pthread_mutex_lock(&pool->mu);
	for (;;) {
		if (t->role == WP__ROLE_SPARE) {
			if (wp__workers_should_exit(pool))
				break;
			pthread_cond_wait(&pool->spare_cv, &pool->mu);
			continue;
		}
		int slot = t->slot;
		struct wp__lane *l = atomic_load(&pool->lanes[slot]);

		if (must_leave(pool, t)) {
			/* The lane is ours until leave(): nothing in it may
			 * stay unseen (a spare may leave without serving).
			 * Unless we looked at it after our last push: then
			 * the lock is not given up (and fought for again by
			 * every worker a stop wakes). */
			if (seen != l) {
				pthread_mutex_unlock(&pool->mu);
				wp__fence();
				wp__lane_check(pool, l, wp__ticks(),
					       WP__CHK_PARK);
				pthread_mutex_lock(&pool->mu);
			}
			break;
		}

		pthread_mutex_unlock(&pool->mu);
		r = serve(pool, t, l, slot);
		seen = NULL;
		if (r != CLAIMED) {
			drop_batch(pool, t);
			/* Before anything that may hand the slot (and its lane)
			 * to another thread: nothing of ours stays unseen. */
			wp__fence();
			wp__lane_check(pool, l, wp__ticks(), WP__CHK_PARK);
			seen = l;
		}
		pthread_mutex_lock(&pool->mu);
		if (r != CLAIMED)
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

/* Puts thread t into slot i (mu held).  The slot's lane exists. */
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
	atomic_fetch_add(&pool->awake, 1);
	wp__producer_enter(pool);
	snprintf(t->name, sizeof t->name, "wp-worker-%d", i);
	wp__thread_name(t->tid, t->name);
}

int
wp__lane_for(wp_pool *pool, int slot)
{
	struct wp__lane *l;

	if (atomic_load(&pool->lanes[slot]))
		return 0;
	l = wp__lane_new();
	if (!l)
		return WP_ENOMEM;
	atomic_store(&pool->lanes[slot], l);
	if (atomic_load(&pool->nlanes) < (unsigned)slot + 1)
		atomic_store(&pool->nlanes, (unsigned)slot + 1);
	return 0;
}

int
wp__worker_spawn(wp_pool *pool, int slot)
{
	struct wp__thread *t;
	int rc = wp__lane_for(pool, slot);

	if (rc)
		return rc;
	t = aligned_alloc(WP__CACHELINE, sizeof *t);
	if (!t)
		return WP_ENOMEM;
	memset(t, 0, sizeof *t);
	t->pool = pool;
	t->ctx.pool = pool;
	t->ctx.thread = t;
	t->slot = -1;
	t->role = WP__ROLE_SPARE; /* becomes SLOT below */
	atomic_init(&t->deadline, WP__NEVER);
	pthread_mutex_init(&t->sleep_mu, NULL);
	rc = wp__cond_init(&t->sleep_cv);
	if (rc) {
		pthread_mutex_destroy(&t->sleep_mu);
		free(t);
		return rc;
	}
	t->park_bit = 1u << (slot & 31);
	snprintf(t->name, sizeof t->name, "wp-worker-%d", slot);
	rc = wp__stack_get(pool, &t->stack);
	if (rc == 0) {
		rc = wp__thread_start(&t->tid, t->name, wp__worker_main, t,
				      t->stack);
		if (rc)
			t->stack->used = false;
	}
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
