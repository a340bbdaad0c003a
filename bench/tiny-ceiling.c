/*
 * tiny-ceiling.c - the most tiny tasks per second this machine can run
 * with no pool at all (target 3's ceiling).
 *
 * The peer harness's tiny task is a chain of --spin-iters dependent
 * multiply-adds (about 1 us) followed by an atomic increment of one
 * counter every task shares.  Here --threads bare threads, one per CPU at
 * most, each run --tasks / threads of them back to back: no queue, no
 * hand-off, nothing but the task.  Run with the shared counter (what the
 * harness's tasks do) and with a counter per thread, to show what the
 * counter's cache line moving between CPUs costs; and on one thread (the
 * harness's `direct` pool).  A pool's tiny throughput divided by
 * tasks_per_sec is the share of the machine it turns into tasks.
 *
 *   bench-tiny-ceiling [--threads 2] [--tasks 400000] [--spin-iters 900]
 *
 * Prints: bench=tiny-ceiling threads= spin_iters= tasks_per_sec= (shared
 *         counter) private_tasks_per_sec= one_thread_tasks_per_sec=
 */
#include "bench-util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

struct worker {
	pthread_t tid;
	long tasks, spin;
	_Atomic uint64_t *counter;
	_Alignas(64) _Atomic uint64_t own; /* the counter when private */
};

/* The harness's tiny_task, minus the semaphore of its last task. */
static void *
run(void *arg)
{
	struct worker *w = arg;

	for (long n = 0; n < w->tasks; n++) {
		uint64_t x = (uint64_t)(uintptr_t)w + (uint64_t)n;

		for (long i = 0; i < w->spin; i++) {
			x = x * 6364136223846793005ULL +
			    1442695040888963407ULL;
			__asm__ volatile("" : "+r"(x));
		}
		atomic_fetch_add(w->counter, 1);
	}
	return NULL;
}

/* Tasks per second of `threads` threads running `tasks` in all. */
static double
rate(long threads, long tasks, long spin, bool shared)
{
	_Alignas(64) static _Atomic uint64_t counter;
	struct worker *w = calloc((size_t)threads, sizeof *w);
	int64_t t0;
	long i;

	if (!w)
		exit(1);
	for (i = 0; i < threads; i++) {
		w[i].tasks = tasks / threads;
		w[i].spin = spin;
		w[i].counter = shared ? &counter : &w[i].own;
	}
	t0 = bu_now();
	for (i = 0; i < threads; i++)
		if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0)
			exit(1);
	for (i = 0; i < threads; i++)
		pthread_join(w[i].tid, NULL);
	t0 = bu_now() - t0;
	free(w);
	return (double)(tasks / threads * threads) / ((double)t0 / 1e9);
}

int
main(int argc, char **argv)
{
	long threads = 2, tasks = 400000, spin = 900;
	struct bu_opt opts[] = {
	    {"threads", &threads, "bare threads (the pool's CPUs)"},
	    {"tasks", &tasks, "tasks in all"},
	    {"spin-iters", &spin, "the task's multiply-adds (harness: 900)"},
	    {NULL, NULL, NULL},
	};
	double shared[3], own[3], one[3];

	bu_parse(argc, argv, "bench-tiny-ceiling", opts);
	if (threads < 1 || tasks < threads || spin < 0)
		return 1;
	/* Interleaved, three of each: the host's speed drifts. */
	for (int r = 0; r < 3; r++) {
		shared[r] = rate(threads, tasks, spin, true);
		own[r] = rate(threads, tasks, spin, false);
		one[r] = rate(1, tasks / threads, spin, true);
	}
	printf("bench=tiny-ceiling threads=%ld spin_iters=%ld "
	       "tasks_per_sec=%.0f private_tasks_per_sec=%.0f "
	       "one_thread_tasks_per_sec=%.0f\n",
	       threads, spin, bu_median(shared, 3), bu_median(own, 3),
	       bu_median(one, 3));
	return 0;
}
