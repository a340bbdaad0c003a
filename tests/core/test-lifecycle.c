/*
 * test-lifecycle.c - a pool's life (S6.1): states, start once, pause and
 * resume, wait_idle, resize under load, thread names, destroy leaving no
 * thread or descriptor behind (ASan's leak check covers bytes), and two
 * pools in one process that never see each other.
 */
#define BT_OWN_BRACKET /* two recorders: R and R2 */
#include "wpbt.h"

static struct bt_rec R, R2;

static void
begin(void)
{
	bt_world_reset();
	bt_rec_init(&R);
	bt_rec_init(&R2);
}

static void
end(void)
{
	bt_rec_fini(&R);
	bt_rec_fini(&R2);
}

static void
test_states_and_start_once(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, false);
	assert_int_equal(wp_pool_state(p), WP_STATE_CREATED);
	assert_true(wp_pool_is_accepting(p));
	assert_int_equal(wp_pool_start(p), 0);
	assert_int_equal(wp_pool_state(p), WP_STATE_RUNNING);
	assert_int_equal(wp_pool_start(p), WP_ESTATE);
	assert_int_equal(wp_pool_pause(p), 0);
	assert_int_equal(wp_pool_state(p), WP_STATE_PAUSED);
	assert_true(wp_pool_is_accepting(p));
	assert_int_equal(wp_pool_resume(p), 0);
	assert_int_equal(wp_pool_state(p), WP_STATE_RUNNING);
	bt_go(p, BT_GATE, 0); /* holds a worker: the drain is not over */
	BT_EVENTUALLY(bt_started() == 1);
	assert_int_equal(wp_pool_close_tasks(p), 0);
	assert_int_equal(wp_pool_state(p), WP_STATE_DRAINING);
	assert_false(wp_pool_is_accepting(p));
	atomic_store(&bt_w.gate, 1);
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	assert_int_equal(wp_pool_state(p), WP_STATE_STOPPED);
	assert_false(wp_pool_is_accepting(p));
	assert_int_equal(wp_pool_start(p), WP_ESTATE);
	assert_int_equal(wp_pool_pause(p), WP_ESTATE);
	assert_int_equal(wp_pool_resume(p), WP_ESTATE);
	for (int s = WP_STATE_CREATED; s <= WP_STATE_FORCED; s++)
		assert_non_null(wp_pool_state_name(s));
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* Paused workers take no new task (observed over a short while); resume
 * runs everything queued; PAUSE and RESUME events. */
static void
test_pause_resume(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 16;
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_pool_pause(p), 0);
	for (int i = 0; i < 6; i++)
		bt_go(p, BT_NOOP, 0);
	wpt_sleep_ms(60); /* observing an absence, not synchronising */
	assert_int_equal(bt_started(), 0);
	assert_int_equal(bt_m(p).task_queued, 6);
	assert_int_equal(wp_pool_wait_idle(p, 0), WP_ETIMEDOUT);
	assert_int_equal(wp_pool_resume(p), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 6);
	assert_true(bt_count_events(p, WP_EV_PAUSE) >= 1);
	assert_true(bt_count_events(p, WP_EV_RESUME) >= 1);
	bt_finish(p, &R);
	end();
}

/* Pausing while a task runs: it finishes; the next does not start. */
static void
test_pause_lets_running_finish(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 1);
	bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_pause(p), 0);
	atomic_store(&bt_w.gate, 1);
	BT_EVENTUALLY(bt_nout(&R, WP_OUTCOME_COMPLETED) == 1);
	wpt_sleep_ms(40); /* observing an absence */
	assert_int_equal(bt_started(), 1);
	assert_int_equal(atomic_load(&bt_w.saw_done), 0);
	assert_int_equal(wp_pool_resume(p), 0);
	BT_EVENTUALLY(bt_nout(&R, WP_OUTCOME_COMPLETED) == 2);
	bt_finish(p, &R);
	end();
}

static void
test_wait_idle(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_pool_wait_idle(p, 0), 0);
	bt_go(p, BT_GATE, 0);
	assert_int_equal(wp_pool_wait_idle(p, 0), WP_ETIMEDOUT);
	assert_int_equal(wp_pool_wait_idle(p, 30), WP_ETIMEDOUT);
	atomic_store(&bt_w.gate, 1);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nres(&R), 1);
	assert_int_equal(wp_pool_wait_idle(p, 0), 0);
	bt_finish(p, &R);
	end();
}

struct flow {
	wp_pool *p;
	atomic_int stop;
	unsigned accepted;
	int unexpected;
};

static void *
flow_main(void *arg)
{
	struct flow *f = arg;
	for (unsigned i = 0; !atomic_load(&f->stop); i++) {
		int rc = bt_submit_opts(f->p, BT_SLEEP, i % 3, 0, 0, BT_TO_DEF,
					true, 50, NULL);
		if (rc == 0)
			f->accepted++;
		else if (rc != WP_ETIMEDOUT)
			f->unexpected = rc;
	}
	return NULL;
}

/* Grow and shrink while tasks flow: the target moves at once, the live
 * workers follow, nothing is lost. */
static void
test_resize_under_load(void **state)
{
	static const unsigned sizes[] = {6, 1, 4, 2, 3};
	struct wp_config cfg;
	struct flow f = {0};
	uint64_t v = 0;
	pthread_t t;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 16;
	p = bt_pool(&cfg, &R, true);
	f.p = p;
	t = bt_spawn(flow_main, &f);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		unsigned w = sizes[i];
		snprintf(bt_label, sizeof bt_label, "resize to %u", w);
		if (i % 2)
			assert_int_equal(wp_pool_resize(p, w), 0);
		else
			assert_int_equal(
				wp_pool_set_option(p, WP_OPT_WORKERS, w), 0);
		assert_int_equal(bt_m(p).workers, w);
		assert_int_equal(wp_pool_get_option(p, WP_OPT_WORKERS, &v), 0);
		assert_int_equal(v, w);
		BT_EVENTUALLY(bt_m(p).workers_alive == w);
		{
			struct wp_metrics m = bt_m(p);
			wpt_assert_conserved(&m);
		}
	}
	atomic_store(&f.stop, 1);
	pthread_join(t, NULL);
	assert_int_equal(f.unexpected, 0);
	assert_true(f.accepted > 0);
	assert_true(bt_count_events(p, WP_EV_RESIZE) >= 1);
	bt_finish(p, &R);
	end();
}

/* While running, every pool thread is named. */
static void
test_thread_names(void **state)
{
	static const char *const names[] = {
		"wp-worker-0", "wp-worker-1", "wp-monitor", "wp-health",
		"wp-results",  "wp-errors",   "wp-watchdog",
	};
	struct wp_config cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	BT_EVENTUALLY(bt_m(p).workers_alive == 2);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(bt_label, sizeof bt_label, "thread %s", names[i]);
		BT_EVENTUALLY(bt_thread_named(names[i]));
	}
	bt_finish(p, &R);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		BT_EVENTUALLY(!bt_thread_named(names[i]));
	end();
}

/* Create, run, destroy, five times: no thread or descriptor left. */
static void
test_destroy_leaves_nothing(void **state)
{
	int threads0 = wpt_thread_count(), fds0 = wpt_fd_count();

	for (int round = 0; round < 5; round++) {
		struct wp_config cfg;
		wp_pool *p;

		begin();
		bt_cfg(&cfg, &R);
		cfg.task_timeout_ms = round % 2 ? 50 : 0;
		cfg.contain_crashes = round == 3 && !BT_SANITIZED;
		p = bt_pool(&cfg, &R, round != 4);
		for (int i = 0; i < 4; i++)
			bt_submit(p, i % 2 ? BT_SLEEP : BT_PANIC, 2, i, NULL);
		if (round == 2)
			assert_int_equal(wp_pool_stop(p, NULL), 0);
		assert_int_equal(bt_destroy(p), 0);
		snprintf(bt_label, sizeof bt_label, "round %d", round);
		BT_EVENTUALLY(wpt_thread_count() == threads0);
		assert_int_equal(wpt_fd_count(), fds0);
		end();
	}
}

/* Two pools: cancelling one leaves the other untouched, and each one's
 * callbacks see only its own tasks. */
static void
test_two_pools_independent(void **state)
{
	struct wp_config ca, cb;
	struct wp_signal_state st[WP_SIG_COUNT];
	wp_pool *a, *b;

	begin();
	bt_cfg(&ca, &R);
	bt_cfg(&cb, &R2);
	ca.task_queue_cap = cb.task_queue_cap = 16;
	a = bt_pool(&ca, &R, true);
	b = bt_pool(&cb, &R2, true);
	for (int i = 0; i < 3; i++) {
		bt_go(a, BT_NOOP, 0);
		bt_go(b, BT_NOOP, 0);
		bt_go(b, BT_NOOP, 0);
	}
	assert_int_equal(wp_pool_wait_idle(a, WPT_CEILING_MS), 0);
	assert_int_equal(wp_pool_wait_idle(b, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nres(&R), 3);
	assert_int_equal(bt_nres(&R2), 6);

	assert_int_equal(wp_pool_cancel(a), 0);
	assert_int_equal(wp_pool_shutdown(a), 0);
	BT_EVENTUALLY(bt_m(a).workers_alive == 0);
	wp_pool_signals(b, st);
	for (int s = 0; s < WP_SIG_COUNT; s++)
		assert_false(st[s].fired);
	assert_true(wp_pool_is_accepting(b));
	assert_int_equal(bt_m(b).workers_alive, 2);
	assert_true(bt_m(b).monitor_alive);
	for (int i = 0; i < 4; i++)
		bt_go(b, BT_NOOP, 0);
	assert_int_equal(wp_pool_wait_idle(b, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nres(&R2), 10);
	assert_int_equal(bt_nres(&R), 3);
	assert_int_equal(bt_m(a).accepted, 3);
	assert_int_equal(bt_m(b).accepted, 10);

	assert_int_equal(wp_pool_stop(a, NULL), 0);
	assert_int_equal(wp_pool_state(b), WP_STATE_RUNNING);
	bt_go(b, BT_NOOP, 0);
	assert_int_equal(wp_pool_wait_idle(b, WPT_CEILING_MS), 0);
	assert_int_equal(bt_destroy(a), 0);
	assert_int_equal(wp_pool_state(b), WP_STATE_RUNNING);
	assert_int_equal(wp_pool_stop(b, NULL), 0);
	assert_int_equal(bt_nres(&R2), 11);
	assert_int_equal(bt_destroy(b), 0);
	end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_states_and_start_once),
		BT_TEST(test_pause_resume),
		BT_TEST(test_pause_lets_running_finish),
		BT_TEST(test_wait_idle),
		BT_TEST(test_resize_under_load),
		BT_TEST(test_thread_names),
		BT_TEST(test_destroy_leaves_nothing),
		BT_TEST(test_two_pools_independent),
	};
	return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
