/*
 * crowded.c - does the pool recover from its threads crowded on one CPU?
 *
 * In slow tiny-task runs on this guest the kernel left two awake workers
 * taking turns on one CPU for the whole run while the other CPU idled
 * (bench/FINDINGS.md, session 5).  This reproduces that placement on
 * purpose: a pool of W workers (defaults, queue Q, counting result
 * handler) is started with the process's whole CPU set, then every thread
 * of the process is confined to the last CPU of that set for a warm-up of
 * 20,000 tasks, then given the whole set back, and N tasks of about 1 us
 * (the harness's tiny task: 900 multiply-adds and an atomic add on a
 * shared counter) are timed from the first submit to the last start.
 * "free" is the same run without the confinement.  A pool the kernel (or
 * the pool itself) spreads out again runs near "free"; one that stays
 * crowded runs at about one CPU's worth.  Repeated R times, alternating;
 * medians.  Needs 2 CPUs or more.
 *
 *   bench-crowded [--workers 2] [--tasks 400000] [--queue 1024] [--rounds 3]
 *
 * Prints: bench=crowded workers= tasks= rounds= crowded_tps= free_tps=
 *         ratio= crowded_min_tps= crowded_max_tps=
 */
#include "bench-util.h"

#include <dirent.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static _Atomic long done;
static long target;
static sem_t latch;

static int
tiny(wp_ctx *ctx, void *arg)
{
	uint64_t x = 7;

	(void)ctx;
	(void)arg;
	for (unsigned i = 0; i < 900; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		__asm__ volatile("" : "+r"(x));
	}
	if (atomic_fetch_add_explicit(&done, 1, memory_order_acq_rel) + 1 ==
	    target)
		sem_post(&latch);
	return 0;
}

/* Gives every thread of this process the CPU set `cs`. */
static void
confine_all(const cpu_set_t *cs)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	if (!d) {
		perror("bench-crowded: /proc/self/task");
		exit(1);
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			sched_setaffinity(atoi(e->d_name), sizeof *cs, cs);
	closedir(d);
}

static void
batch(wp_pool *pool, long n)
{
	atomic_store(&done, 0);
	target = n;
	for (long i = 0; i < n; i++)
		bu_check(wp_submit_wait(pool, tiny, NULL, NULL, 60000, NULL),
			 "wp_submit_wait");
	while (sem_wait(&latch) != 0)
		;
}

static double
run(const struct wp_config *cfg, long n, bool crowd)
{
	cpu_set_t all, one;
	wp_pool *pool;
	int64_t t0;
	int last = -1;

	sched_getaffinity(0, sizeof all, &all);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all))
			last = c;
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	pool = bu_pool(cfg);
	if (crowd)
		confine_all(&one);
	batch(pool, 20000);
	if (crowd)
		confine_all(&all);
	t0 = bu_now();
	batch(pool, n);
	n = (long)((double)n / ((double)(bu_now() - t0) / 1e9));
	bu_check(wp_pool_destroy(pool), "wp_pool_destroy");
	return (double)n;
}

int
main(int argc, char **argv)
{
	long workers = 2, tasks = 400000, queue = 1024, rounds = 3;
	struct bu_opt opts[] = {
	    {"workers", &workers, "worker threads"},
	    {"tasks", &tasks, "timed tiny tasks per run"},
	    {"queue", &queue, "task queue capacity"},
	    {"rounds", &rounds, "runs of each kind"},
	    {NULL, NULL, NULL},
	};
	struct wp_config cfg;
	double *crowded, *free_;
	cpu_set_t all;

	bu_parse(argc, argv, "bench-crowded", opts);
	sched_getaffinity(0, sizeof all, &all);
	if (CPU_COUNT(&all) < 2) {
		fprintf(stderr, "bench-crowded: needs 2 CPUs or more\n");
		return 1;
	}
	crowded = calloc((size_t)rounds, sizeof *crowded);
	free_ = calloc((size_t)rounds, sizeof *free_);
	if (!crowded || !free_ || rounds < 1 || tasks < 1)
		return 1;
	sem_init(&latch, 0, 0);
	bu_config(&cfg, (unsigned)workers, (unsigned)queue);
	for (long r = 0; r < rounds; r++) {
		crowded[r] = run(&cfg, tasks, true);
		free_[r] = run(&cfg, tasks, false);
	}
	printf("bench=crowded workers=%ld tasks=%ld rounds=%ld "
	       "crowded_tps=%.0f free_tps=%.0f ratio=%.2f "
	       "crowded_min_tps=%.0f crowded_max_tps=%.0f\n",
	       workers, tasks, rounds, bu_median(crowded, (size_t)rounds),
	       bu_median(free_, (size_t)rounds),
	       bu_median(crowded, (size_t)rounds) /
		   bu_median(free_, (size_t)rounds),
	       bu_min(crowded, (size_t)rounds), bu_max(crowded, (size_t)rounds));
	return 0;
}
