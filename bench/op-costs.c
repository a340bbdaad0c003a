/*
 * op-costs.c - what the operations on wpool's hot path cost on this
 * machine, one thread, no contention (nanoseconds per operation).
 *
 * The budget arithmetic of issue #5 rests on these: e.g. 2x the best
 * peer's no-op rate is ~105 ns of CPU per task for everything, and a
 * CLOCK_MONOTONIC read is a third of that on some VMs.
 *
 *   bench-op-costs [--iters 5000000]
 *
 * Prints: bench=op-costs clock_mono_ns= clock_coarse_ns= rdtsc_ns=
 *         malloc_free_ns= mutex_ns= sigsetjmp0_ns= sigsetjmp1_ns=
 *         atomic_add_ns=
 */
#include "bench-util.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

static volatile uint64_t sink;

/* sigsetjmp in a frame of its own: nothing ever jumps back to it. */
static __attribute__((noinline)) void
setjmp_once(sigjmp_buf jb, int save)
{
	if (sigsetjmp(jb, save) == 0)
		sink++;
}

static double
per_op(int64_t t0, long n)
{
	return (double)(bu_now() - t0) / (double)n;
}

int
main(int argc, char **argv)
{
	long iters = 5000000;
	struct bu_opt opts[] = {
	    {"iters", &iters, "iterations per operation"},
	    {NULL, NULL, NULL},
	};
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	_Atomic uint64_t counter = 0;
	struct timespec ts;
	sigjmp_buf jb;
	double mono, coarse, tsc, mf, mx, sj0, sj1, add;
	int64_t t0;

	bu_parse(argc, argv, "bench-op-costs", opts);
	t0 = bu_now();
	for (long i = 0; i < iters; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		sink += (uint64_t)ts.tv_nsec;
	}
	mono = per_op(t0, iters);
	t0 = bu_now();
	for (long i = 0; i < iters; i++) {
		clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
		sink += (uint64_t)ts.tv_nsec;
	}
	coarse = per_op(t0, iters);
	t0 = bu_now();
	for (long i = 0; i < iters; i++)
		sink += __rdtsc();
	tsc = per_op(t0, iters);
	t0 = bu_now();
	for (long i = 0; i < iters; i++) {
		void *p = malloc(296); /* about a task node */

		sink += (uintptr_t)p;
		free(p);
	}
	mf = per_op(t0, iters);
	t0 = bu_now();
	for (long i = 0; i < iters; i++) {
		pthread_mutex_lock(&mu);
		pthread_mutex_unlock(&mu);
	}
	mx = per_op(t0, iters);
	t0 = bu_now();
	for (long i = 0; i < iters; i++)
		setjmp_once(jb, 0);
	sj0 = per_op(t0, iters);
	t0 = bu_now();
	for (long i = 0; i < iters / 10; i++)
		setjmp_once(jb, 1);
	sj1 = per_op(t0, iters / 10);
	t0 = bu_now();
	for (long i = 0; i < iters; i++)
		atomic_fetch_add(&counter, 1);
	add = per_op(t0, iters);
	printf("bench=op-costs clock_mono_ns=%.1f clock_coarse_ns=%.1f "
	       "rdtsc_ns=%.1f malloc_free_ns=%.1f mutex_ns=%.1f "
	       "sigsetjmp0_ns=%.1f sigsetjmp1_ns=%.1f atomic_add_ns=%.1f\n",
	       mono, coarse, tsc, mf, mx, sj0, sj1, add);
	return 0;
}
