/*
 * join-floor.c - the floor of an idle pool's stop on this machine: wake N
 * threads parked on one futex and join them all (no pool, no queue).
 *
 * An ordered stop of an idle pool must at least do this for every thread
 * it owns (wpool: W workers + 5 auxiliary threads), so this bounds what
 * target 5 can reach.  Each cycle starts N threads, lets them park for
 * 10 ms, then times FUTEX_WAKE(INT_MAX) plus every pthread_join.
 *
 *   bench-join-floor [--threads 7] [--cycles 50]
 *
 * Prints: bench=join-floor threads= cycles= join_us= join_max_us=
 */
#include "bench-util.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Atomic unsigned word;

static void *
parked(void *arg)
{
	while (!atomic_load(&word))
		syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return arg;
}

int
main(int argc, char **argv)
{
	long threads = 7, cycles = 50;
	struct bu_opt opts[] = {
	    {"threads", &threads, "threads to wake and join"},
	    {"cycles", &cycles, "measurements"},
	    {NULL, NULL, NULL},
	};
	pthread_t *tid;
	double *us;

	bu_parse(argc, argv, "bench-join-floor", opts);
	tid = calloc((size_t)threads, sizeof *tid);
	us = calloc((size_t)cycles, sizeof *us);
	if (!tid || !us || threads < 1 || cycles < 1)
		return 1;
	for (long c = 0; c < cycles; c++) {
		int64_t t0;

		atomic_store(&word, 0);
		for (long i = 0; i < threads; i++)
			if (pthread_create(&tid[i], NULL, parked, NULL))
				return 1;
		bu_sleep_us(10000);
		t0 = bu_now();
		atomic_store(&word, 1);
		syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL,
			NULL, 0);
		for (long i = 0; i < threads; i++)
			pthread_join(tid[i], NULL);
		us[c] = (double)(bu_now() - t0) / 1e3;
	}
	printf("bench=join-floor threads=%ld cycles=%ld join_us=%.1f "
	       "join_max_us=%.1f\n",
	       threads, cycles, bu_median(us, (size_t)cycles),
	       bu_max(us, (size_t)cycles));
	return 0;
}
