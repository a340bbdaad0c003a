/*
 * submit.c - admission: putting a task into the pool.
 *
 * DESIGN
 * A submit builds the task as a value on its own stack, stamps it (ticks,
 * clock.c) and pushes it into the task queue (chan.c): no lock and no
 * allocation for a priority-0 task.  Admission is decided by the push
 * itself: a closed queue refuses (WP_ECLOSED), so a submit racing a stop
 * either lands (and gets an outcome) or is refused.  The id, which is
 * also the accepted count, is taken only once the task has its place.
 * After the push, wp__workers_kick() decides whether a parked worker must
 * be woken (worker.c explains when).
 *
 * A full queue refuses at once (wp_submit) or waits (wp_submit_wait).  If
 * the workers will drain it to the room mark (below) within ROOM_WATCH_NS,
 * the submitter first watches it drain (pausing, no system call) while it
 * shrinks.
 * Then it raises `room_armed`, looks once more, and sleeps on the
 * `room_seq` futex; a worker that takes a task while `room_armed` is set
 * and the queue has drained to the room mark (hysteresis, not a wake per
 * pop) bumps room_seq and wakes every waiting submitter.  The mark is the
 * lowest of an eighth, a quarter and a half of the capacity that still
 * lasts the awake workers WAKE_LEAD_NS: a submitter woken later refills
 * more per sleep, and each sleep costs a worker's CPU two context
 * switches, but it must be back before the queue runs dry.  When tasks
 * are long (LONG_NS), the queue drains too slowly to wait for any mark:
 * the first free place wakes the submitter.  A sleeping submitter also looks again every
 * RELOOK_NS and takes any free place, so a mark set by short tasks cannot
 * keep it off a queue that has room while the workers are in long runs;
 * and a submit whose time ran out tries once more before it fails.  Every
 * stop path and a capacity change wake waiting submitters too.  A
 * blocking submit from one of the pool's own threads into a full queue
 * fails fast with WP_EWOULDDEADLOCK: if every worker waited for room,
 * nobody would make any (and a result callback that waited would stop the
 * result handler, which stops the workers).
 */
#include "wp-internal.h"

#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

/* How long a blocked submitter watches the queue drain before it sleeps
 * (when the workers will have drained half of it sooner than that). */
#define ROOM_WATCH_NS (200 * WP__NS_PER_US)
/* Pauses between two looks at the queue (about 4 us on an EPYC, where a
 * pause is ~19 ns), and looks in a row that saw the queue not shrink
 * (about 60 us: longer than a wake-up system call a worker may be in)
 * before the submitter gives up watching: the workers are not running
 * (they may share its CPU), so it sleeps and leaves them the CPU. */
#define ROOM_PAUSES 200
#define ROOM_STALLS 16
/* A woken submitter is back pushing well within this (a futex wake-up
 * and a context switch, tens of us on a VM). */
#define WAKE_LEAD_NS (50 * WP__NS_PER_US)
/* Tasks this long (per awake worker) are worth a wake-up each. */
#define LONG_NS WP__NS_PER_MS
/* A sleeping submitter looks at the queue at least this often. */
#define RELOOK_NS (10 * WP__NS_PER_MS)

/* The default kind label; options from wp_task_opts_init() point here, so
 * a submit with them knows it at a glance. */
static const char default_kind[] = "task";

void
wp_task_opts_init(struct wp_task_opts *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof *o);
	o->timeout_ms = WP_TIMEOUT_DEFAULT;
	o->kind = default_kind;
}

static int
reject(wp_pool *pool, int reason, int rc)
{
	atomic_fetch_add_explicit(&pool->n.rejected[reason], 1,
				  memory_order_relaxed);
	return rc;
}

void
wp__room_wake(wp_pool *pool)
{
	atomic_store(&pool->room_armed, 0);
	atomic_fetch_add(&pool->room_seq, 1);
	wp__futex_wake(&pool->room_seq, -1);
}

/* The awake workers' usual time per task (ns): the usual task length
 * they publish, over how many run at once (no more than the CPUs). */
static int64_t
ns_per_task(wp_pool *pool)
{
	int hands = atomic_load_explicit(&pool->awake, memory_order_relaxed);

	hands = WP__MIN(hands, (int)pool->ncpu);
	return wp__tk2ns(atomic_load_explicit(&pool->task_tk,
					      memory_order_relaxed)) /
	       WP__MAX(hands, 1);
}

unsigned
wp__room_mark(wp_pool *pool)
{
	unsigned cap = atomic_load(&pool->tasks.cap);
	int64_t per = ns_per_task(pool);

	if (per >= LONG_NS)
		return cap - 1;
	/* The lowest of an eighth, a quarter and a half that still lasts. */
	for (unsigned m = cap / 8; m && m < cap / 2; m *= 2)
		if (per * m >= WAKE_LEAD_NS)
			return m;
	return cap / 2;
}

/* Waits until the queue has room by the mark, or RELOOK_NS, or the
 * deadline (ns), whichever is first; the caller pushes again.  No
 * spinning first: room comes back in a batch (at the mark), so a
 * submitter that pushed again at the first free place would only trade
 * places with the workers one task at a time. */
static void
wait_room(wp_pool *pool, int64_t deadline)
{
	struct wp__taskq *q = &pool->tasks;
	uint32_t seq;
	int64_t now = wp__now(), until = now;
	unsigned mark = wp__room_mark(pool);

	if (now >= deadline)
		return;
	atomic_fetch_add(&pool->blocked, 1);
	/* When the workers will have drained the queue to the mark soon
	 * (their tasks are short), watch it drain, down to the mark a
	 * sleeping submitter is woken at, rather than pay a futex
	 * sleep and a wake-up per fill.  Between looks, pause: a system
	 * call per look (sched_yield) was measured to slow the workers on
	 * the other CPU up to 3x on a VM, even one every 30 us.  When the
	 * queue stops shrinking, or draining will take long, or there is no
	 * other CPU to drain it on, the workers need the CPU more than we
	 * need a fast start: sleep. */
	if (pool->ncpu > 1 &&
	    ns_per_task(pool) * (atomic_load(&q->cap) - mark) < ROOM_WATCH_NS)
		until = now + ROOM_WATCH_NS;
	for (unsigned len, last = UINT_MAX, stalls = 0;
	     now < until && now < deadline && stalls < ROOM_STALLS;) {
		len = wp__q_len(q);
		if (len <= mark || wp__q_is_closed(q))
			goto room;
		stalls = len < last ? 0 : stalls + 1;
		last = len;
		for (int k = 0; k < ROOM_PAUSES; k++)
			wp__cpu_relax();
		now = wp__now();
	}
	seq = atomic_load(&pool->room_seq);
	atomic_store(&pool->room_armed, 1);
	wp__fence();
	/* Sleep only while it is still full: a worker that popped before
	 * the flag was up is seen here. */
	now = wp__now();
	if (now < deadline && wp__q_len(q) >= atomic_load(&q->cap) &&
	    !wp__q_is_closed(q))
		wp__futex_wait(&pool->room_seq, seq,
			       WP__MIN(deadline - now, RELOOK_NS));
room:
	atomic_fetch_sub(&pool->blocked, 1);
}

static int
submit(wp_pool *pool, wp_task_fn fn, void *arg, const struct wp_task_opts *o,
       bool wait, uint64_t timeout_ms, uint64_t *id)
{
	struct wp__task t;
	char kind[WP_KIND_MAX];
	int64_t deadline = 0;
	uint64_t got;
	int rc;

	if (!pool || !fn)
		return WP_EINVAL;
	if (o && (o->priority < WP_PRIORITY_MIN || o->priority > WP_PRIORITY_MAX))
		return WP_EINVAL;
	t.fn = fn;
	t.arg = arg;
	t.free_fn = o ? o->free_fn : NULL;
	t.priority = o ? (uint8_t)o->priority : 0;
	if (!o || o->timeout_ms == WP_TIMEOUT_DEFAULT)
		t.timeout_ns = -1; /* resolved when the task starts */
	else if (o->timeout_ms >= (uint64_t)INT64_MAX / WP__NS_PER_MS)
		t.timeout_ns = 0; /* effectively never: run directly */
	else
		t.timeout_ns = (int64_t)o->timeout_ms * WP__NS_PER_MS;
	t.has_kind = o && o->kind && o->kind != default_kind && o->kind[0] &&
		     strcmp(o->kind, default_kind);
	if (t.has_kind)
		wp__kind_copy(kind, o->kind);
	t.id = 0;
	for (;;) {
		atomic_init(&t.submit, wp__ticks());
		rc = wp__q_push(pool, &t, kind, &got);
		if (rc == 0)
			break;
		if (rc == WP_ECLOSED)
			return reject(pool, WP__REJ_CLOSED, rc);
		if (rc == WP_ENOMEM)
			return reject(pool, WP__REJ_NOMEM, rc);
		if (!wait)
			return reject(pool, WP__REJ_FULL, WP_EFULL);
		if (wp__self.pool == pool)
			return reject(pool, WP__REJ_DEADLOCK,
				      WP_EWOULDDEADLOCK);
		/* The deadline is only read when a wait is due: most
		 * blocking submits never wait.  Once it has passed, the
		 * push above was the last try. */
		if (!deadline)
			deadline = wp__deadline_after_ms(timeout_ms);
		else if (wp__now() >= deadline)
			return reject(pool, WP__REJ_TIMEOUT, WP_ETIMEDOUT);
		wait_room(pool, deadline);
	}
	wp__workers_kick(pool);
	if (id)
		*id = got;
	return 0;
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
