/*
 * xfer.c - what moving one cache line between the two CPUs costs right
 * now: the host's state, for reading a tiny-task figure.
 *
 * Two threads, pinned to CPU 0 and CPU 1, pass a counter back and forth
 * through one cache line (each waits, spinning, for the other's store):
 * rt_ns is one round trip, two transfers of the line.  On the 2-vCPU
 * bench VM it is bimodal, and the host switches between the two every few
 * minutes: ~100 ns (the two vCPUs close together, a "fast" stretch) or
 * 400-550 ns ("slow").  Every pool's tiny-task throughput moves with it,
 * because every hand-off and the harness's shared counter move lines
 * (bench/FINDINGS.md, session 9); `bench/run-tiny.sh` runs it around each
 * round to sort rounds by state.
 *
 *   bench-xfer [--trips 50000]
 *
 * Prints: bench=xfer trips= rt_ns=
 * With one CPU there is nothing to measure: it says so and exits 1.
 */
#include "bench-util.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static _Alignas(64) _Atomic long line;

static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
		fprintf(stderr, "bench-xfer: cannot pin a thread to CPU %d\n",
			cpu);
		exit(1);
	}
}

/* Answers trip i (an odd value) with the even value after it. */
static void *
answer(void *arg)
{
	long trips = *(long *)arg;

	pin(1);
	for (long i = 1; i <= trips; i++) {
		while (atomic_load_explicit(&line, memory_order_acquire) !=
		       2 * i - 1)
			;
		atomic_store_explicit(&line, 2 * i, memory_order_release);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	long trips = 50000;
	struct bu_opt opts[] = {
		{"trips", &trips, "round trips to time"},
		{NULL, NULL, NULL},
	};
	pthread_t tid;
	int64_t t0, t1;

	bu_parse(argc, argv, "bench-xfer", opts);
	if (trips < 1) {
		fprintf(stderr, "bench-xfer: --trips must be at least 1\n");
		return 2;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "bench-xfer: needs two CPUs\n");
		return 1;
	}
	if (pthread_create(&tid, NULL, answer, &trips) != 0) {
		fprintf(stderr, "bench-xfer: cannot create a thread\n");
		return 1;
	}
	pin(0);
	t0 = bu_now();
	for (long i = 1; i <= trips; i++) {
		atomic_store_explicit(&line, 2 * i - 1, memory_order_release);
		while (atomic_load_explicit(&line, memory_order_acquire) !=
		       2 * i)
			;
	}
	t1 = bu_now();
	pthread_join(tid, NULL);
	printf("bench=xfer trips=%ld rt_ns=%.1f\n", trips,
	       (double)(t1 - t0) / (double)trips);
	return 0;
}
