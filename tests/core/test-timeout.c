/*
 * test-timeout.c - per-task timeouts through the hand-off (S3, S6.3).
 *
 * Covers: pool and per-task timeouts (and WP_TIMEOUT_NONE running
 * directly); the timed-out task's context; its worker slot taking the next
 * task at once while the late task still runs; the late result discarded,
 * never delivered twice; an orphan visible in metrics, the worker list and
 * health until it returns; the orphan cap; events.  Ceilings are generous:
 * no test asserts how fast a timeout fires.
 */
#include "wpbt.h"

/* A task that honours its context: TIMED_OUT, and it saw ETIMEDOUT. */
static void
test_timeout_pool_default(void **state)
{
	struct wp_config cfg;
	struct wp_result res = {0};
	struct wp_error e = {0};
	wp_pool *p;
	uint64_t id;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_timeout_ms = 40;
	p = bt_pool(&cfg, &R, true);
	id = bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_result_of(&R, id, NULL) == 1);
	assert_int_equal(bt_result_of(&R, id, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_TIMED_OUT);
	assert_int_equal(res.code, WP_ETIMEDOUT);
	assert_false(res.never_ran);
	BT_EVENTUALLY(atomic_load(&bt_w.finished) == 1);
	assert_int_equal(atomic_load(&bt_w.saw_timedout), 1);
	BT_EVENTUALLY(bt_error_of(&R, id, NULL) == 1);
	assert_int_equal(bt_error_of(&R, id, &e), 1);
	assert_int_equal(e.outcome, WP_OUTCOME_TIMED_OUT);
	assert_int_equal(bt_m(p).timed_out, 1);
	assert_true(bt_count_events(p, WP_EV_TIMEOUT) >= 1);
	bt_finish(p, &R);
	assert_int_equal(bt_result_of(&R, id, NULL), 1);
	end();
}

/* wp_ctx_sleep() is cut short by the deadline with WP_ETIMEDOUT. */
static void
test_timeout_cuts_ctx_sleep(void **state)
{
	struct wp_config cfg;
	wp_pool *p;
	uint64_t id;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	id = bt_go_to(p, BT_SLEEP, 60000, 40);
	BT_EVENTUALLY(atomic_load(&bt_w.finished) == 1);
	assert_int_equal(atomic_load(&bt_w.sleep_timedout), 1);
	BT_EVENTUALLY(bt_result_of(&R, id, NULL) == 1);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_TIMED_OUT), 1);
	bt_finish(p, &R);
	end();
}

/* Per-task options override the pool: NONE runs directly (no deadline),
 * a longer timeout lets the task finish, DEFAULT uses the pool's. */
static void
test_timeout_per_task_overrides(void **state)
{
	struct wp_config cfg;
	struct wp_result res = {0};
	wp_pool *p;
	uint64_t none, longer, dflt;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 3;
	cfg.task_timeout_ms = 40;
	p = bt_pool(&cfg, &R, true);
	none = bt_go_to(p, BT_SLEEP, 150, WP_TIMEOUT_NONE);
	longer = bt_go_to(p, BT_SLEEP, 150, 10000);
	dflt = bt_go_to(p, BT_SLEEP, 60000, BT_TO_DEF);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_result_of(&R, none, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_COMPLETED);
	assert_int_equal(bt_result_of(&R, longer, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_COMPLETED);
	assert_int_equal(bt_result_of(&R, dflt, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_TIMED_OUT);
	bt_finish(p, &R);
	end();
}

/* wp_ctx_deadline() is 0 for a task run directly. */
static void
test_timeout_none_has_no_deadline(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_timeout_ms = 1000;
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(bt_submit_opts(p, BT_CTXINFO, 0, 1, 0,
					WP_TIMEOUT_NONE, false, 0, NULL),
			 0);
	BT_EVENTUALLY(atomic_load(&bt_w.ci_done) == 1);
	assert_int_equal(atomic_load(&bt_w.ci_value_deadline), 0);
	atomic_store(&bt_w.ci_done, 0);
	assert_int_equal(bt_submit_opts(p, BT_CTXINFO, 0, 1, 0, BT_TO_DEF,
					false, 0, NULL),
			 0);
	BT_EVENTUALLY(atomic_load(&bt_w.ci_done) == 1);
	assert_true(atomic_load(&bt_w.ci_value_deadline) != 0);
	bt_finish(p, &R);
	end();
}

/* wp_pool_set_timeout() at run time applies to later tasks. */
static void
test_timeout_set_at_runtime(void **state)
{
	struct wp_config cfg;
	wp_pool *p;
	uint64_t v = 0, id;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_pool_set_timeout(p, 40), 0);
	assert_int_equal(wp_pool_get_option(p, WP_OPT_TASK_TIMEOUT_MS, &v), 0);
	assert_int_equal(v, 40);
	id = bt_go(p, BT_SLEEP, 60000);
	BT_EVENTUALLY(bt_result_of(&R, id, NULL) == 1);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_TIMED_OUT), 1);
	assert_int_equal(wp_pool_set_timeout(p, 0), 0);
	id = bt_go(p, BT_SLEEP, 60);
	BT_EVENTUALLY(bt_result_of(&R, id, NULL) == 1);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 1);
	bt_finish(p, &R);
	end();
}

static bool
worker_list_has_orphan(wp_pool *p, uint64_t task_id)
{
	struct wp_worker_info w[16];
	size_t n = 0;
	assert_int_equal(wp_pool_workers(p, w, 16, &n), 0);
	for (size_t i = 0; i < n && i < 16; i++)
		if (w[i].orphan && w[i].slot == -1 && w[i].task_id == task_id &&
		    w[i].name[0] != '\0')
			return true;
	return false;
}

/*
 * One worker, a hung task that ignores its context, then a quick task:
 * the hung one is TIMED_OUT, the quick one completes while the hung one is
 * still running, the orphan is visible in metrics, the worker list and
 * health; when it returns its late result is dropped, not delivered.
 */
static void
test_timeout_hung_task_orphan(void **state)
{
	struct wp_config cfg;
	struct wp_result res = {0};
	struct wp_metrics m;
	struct wp_health h;
	wp_pool *p;
	uint64_t hung, next;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_timeout_ms = 40;
	cfg.orphan_cap = 1;
	p = bt_pool(&cfg, &R, true);
	hung = bt_go(p, BT_HANG, 0);
	next = bt_go(p, BT_NOOP, 0);
	BT_EVENTUALLY(bt_result_of(&R, next, NULL) == 1);
	assert_int_equal(atomic_load(&bt_w.hang_returned), 0);
	assert_int_equal(bt_result_of(&R, next, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_COMPLETED);
	BT_EVENTUALLY(bt_result_of(&R, hung, NULL) == 1);
	assert_int_equal(atomic_load(&bt_w.hang_returned), 0);
	assert_int_equal(bt_result_of(&R, hung, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_TIMED_OUT);

	m = bt_m(p);
	assert_int_equal(m.orphans, 1);
	assert_int_equal(m.orphan_cap, 1);
	assert_int_equal(m.timed_out, 1);
	assert_int_equal(m.workers_alive, 1);
	assert_true(worker_list_has_orphan(p, hung));
	h = bt_h(p);
	assert_true(h.items[WP_CHECK_ORPHANS].failing);
	assert_false(h.healthy);
	assert_true(bt_count_events(p, WP_EV_ORPHAN) >= 1);

	atomic_store(&bt_w.release, 1);
	BT_EVENTUALLY(bt_m(p).orphans == 0);
	BT_EVENTUALLY(bt_m(p).late_discarded == 1);
	assert_false(worker_list_has_orphan(p, hung));
	assert_int_equal(atomic_load(&bt_w.saw_timedout), 1);
	assert_int_equal(bt_result_of(&R, hung, NULL), 1);
	BT_EVENTUALLY(!bt_failing(p, WP_CHECK_ORPHANS));
	assert_true(bt_count_events(p, WP_EV_ORPHAN_BACK) >= 1);
	bt_finish(p, &R);
	assert_int_equal(bt_result_of(&R, hung, NULL), 1);
	end();
}

/* A task that sees its deadline but returns late with a value: TIMED_OUT
 * is delivered once and the late value never shows. */
static void
test_timeout_late_result_discarded(void **state)
{
	struct wp_config cfg;
	struct wp_result res = {0};
	wp_pool *p;
	uint64_t id;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_timeout_ms = 40;
	p = bt_pool(&cfg, &R, true);
	id = bt_go(p, BT_LATE, 0);
	BT_EVENTUALLY(atomic_load(&bt_w.saw_done) == 1);
	assert_int_equal(atomic_load(&bt_w.saw_timedout), 1);
	BT_EVENTUALLY(bt_result_of(&R, id, NULL) == 1);
	atomic_store(&bt_w.release, 1);
	BT_EVENTUALLY(atomic_load(&bt_w.hang_returned) == 1);
	BT_EVENTUALLY(bt_m(p).late_discarded == 1);
	assert_int_equal(bt_result_of(&R, id, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_TIMED_OUT);
	assert_true(res.value != 99);
	bt_finish(p, &R);
	assert_int_equal(bt_result_of(&R, id, NULL), 1);
	end();
}

/* The orphan cap: never more orphans than the cap; a slot whose thread
 * times out at the cap waits (ORPHANED) instead of spawning; everything
 * completes once the hung tasks return. */
static void
test_timeout_orphan_cap(void **state)
{
	struct wp_config cfg;
	struct wp_worker_info w[8];
	struct wp_metrics m;
	size_t n = 0;
	bool waiting = false;
	wp_pool *p;
	uint64_t quick;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_timeout_ms = 30;
	cfg.orphan_cap = 1;
	cfg.task_queue_cap = 8;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_HANG, 0);
	bt_go(p, BT_HANG, 0);
	quick = bt_go(p, BT_NOOP, 0);
	BT_EVENTUALLY(bt_started() == 2);
	BT_EVENTUALLY(bt_m(p).timed_out == 2);
	/* Watch for a while: the cap holds and the slot is waiting. */
	for (int i = 0; i < 50; i++) {
		m = bt_m(p);
		if (m.orphans > 1)
			fail_msg("%u orphans with a cap of 1", m.orphans);
		wpt_sleep_ms(1);
	}
	assert_int_equal(wp_pool_workers(p, w, 8, &n), 0);
	for (size_t i = 0; i < n && i < 8; i++)
		if (w[i].slot == 0 && w[i].state == WP_WORKER_ORPHANED)
			waiting = true;
	assert_true(waiting);
	assert_int_equal(bt_result_of(&R, quick, NULL), 0);

	atomic_store(&bt_w.release, 1);
	BT_EVENTUALLY(bt_result_of(&R, quick, NULL) == 1);
	BT_EVENTUALLY(bt_m(p).orphans == 0);
	BT_EVENTUALLY(bt_m(p).late_discarded == 2);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_TIMED_OUT), 2);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 1);
	bt_finish(p, &R);
	end();
}

/* Many short timeouts in a row on two workers: conservation holds, each
 * task delivered once, no orphan left. */
static void
test_timeout_many(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_timeout_ms = 5;
	cfg.task_queue_cap = 64;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 40; i++)
		bt_go(p, i % 2 ? BT_SLEEP : BT_NOOP, 20);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nres(&R), 40);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_TIMED_OUT) +
				 bt_nout(&R, WP_OUTCOME_COMPLETED),
			 40);
	assert_true(bt_nout(&R, WP_OUTCOME_TIMED_OUT) >= 1);
	BT_EVENTUALLY(bt_m(p).orphans == 0);
	bt_finish(p, &R);
	end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_timeout_pool_default),
		BT_TEST(test_timeout_cuts_ctx_sleep),
		BT_TEST(test_timeout_per_task_overrides),
		BT_TEST(test_timeout_none_has_no_deadline),
		BT_TEST(test_timeout_set_at_runtime),
		BT_TEST(test_timeout_hung_task_orphan),
		BT_TEST(test_timeout_late_result_discarded),
		BT_TEST(test_timeout_orphan_cap),
		BT_TEST(test_timeout_many),
	};
	return cmocka_run_group_tests_name("timeout", tests, NULL, NULL);
}
