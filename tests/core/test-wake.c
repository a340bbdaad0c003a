/*
 * test-wake.c - the accounting of wake-ups sent to parked workers
 * (core/worker.c): `waking` counts wake-ups sent and not yet taken, and
 * a submit or a worker wakes a parked worker only while it is lower than
 * the number parked.  A wake-up that no sleeping worker takes (the one it
 * was meant for found a task on its last look before sleeping) must not
 * stay counted: if it did, that worker would sleep on through every later
 * submit until the watchdog's supervision noticed tasks waiting for 5 ms,
 * and a pool of two workers could run on one for as long as the queue
 * never emptied.
 *
 * The test races a submit against the only worker going to sleep, many
 * times over, and after each race asserts that, with no submit under way,
 * no wake-up stays counted in flight.
 *
 * And whom a wake-up for one reaches: the worker that parked last (its
 * CPU is the one that went idle), not the one asleep longest.
 */
#include "wptest.h"

#include "wp-internal.h"

#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROUNDS 20000

static _Atomic unsigned long ran;

static int
count_task(wp_ctx *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	atomic_fetch_add(&ran, 1);
	return 0;
}

static void
wait_ran(unsigned long n)
{
	int64_t until = wpt_now_ms() + WPT_CEILING_MS;

	while (atomic_load(&ran) < n)
		assert_true(wpt_now_ms() < until);
}

/* No wake-up counted in flight, eventually: one sent by the last submit
 * may not have been taken yet (its worker is woken but has not run), but
 * nothing else is under way to keep one counted. */
static int
none_in_flight(void *arg)
{
	wp_pool *p = arg;

	return atomic_load(&p->waking) == 0;
}

static void
test_wake_not_left_counted(void **state)
{
	struct wp_config cfg;
	wp_pool *p;
	unsigned long n = 0;

	(void)state;
	wpt_config(&cfg);
	cfg.workers = 1;
	cfg.idle_spin_us = 0; /* no spinner: an idle worker parks at once */
	assert_int_equal(wp_pool_create(&cfg, &p), 0);
	assert_int_equal(wp_pool_start(p), 0);
	for (int i = 0; i < ROUNDS; i++) {
		assert_int_equal(wp_submit(p, count_task, NULL, NULL, NULL),
				 0);
		wait_ran(++n);
		/* The worker is now on its way to sleep: the next submit
		 * lands at a different point of that way each round. */
		for (volatile int k = 0; k < i % 200; k++)
			;
		assert_int_equal(wp_submit(p, count_task, NULL, NULL, NULL),
				 0);
		wait_ran(++n);
		assert_true(wpt_wait_for(none_in_flight, p, WPT_CEILING_MS));
	}
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	assert_int_equal(wp_pool_destroy(p), 0);
}

static atomic_int last_worker = -1, other_workers;

static void
note_worker(void *udata, const struct wp_result *r)
{
	int first = -1;

	(void)udata;
	if (!atomic_compare_exchange_strong(&last_worker, &first, r->worker) &&
	    first != r->worker)
		atomic_fetch_add(&other_workers, 1);
}

/* Every thread of the process but this one is asleep (state S in
 * /proc): a worker counted in `sleepers` may still be on its way to the
 * futex, and a wake-up aimed at it then finds nobody there. */
static int
others_asleep(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	long self = syscall(SYS_gettid);
	int all = 1;

	assert_non_null(d);
	while (all && (e = readdir(d)) != NULL) {
		char path[300], buf[256], *rp;
		FILE *f;

		if (e->d_name[0] == '.' || atol(e->d_name) == self)
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/stat",
			 e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue; /* gone */
		if (fgets(buf, sizeof buf, f) && (rp = strrchr(buf, ')')) &&
		    rp[1] == ' ' && rp[2] != 'S')
			all = 0;
		fclose(f);
	}
	closedir(d);
	return all;
}

static int
all_parked(void *arg)
{
	wp_pool *p = arg;

	return atomic_load(&p->sleepers) == 4 && others_asleep();
}

/* Four workers, none spinning: each task wakes one, which runs it and
 * parks again, so it is the latest to park when the next task comes.
 * Woken first-in-first-out, the tasks would go round all four. */
static void
test_wake_goes_to_latest_parked(void **state)
{
	struct wp_config cfg;
	wp_pool *p;
	unsigned long n = atomic_load(&ran);

	(void)state;
	wpt_config(&cfg);
	cfg.workers = 4;
	cfg.idle_spin_us = 0;
	cfg.on_result = note_worker;
	assert_int_equal(wp_pool_create(&cfg, &p), 0);
	assert_int_equal(wp_pool_start(p), 0);
	for (int i = 0; i < 40; i++) {
		assert_true(wpt_wait_for(all_parked, p, WPT_CEILING_MS));
		assert_int_equal(wp_submit(p, count_task, NULL, NULL, NULL),
				 0);
		wait_ran(++n);
	}
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	assert_int_equal(wp_pool_destroy(p), 0);
	assert_true(atomic_load(&last_worker) >= 0);
	assert_int_equal(atomic_load(&other_workers), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wake_not_left_counted),
		cmocka_unit_test(test_wake_goes_to_latest_parked),
	};
	return cmocka_run_group_tests_name("wake", tests, NULL, NULL);
}
