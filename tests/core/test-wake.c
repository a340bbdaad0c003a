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
 */
#include "wptest.h"

#include "wp-internal.h"

#include <stdatomic.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wake_not_left_counted),
	};
	return cmocka_run_group_tests_name("wake", tests, NULL, NULL);
}
