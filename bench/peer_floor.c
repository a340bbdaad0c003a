/*
 * peer_floor.c - a design probe, not a pool: what wpool's per-task duties
 * cost at the least on this machine, for the peer-bench harness.
 *
 * "wpfloor" does per task what wpool must do, and nothing else, the
 * cheapest way known: a Vyukov bounded MPMC ring of cells that carry the
 * task's id and submit time (no allocation), W workers that spin 50 us then
 * park on a futex eventcount (as the harness's ring), a seq_cst store of a
 * run word before the task and a CAS to end it (the watchdog's claim
 * protocol), sigsetjmp(jb, 0) around the task, start and end times (one
 * clock read per back-to-back task: the end of one is the start of the
 * next), an owner-only processing-time histogram and outcome counter, and
 * every outcome handed over a per-worker single-producer ring to one result
 * thread that calls a counting callback.  The result thread is woken at
 * most once per 64 results or when a worker goes idle.
 *
 * What it leaves out: priorities, timeouts, admission and stop semantics,
 * metrics snapshots, everything a real pool needs for correctness beyond
 * the hot path.  So its throughput is an upper bound for wpool's design on
 * this machine, not a competitor: if wpool cannot reach a target, check
 * whether this can.
 *
 * FLOOR_CLOCK=vdso (default, clock_gettime(CLOCK_MONOTONIC) as wpool),
 * tsc (rdtsc: what a TSC clock would cost), none (no timestamps).
 */
#define _GNU_SOURCE
#include "peer_bench.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define RES_CAP 1024 /* per-worker result ring */
#define RES_WAKE 64  /* wake the result thread at most this often */
#define HIST 128
#define SPIN_NS 50000

typedef struct {
	_Atomic size_t seq;
	void *arg;
	uint64_t id;
	int64_t submit;
} cell_t;

typedef struct {
	uint64_t id;
	int64_t queued, run;
	int outcome;
} res_t;

struct floor;

typedef struct {
	alignas(64) _Atomic uint64_t run; /* run << 2 | state */
	uint64_t runs;
	uint64_t hist[HIST]; /* owner-only */
	uint64_t done;	     /* owner-only */
	sigjmp_buf jb;
	/* Result ring: the worker writes tail, the result thread head. */
	alignas(64) _Atomic size_t rtail;
	size_t unsignalled;
	alignas(64) _Atomic size_t rhead;
	res_t res[RES_CAP];
	struct floor *f;
	pthread_t tid;
} worker_t;

typedef struct floor {
	alignas(64) _Atomic size_t enq;
	alignas(64) _Atomic size_t deq;
	alignas(64) _Atomic unsigned epoch; /* workers' futex */
	_Atomic int nsleep;
	_Atomic int stop;
	alignas(64) _Atomic unsigned repoch; /* result thread's futex */
	_Atomic int rsleep;
	alignas(64) uint64_t next_id;	/* submitter */
	alignas(64) uint64_t delivered; /* result thread */
	cell_t *cells;
	size_t mask;
	task_fn fn;
	int clock;
	int nworkers;
	worker_t *w;
	pthread_t rtid;
} floor_t;

enum { CLK_VDSO, CLK_TSC, CLK_NONE };

static inline int64_t
stamp(const floor_t *f)
{
	struct timespec ts;

	switch (f->clock) {
	case CLK_TSC:
		return (int64_t)__rdtsc();
	case CLK_NONE:
		return 0;
	default:
		clock_gettime(CLOCK_MONOTONIC, &ts);
		return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
}

static void
futex(_Atomic unsigned *w, int op, unsigned val)
{
	syscall(SYS_futex, (unsigned *)w, op | FUTEX_PRIVATE_FLAG, val, NULL,
		NULL, 0);
}

static int
push(floor_t *f, void *arg, uint64_t id, int64_t now)
{
	size_t pos = atomic_load_explicit(&f->enq, memory_order_relaxed);

	for (;;) {
		cell_t *c = &f->cells[pos & f->mask];
		size_t seq =
		    atomic_load_explicit(&c->seq, memory_order_acquire);
		intptr_t d = (intptr_t)seq - (intptr_t)pos;

		if (d == 0) {
			if (atomic_compare_exchange_weak_explicit(
				&f->enq, &pos, pos + 1, memory_order_relaxed,
				memory_order_relaxed)) {
				c->arg = arg;
				c->id = id;
				c->submit = now;
				atomic_store_explicit(&c->seq, pos + 1,
						      memory_order_release);
				return 1;
			}
		} else if (d < 0) {
			return 0;
		} else {
			pos =
			    atomic_load_explicit(&f->enq, memory_order_relaxed);
		}
	}
}

static int
pop(floor_t *f, cell_t *out)
{
	size_t pos = atomic_load_explicit(&f->deq, memory_order_relaxed);

	for (;;) {
		cell_t *c = &f->cells[pos & f->mask];
		size_t seq =
		    atomic_load_explicit(&c->seq, memory_order_acquire);
		intptr_t d = (intptr_t)seq - (intptr_t)(pos + 1);

		if (d == 0) {
			if (atomic_compare_exchange_weak_explicit(
				&f->deq, &pos, pos + 1, memory_order_relaxed,
				memory_order_relaxed)) {
				out->arg = c->arg;
				out->id = c->id;
				out->submit = c->submit;
				atomic_store_explicit(&c->seq,
						      pos + f->mask + 1,
						      memory_order_release);
				return 1;
			}
		} else if (d < 0) {
			return 0;
		} else {
			pos =
			    atomic_load_explicit(&f->deq, memory_order_relaxed);
		}
	}
}

static void
wake_results(floor_t *f)
{
	atomic_thread_fence(memory_order_seq_cst); /* pairs with rsleep */
	if (atomic_load_explicit(&f->rsleep, memory_order_relaxed)) {
		atomic_fetch_add(&f->repoch, 1);
		futex(&f->repoch, FUTEX_WAKE, 1);
	}
}

static unsigned
bucket(int64_t ns)
{
	uint64_t v = ns > 0 ? (uint64_t)ns : 0;
	unsigned p, b;

	if (v < 256)
		return (unsigned)(v >> 6);
	p = 63u - (unsigned)__builtin_clzll(v);
	b = 4 + (p - 8) * 4 + (unsigned)((v >> (p - 2)) & 3);
	return b < HIST - 1 ? b : HIST - 1;
}

/* Runs one task; *now is its start and becomes its end. */
static void
run_one(floor_t *f, worker_t *w, const cell_t *c, int64_t *now)
{
	uint64_t r = ++w->runs, expect = r << 2 | 1;
	int64_t start = *now, end;
	size_t tail;
	res_t *res;

	atomic_store(&w->run, r << 2 | 1); /* seq_cst: the claim protocol */
	if (sigsetjmp(w->jb, 0) == 0)
		f->fn(c->arg);
	end = stamp(f);
	atomic_compare_exchange_strong(&w->run, &expect, r << 2);
	w->hist[bucket(end - start)]++;
	w->done++;
	/* Hand the outcome over (the ring is far larger than a burst; a full
	 * one waits, as wpool's back-pressure would). */
	tail = atomic_load_explicit(&w->rtail, memory_order_relaxed);
	while (tail - atomic_load_explicit(&w->rhead, memory_order_acquire) >=
	       RES_CAP)
		wake_results(f), sched_yield();
	res = &w->res[tail & (RES_CAP - 1)];
	res->id = c->id;
	res->queued = start - c->submit;
	res->run = end - start;
	res->outcome = 1;
	atomic_store_explicit(&w->rtail, tail + 1, memory_order_release);
	if (++w->unsignalled >= RES_WAKE) {
		w->unsignalled = 0;
		wake_results(f);
	}
	*now = end;
}

static void *
worker_main(void *p)
{
	worker_t *w = p;
	floor_t *f = w->f;
	cell_t c;

	for (;;) {
		int64_t now = stamp(f);

		while (pop(f, &c))
			run_one(f, w, &c, &now);
		/* Idle: hand over what is pending, spin, then park. */
		w->unsignalled = 0;
		wake_results(f);
		struct timespec t0, t1;
		int got = 0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (unsigned k = 0; !got; k++) {
			if (atomic_load_explicit(&f->stop,
						 memory_order_acquire))
				break;
			for (unsigned i = 0; i < 64; i++)
				__builtin_ia32_pause();
			sched_yield();
			got = pop(f, &c);
			if (!got && (k & 15) == 15) {
				clock_gettime(CLOCK_MONOTONIC, &t1);
				if ((t1.tv_sec - t0.tv_sec) * 1000000000 +
					(t1.tv_nsec - t0.tv_nsec) >
				    SPIN_NS)
					break;
			}
		}
		if (got) {
			now = stamp(f);
			run_one(f, w, &c, &now);
			continue;
		}
		unsigned e =
		    atomic_load_explicit(&f->epoch, memory_order_acquire);
		atomic_fetch_add(&f->nsleep, 1);
		if (pop(f, &c)) {
			atomic_fetch_sub(&f->nsleep, 1);
			now = stamp(f);
			run_one(f, w, &c, &now);
			continue;
		}
		if (atomic_load(&f->stop)) {
			atomic_fetch_sub(&f->nsleep, 1);
			break;
		}
		futex(&f->epoch, FUTEX_WAIT, e);
		atomic_fetch_sub(&f->nsleep, 1);
	}
	return NULL;
}

static void
on_result(floor_t *f, const res_t *r)
{
	(void)r;
	f->delivered++;
}

/* Takes every pending result; returns how many. */
static size_t
drain_results(floor_t *f)
{
	size_t n = 0;

	for (int i = 0; i < f->nworkers; i++) {
		worker_t *w = &f->w[i];
		size_t h =
		    atomic_load_explicit(&w->rhead, memory_order_relaxed);
		size_t t =
		    atomic_load_explicit(&w->rtail, memory_order_acquire);

		for (; h != t; h++, n++)
			on_result(f, &w->res[h & (RES_CAP - 1)]);
		atomic_store_explicit(&w->rhead, h, memory_order_release);
	}
	return n;
}

static void *
results_main(void *p)
{
	floor_t *f = p;

	for (;;) {
		if (drain_results(f))
			continue;
		unsigned e =
		    atomic_load_explicit(&f->repoch, memory_order_acquire);
		atomic_store(&f->rsleep, 1); /* seq_cst: pairs with the fence */
		if (drain_results(f)) {
			atomic_store(&f->rsleep, 0);
			continue;
		}
		if (atomic_load(&f->stop) == 2) {
			atomic_store(&f->rsleep, 0);
			break;
		}
		futex(&f->repoch, FUTEX_WAIT, e);
		atomic_store(&f->rsleep, 0);
	}
	drain_results(f);
	return NULL;
}

static void *
floor_create(int workers, int qcap, task_fn fn, size_t hint)
{
	floor_t *f = aligned_alloc(64, sizeof *f);
	const char *clk = getenv("FLOOR_CLOCK");
	size_t cap = 2;

	(void)hint;
	while (cap < (size_t)qcap)
		cap <<= 1;
	if (!f)
		return NULL;
	memset(f, 0, sizeof *f);
	f->cells = calloc(cap, sizeof *f->cells);
	f->w = aligned_alloc(64, sizeof(worker_t) * (size_t)workers);
	if (!f->cells || !f->w)
		return NULL;
	memset(f->w, 0, sizeof(worker_t) * (size_t)workers);
	for (size_t i = 0; i < cap; i++)
		atomic_init(&f->cells[i].seq, i);
	f->mask = cap - 1;
	f->fn = fn;
	f->clock = !clk || !strcmp(clk, "vdso") ? CLK_VDSO
		   : !strcmp(clk, "tsc")	? CLK_TSC
						: CLK_NONE;
	f->nworkers = workers;
	if (pthread_create(&f->rtid, NULL, results_main, f))
		return NULL;
	for (int i = 0; i < workers; i++) {
		f->w[i].f = f;
		if (pthread_create(&f->w[i].tid, NULL, worker_main, &f->w[i]))
			return NULL;
	}
	return f;
}

static void
floor_submit(void *p, void *arg)
{
	floor_t *f = p;
	uint64_t id = ++f->next_id;
	int64_t now = stamp(f);

	for (unsigned k = 0; !push(f, arg, id, now); k++) {
		if (k < 64)
			__builtin_ia32_pause();
		else
			sched_yield();
	}
	atomic_thread_fence(memory_order_seq_cst); /* pairs with nsleep++ */
	if (atomic_load_explicit(&f->nsleep, memory_order_relaxed) > 0) {
		atomic_fetch_add(&f->epoch, 1);
		futex(&f->epoch, FUTEX_WAKE, 1);
	}
}

static void
floor_destroy(void *p)
{
	floor_t *f = p;

	atomic_store(&f->stop, 1);
	atomic_fetch_add(&f->epoch, 1);
	futex(&f->epoch, FUTEX_WAKE, INT_MAX);
	for (int i = 0; i < f->nworkers; i++)
		pthread_join(f->w[i].tid, NULL);
	atomic_store(&f->stop, 2);
	atomic_fetch_add(&f->repoch, 1);
	futex(&f->repoch, FUTEX_WAKE, INT_MAX);
	pthread_join(f->rtid, NULL);
	free(f->cells);
	free(f->w);
	free(f);
}

const peer_t peer_wpfloor = {"wpfloor", floor_create,  floor_submit,
			     0,		floor_destroy, 0};
