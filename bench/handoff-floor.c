/*
 * handoff-floor.c - tiny tasks through the barest hand-off: how much of the
 * machine a pool could keep with none of wpool's per-task duties (target
 * 3; bench-tiny-ceiling is the same tasks with no hand-off at all).
 *
 * Not a pool.  One submitter thread and --workers threads; each worker owns
 * a single-producer single-consumer ring of queue / workers slots, and the
 * submitter deals tasks round-robin: no balancing, no ids, no stamps, no
 * outcomes, no results, no timeouts.  A slot is a function and its argument
 * (16 bytes, four to a cache line) or, with --slot 64, a cache line per
 * task (about what a task record with an id, a stamp and a timeout takes).
 * Cursors are cached on each side, so a cursor's line moves only when the
 * cached one runs out.  A push is published at once (a submit returns per
 * task); a worker with nothing to take spins ~50 us, then parks on a futex
 * (the submitter fences after each push and wakes it); a submitter that
 * finds its ring full sleeps on a futex until the worker has drained it to
 * an eighth.  The workers look at the submitter's flag without a fence, so
 * that sleep is bounded (10 ms) and the times it ran out are counted
 * (`late_wakes`).
 *
 * Two readings.  With room for the whole run (--queue >= --tasks) the
 * rings are filled first and only the workers are timed (`push_ns`, the
 * submitter's time per push, apart): the cost of reading tasks another
 * CPU wrote, and nothing else; here it runs as fast as bare threads.  With
 * the harness's queue (1024) the submitter runs beside the workers,
 * sleeping and waking as a bounded pool's must: what any pool fed by one
 * thread through that bound could keep of the machine, if it had no
 * duties.  (A first version whose spinning workers never yielded, and
 * whose pushes woke a parked worker again and again until it ran, lost
 * half the machine: when the submitter runs matters as much as the
 * hand-off.)
 *
 * The task is the harness's tiny task: --spin-iters dependent
 * multiply-adds (about 1 us), then an add to one counter every task
 * shares.
 *
 *   bench-handoff-floor [--workers 2] [--tasks 200000] [--queue 1024]
 *                       [--spin-iters 900] [--slot 16|64] [--rounds 3]
 *
 * Prints: bench=handoff-floor workers= queue= slot= tasks_per_sec=
 *         (median of the rounds) sleeps= late_wakes= parks= (per round)
 */
#include "bench-util.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SPIN_NS 50000
#define ROOM_WAIT_NS 10000000

typedef void (*task_fn)(void *);

struct slot {
	task_fn fn;
	void *arg;
};

struct ring {
	/* The consumer's line. */
	_Alignas(64) _Atomic uint64_t head;
	uint64_t tail_seen;
	/* The producer's line. */
	_Alignas(64) _Atomic uint64_t tail;
	uint64_t head_seen;
	/* Sleeping: the worker on wseq, the submitter on room_seq. */
	_Alignas(64) _Atomic uint32_t wseq;
	_Atomic int parked;
	_Atomic int done;
	_Alignas(64) _Atomic uint32_t room_seq;
	_Atomic int room_armed;
	unsigned char *slots;
	uint64_t cap, stride;
	pthread_t tid;
	long parks;
};

static _Alignas(64) _Atomic uint64_t counter;
static long spin_iters = 900;
/* Pre-filled runs: the workers wait for this before their first look. */
static _Alignas(64) _Atomic uint32_t go;

static void
tiny_task(void *arg)
{
	uint64_t x = (uint64_t)(uintptr_t)arg;

	for (long i = 0; i < spin_iters; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		__asm__ volatile("" : "+r"(x));
	}
	atomic_fetch_add(&counter, 1);
}

static void
futex_wait(_Atomic uint32_t *w, uint32_t v, int64_t ns)
{
	struct timespec ts = {ns / 1000000000, ns % 1000000000};

	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, ns ? &ts : NULL, NULL, 0);
}

static void
futex_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static struct slot *
slot_at(struct ring *r, uint64_t i)
{
	return (struct slot *)(r->slots + (i % r->cap) * r->stride);
}

/* The worker: its ring until the submitter is done and the ring empty. */
static void *
worker(void *arg)
{
	struct ring *r = arg;
	uint64_t head = 0, mark = r->cap / 8;

	while (!atomic_load(&go))
		futex_wait(&go, 0, 0);
	for (;;) {
		struct slot s;
		int64_t t0;
		uint32_t seq;

		if (head == r->tail_seen) {
			r->tail_seen = atomic_load_explicit(
				&r->tail, memory_order_acquire);
			if (head == r->tail_seen) {
				/* done is set after the last push: once it
				 * is seen, the tail read after it is final. */
				if (atomic_load(&r->done)) {
					if (atomic_load(&r->tail) == head)
						return NULL;
					continue;
				}
				/* Spin, yielding now and then (the
				 * submitter may be waiting for this CPU),
				 * then park. */
				t0 = bu_now();
				for (unsigned k = 1;
				     atomic_load_explicit(&r->tail,
							  memory_order_acquire) ==
					     head &&
				     !atomic_load(&r->done) &&
				     bu_now() - t0 < SPIN_NS;
				     k++) {
					__builtin_ia32_pause();
					if (k % 128 == 0)
						sched_yield();
				}
				if (atomic_load(&r->tail) != head ||
				    atomic_load(&r->done))
					continue;
				seq = atomic_load(&r->wseq);
				atomic_store(&r->parked, 1); /* seq_cst: fenced */
				if (atomic_load(&r->tail) == head &&
				    !atomic_load(&r->done)) {
					r->parks++;
					futex_wait(&r->wseq, seq, 0);
				}
				atomic_store(&r->parked, 0);
				continue;
			}
		}
		s = *slot_at(r, head);
		head++;
		atomic_store_explicit(&r->head, head, memory_order_release);
		if (atomic_load_explicit(&r->room_armed,
					 memory_order_relaxed) &&
		    (r->tail_seen = atomic_load_explicit(
			     &r->tail, memory_order_acquire)) -
				    head <=
			    mark) {
			atomic_store_explicit(&r->room_armed, 0,
					      memory_order_relaxed);
			atomic_fetch_add(&r->room_seq, 1);
			futex_wake(&r->room_seq);
		}
		s.fn(s.arg);
	}
}

struct counts {
	long sleeps, late;
};

/* One push; sleeps on a full ring until it drained to the mark. */
static void
push(struct ring *r, task_fn fn, void *arg, struct counts *c)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	struct slot *s;

	while (tail - r->head_seen >= r->cap) {
		uint32_t seq;

		r->head_seen = atomic_load_explicit(&r->head,
						    memory_order_acquire);
		if (tail - r->head_seen < r->cap)
			break;
		seq = atomic_load(&r->room_seq);
		atomic_store(&r->room_armed, 1); /* seq_cst: fenced */
		if (tail - atomic_load(&r->head) >= r->cap) {
			int64_t t0 = bu_now();

			c->sleeps++;
			futex_wait(&r->room_seq, seq, ROOM_WAIT_NS);
			if (atomic_load(&r->room_seq) == seq &&
			    bu_now() - t0 >= ROOM_WAIT_NS)
				c->late++;
		}
	}
	s = slot_at(r, tail);
	s->fn = fn;
	s->arg = arg;
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	/* Published: now look for a parked worker (the Dekker pair with the
	 * worker's parked store and its last look). */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->parked, memory_order_relaxed) &&
	    atomic_exchange(&r->parked, 0)) {
		/* One wake-up per park, not one per push until it runs. */
		atomic_fetch_add(&r->wseq, 1);
		futex_wake(&r->wseq);
	}
}

/* One round.  With room for every task (queue >= tasks), the rings are
 * filled first and the workers let go after (*push_ns: the submitter's
 * time per push, not in the rate); otherwise the submitter pushes while
 * they run. */
static double
run(long workers, long tasks, long queue, long stride, struct counts *c,
    long *parks, double *push_ns)
{
	/* Every ring holds its share (round-robin: the first gets the most). */
	bool prefill = queue / workers >= (tasks + workers - 1) / workers;
	uint64_t before = atomic_load(&counter);
	struct ring *rings = aligned_alloc(64, (size_t)workers * sizeof *rings);
	int64_t t0;
	long i;

	if (!rings)
		exit(1);
	memset(rings, 0, (size_t)workers * sizeof *rings);
	for (i = 0; i < workers; i++) {
		rings[i].cap = (uint64_t)(queue / workers);
		rings[i].stride = (uint64_t)stride;
		rings[i].slots = aligned_alloc(
			64, (size_t)(rings[i].cap * rings[i].stride + 63) / 64 * 64);
		if (!rings[i].slots)
			exit(1);
		memset(rings[i].slots, 0, rings[i].cap * rings[i].stride);
		if (pthread_create(&rings[i].tid, NULL, worker, &rings[i]))
			exit(1);
	}
	memset(c, 0, sizeof *c);
	*push_ns = 0;
	if (prefill) {
		t0 = bu_now();
		for (long n = 0; n < tasks; n++)
			push(&rings[n % workers], tiny_task,
			     (void *)(uintptr_t)n, c);
		*push_ns = (double)(bu_now() - t0) / (double)tasks;
	}
	atomic_store(&go, 1);
	syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
	if (!prefill)
		bu_sleep_us(2000); /* the workers park */
	t0 = bu_now();
	for (long n = 0; !prefill && n < tasks; n++)
		push(&rings[n % workers], tiny_task, (void *)(uintptr_t)n, c);
	for (i = 0; i < workers; i++) {
		atomic_store(&rings[i].done, 1);
		atomic_fetch_add(&rings[i].wseq, 1);
		futex_wake(&rings[i].wseq);
	}
	*parks = 0;
	for (i = 0; i < workers; i++) {
		pthread_join(rings[i].tid, NULL);
		*parks += rings[i].parks;
	}
	t0 = bu_now() - t0;
	atomic_store(&go, 0);
	if (atomic_load(&counter) - before != (uint64_t)tasks) {
		fprintf(stderr, "bench-handoff-floor: %llu of %ld tasks ran\n",
			(unsigned long long)(atomic_load(&counter) - before),
			tasks);
		exit(1);
	}
	for (i = 0; i < workers; i++)
		free(rings[i].slots);
	free(rings);
	return (double)tasks / ((double)t0 / 1e9);
}

int
main(int argc, char **argv)
{
	long workers = 2, tasks = 200000, queue = 1024, slot = 16, rounds = 3;
	struct bu_opt opts[] = {
	    {"workers", &workers, "worker threads"},
	    {"tasks", &tasks, "tasks per round"},
	    {"queue", &queue, "slots in all (queue / workers per worker)"},
	    {"spin-iters", &spin_iters, "the task's multiply-adds (harness: 900)"},
	    {"slot", &slot, "bytes per slot: 16 (fn, arg) or 64 (a line)"},
	    {"rounds", &rounds, "rounds (the median is printed)"},
	    {NULL, NULL, NULL},
	};
	double v[64], push[64];
	struct counts c, tot = {0, 0};
	long parks = 0, p;

	bu_parse(argc, argv, "bench-handoff-floor", opts);
	if (workers < 1 || queue / workers < 8 || tasks < 1 ||
	    (slot != 16 && slot != 64) || rounds < 1 || rounds > 64 ||
	    spin_iters < 0) {
		fprintf(stderr, "bench-handoff-floor: bad option value\n");
		return 2;
	}
	for (long r = 0; r < rounds; r++) {
		v[r] = run(workers, tasks, queue, slot, &c, &p, &push[r]);
		tot.sleeps += c.sleeps;
		tot.late += c.late;
		parks += p;
	}
	printf("bench=handoff-floor workers=%ld queue=%ld slot=%ld "
	       "tasks_per_sec=%.0f push_ns=%.1f sleeps=%ld late_wakes=%ld "
	       "parks=%ld\n",
	       workers, queue, slot, bu_median(v, (size_t)rounds),
	       bu_median(push, (size_t)rounds), tot.sleeps / rounds,
	       tot.late / rounds, parks / rounds);
	return 0;
}
