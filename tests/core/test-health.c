/*
 * test-health.c - the health checks (S7.2, S7.3): every check reported,
 * every failing one listed with its value and threshold (not only the
 * last, as the Go code did); backlog counting blocked submitters; the
 * error rate with its minimum sample count; stuck tasks; the published
 * snapshot, the capacity-1 mailbox and the change event.
 */
#include "wpbt.h"

static unsigned
count_failing(const struct wp_health *h)
{
	unsigned n = 0;
	for (int i = 0; i < WP_HEALTH_CHECKS; i++)
		n += h->items[i].failing;
	return n;
}

/* Fails naming every failing check, if any. */
static void
expect_healthy(const struct wp_health *h)
{
	char buf[800] = "";
	for (int i = 0; i < WP_HEALTH_CHECKS; i++)
		if (h->items[i].failing) {
			strncat(buf, h->items[i].text,
				sizeof buf - strlen(buf) - 1);
			strncat(buf, "; ", sizeof buf - strlen(buf) - 1);
		}
	if (!h->healthy || buf[0] != '\0')
		fail_msg("unhealthy: %s", buf);
}

/* A quiet pool: every check present, in order, none failing. */
static void
test_health_healthy_at_rest(void **state)
{
	struct wp_config cfg;
	struct wp_health h;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	h = bt_h(p);
	for (int i = 0; i < WP_HEALTH_CHECKS; i++) {
		assert_int_equal(h.items[i].check, i);
		if (h.items[i].failing)
			fail_msg("check %s failing on a quiet pool: %s",
				 wp_health_check_name(i), h.items[i].text);
		assert_int_equal(h.items[i].since_ns, 0);
		assert_non_null(wp_health_check_name(i));
	}
	assert_true(h.healthy);
	assert_int_equal(h.nfailing, 0);
	assert_true(h.at_ns > 0);
	bt_finish(p, &R);
	end();
}

struct blocked {
	wp_pool *p;
	atomic_int rc;
};

static void *
blocked_main(void *arg)
{
	struct blocked *b = arg;
	atomic_store(&b->rc, bt_submit_opts(b->p, BT_NOOP, 0, 0, 0, BT_TO_DEF,
					    true, WPT_CEILING_MS, NULL));
	return NULL;
}

/* Backlog = queued + blocked submitters, against factor x workers. */
static void
test_health_backlog_counts_blocked_submitters(void **state)
{
	struct wp_config cfg;
	struct blocked b[2];
	pthread_t t[2];
	struct wp_health h;
	const struct wp_health_item *it;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 2;
	cfg.health_backlog_factor = 1;
	p = bt_pool(&cfg, &R, true);
	assert_false(bt_failing(p, WP_CHECK_BACKLOG));
	assert_int_equal(wp_pool_pause(p), 0);
	bt_go(p, BT_NOOP, 0);
	bt_go(p, BT_NOOP, 0);
	for (int i = 0; i < 2; i++) {
		b[i].p = p;
		atomic_store(&b[i].rc, 1);
		t[i] = bt_spawn(blocked_main, &b[i]);
	}
	BT_EVENTUALLY(bt_m(p).blocked_submitters == 2);
	h = bt_h(p);
	it = &h.items[WP_CHECK_BACKLOG];
	assert_true(it->failing);
	assert_true(it->value == 4.0);
	assert_true(it->threshold == 1.0);
	assert_true(it->since_ns > 0);
	assert_true(it->text[0] != '\0');
	assert_false(h.healthy);
	assert_int_equal(h.nfailing, count_failing(&h));
	assert_int_equal(wp_pool_resume(p), 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(atomic_load(&b[i].rc), 0);
	}
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	h = bt_h(p);
	assert_false(h.items[WP_CHECK_BACKLOG].failing);
	assert_int_equal(h.items[WP_CHECK_BACKLOG].since_ns, 0);
	bt_finish(p, &R);
	end();
}

/* The error rate ignores fewer outcomes than the minimum sample count.
 * The tasks run after the checkers' first tick, so the window has a
 * baseline from before them. */
static void
test_health_error_rate_min_samples(void **state)
{
	struct wp_config cfg;
	struct wp_health h;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 32;
	cfg.error_queue_cap = 32;
	cfg.health_error_min_samples = 10;
	cfg.health_error_permille = 100;
	p = bt_pool(&cfg, &R, true);
	BT_EVENTUALLY(atomic_load(&R.nhealth) >= 2 &&
		      atomic_load(&R.nmetrics) >= 2);
	for (int i = 0; i < 5; i++)
		bt_go(p, BT_FAIL, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	BT_EVENTUALLY(bt_h(p).window_samples >= 5);
	h = bt_h(p);
	assert_false(h.items[WP_CHECK_ERROR_RATE].failing);
	for (int i = 0; i < 15; i++)
		bt_go(p, BT_FAIL, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	BT_EVENTUALLY(bt_failing(p, WP_CHECK_ERROR_RATE));
	h = bt_h(p);
	assert_true(h.window_samples >= 20);
	assert_true(h.items[WP_CHECK_ERROR_RATE].value == 100.0);
	assert_true(h.items[WP_CHECK_ERROR_RATE].threshold == 10.0);
	assert_false(h.healthy);
	bt_finish(p, &R);
	end();
}

/* Outcomes that happen right after start, before the checkers' first
 * tick, are inside the window too (the window is 60 s; the pool is a few
 * ms old) and count. */
static void
test_health_error_rate_counts_early_outcomes(void **state)
{
	struct wp_config cfg;
	struct wp_health h;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.monitor_interval_ms = 200;
	cfg.health_interval_ms = 200;
	cfg.task_queue_cap = 32;
	cfg.error_queue_cap = 32;
	cfg.health_error_min_samples = 10;
	p = bt_pool(&cfg, &R, false);
	for (int i = 0; i < 20; i++)
		bt_go(p, BT_FAIL, 0); /* queued before start: run at once */
	assert_int_equal(wp_pool_start(p), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	BT_EVENTUALLY(atomic_load(&R.nhealth) >= 2);
	h = bt_h(p);
	if (h.window_samples < 20 || !h.items[WP_CHECK_ERROR_RATE].failing)
		fail_msg("20 failures 1 s into a 60 s window: window_samples "
			 "%llu, error-rate check: %s",
			 (unsigned long long)h.window_samples,
			 h.items[WP_CHECK_ERROR_RATE].text);
	bt_finish(p, &R);
	end();
}

/* The window is time (health_error_window_ms, 60 s here), not a number of
 * checker ticks: with 1 ms intervals, hundreds of ticks later the outcomes
 * of a moment ago still count. */
static void
test_health_error_window_is_time(void **state)
{
	struct wp_config cfg;
	struct wp_health h;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.monitor_interval_ms = 1;
	cfg.health_interval_ms = 1;
	cfg.task_queue_cap = 32;
	cfg.error_queue_cap = 32;
	cfg.health_error_min_samples = 10;
	p = bt_pool(&cfg, &R, true);
	BT_EVENTUALLY(atomic_load(&R.nhealth) >= 5);
	for (int i = 0; i < 20; i++)
		bt_go(p, BT_FAIL, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	BT_EVENTUALLY(bt_h(p).window_samples >= 20);
	BT_EVENTUALLY(atomic_load(&R.nhealth) >= 400);
	h = bt_h(p);
	if (h.window_samples < 20 || !h.items[WP_CHECK_ERROR_RATE].failing)
		fail_msg("400 ticks after 20 failures, inside a 60 s window: "
			 "window_samples %llu, error-rate check: %s",
			 (unsigned long long)h.window_samples,
			 h.items[WP_CHECK_ERROR_RATE].text);
	bt_finish(p, &R);
	end();
}

/* A task running longer than health_stuck_ms is stuck until it ends. */
static void
test_health_stuck(void **state)
{
	struct wp_config cfg;
	struct wp_health h;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.health_stuck_ms = 50;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_failing(p, WP_CHECK_STUCK));
	h = bt_h(p);
	assert_true(h.items[WP_CHECK_STUCK].value >= 1.0);
	assert_int_equal(bt_m(p).stuck, 1);
	atomic_store(&bt_w.gate, 1);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	BT_EVENTUALLY(!bt_failing(p, WP_CHECK_STUCK));
	assert_int_equal(bt_m(p).stuck, 0);
	bt_finish(p, &R);
	end();
}

/* Several failing checks at once: all listed, nfailing counts them. */
static void
test_health_lists_every_failing_check(void **state)
{
	struct wp_config cfg;
	struct wp_health h;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 4;
	cfg.health_heap_bytes = 1;
	cfg.health_threads_factor = 1;
	cfg.health_backlog_factor = 1;
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_pool_pause(p), 0);
	for (int i = 0; i < 3; i++)
		bt_go(p, BT_NOOP, 0);
	m = bt_m(p);
	h = bt_h(p);
	/* Sanitizers replace malloc: mallinfo2() may then read 0. */
	if (m.proc_heap_inuse_bytes > 1) {
		assert_true(h.items[WP_CHECK_HEAP].failing);
		/* The unit is the pool's choice (bytes, MB...). */
		assert_true(h.items[WP_CHECK_HEAP].threshold > 0);
		assert_true(h.items[WP_CHECK_HEAP].value >
			    h.items[WP_CHECK_HEAP].threshold);
	}
	assert_true(h.items[WP_CHECK_THREADS].failing);
	assert_true(h.items[WP_CHECK_THREADS].threshold == 1.0);
	assert_true(h.items[WP_CHECK_THREADS].value > 1.0);
	assert_true(h.items[WP_CHECK_THREADS].value <= m.proc_threads + 8.0);
	assert_true(h.items[WP_CHECK_BACKLOG].failing);
	assert_true(h.items[WP_CHECK_BACKLOG].value == 3.0);
	assert_false(h.healthy);
	assert_true(h.nfailing >= 2);
	assert_int_equal(h.nfailing, count_failing(&h));
	for (int i = 0; i < WP_HEALTH_CHECKS; i++)
		if (h.items[i].failing) {
			assert_true(h.items[i].since_ns > 0);
			assert_true(h.items[i].text[0] != '\0');
			assert_true(h.items[i].value > h.items[i].threshold);
		}
	assert_int_equal(wp_pool_resume(p), 0);
	bt_finish(p, &R);
	end();
}

/* Published snapshot, on_health callback, a HEALTH event when the overall
 * state changes, and the capacity-1 mailbox. */
static void
test_health_published_event_mailbox(void **state)
{
	struct wp_config cfg;
	struct wp_health h;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	/* Two workers: with one, the pool's own seven threads exceed the
	 * default 5 x workers thread limit. */
	cfg.task_queue_cap = 4;
	cfg.health_backlog_factor = 1;
	p = bt_pool(&cfg, &R, false);
	assert_int_equal(wp_pool_health_published(p, &h), WP_EAGAIN);
	assert_int_equal(wp_pool_health_take(p, &h), WP_EAGAIN);
	assert_int_equal(wp_pool_start(p), 0);
	BT_EVENTUALLY(wp_pool_health_published(p, &h) == 0);
	expect_healthy(&h);
	BT_EVENTUALLY(atomic_load(&R.nhealth) >= 1);
	BT_EVENTUALLY(wp_pool_health_take(p, &h) == 0);

	assert_int_equal(wp_pool_pause(p), 0);
	for (int i = 0; i < 3; i++)
		bt_go(p, BT_NOOP, 0);
	BT_EVENTUALLY(wp_pool_health_published(p, &h) == 0 && !h.healthy);
	assert_true(h.items[WP_CHECK_BACKLOG].failing);
	BT_EVENTUALLY(bt_count_events(p, WP_EV_HEALTH) >= 1);
	BT_EVENTUALLY(bt_nevents_cb(&R, WP_EV_HEALTH) >= 1);

	/* Once the checker stops, the mailbox empties and stays empty. */
	assert_int_equal(wp_pool_stop_health(p), 0);
	BT_EVENTUALLY(!bt_m(p).health_alive);
	(void)wp_pool_health_take(p, &h);
	assert_int_equal(wp_pool_health_take(p, &h), WP_EAGAIN);
	assert_int_equal(wp_pool_resume(p), 0);
	bt_finish(p, &R);
	end();
}

/* Orphans are judged against the cap (header: "orphans >= orphan cap"):
 * one orphan under a cap of two is not failing; two are. */
static void
test_health_orphans_against_cap(void **state)
{
	struct wp_config cfg;
	struct wp_health h;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_timeout_ms = 30;
	cfg.orphan_cap = 2;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_HANG, 0);
	BT_EVENTUALLY(bt_m(p).orphans == 1);
	h = bt_h(p);
	assert_true(h.items[WP_CHECK_ORPHANS].value == 1.0);
	assert_true(h.items[WP_CHECK_ORPHANS].threshold == 2.0);
	if (h.items[WP_CHECK_ORPHANS].failing)
		fail_msg("orphans failing with 1 orphan and a cap of 2: %s",
			 h.items[WP_CHECK_ORPHANS].text);
	bt_go(p, BT_HANG, 0);
	BT_EVENTUALLY(bt_m(p).orphans == 2);
	assert_true(bt_failing(p, WP_CHECK_ORPHANS));
	atomic_store(&bt_w.release, 1);
	BT_EVENTUALLY(bt_m(p).orphans == 0);
	BT_EVENTUALLY(!bt_failing(p, WP_CHECK_ORPHANS));
	bt_finish(p, &R);
	end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_health_healthy_at_rest),
		BT_TEST(test_health_backlog_counts_blocked_submitters),
		BT_TEST(test_health_error_rate_min_samples),
		BT_TEST(test_health_error_rate_counts_early_outcomes),
		BT_TEST(test_health_error_window_is_time),
		BT_TEST(test_health_stuck),
		BT_TEST(test_health_lists_every_failing_check),
		BT_TEST(test_health_published_event_mailbox),
		BT_TEST(test_health_orphans_against_cap),
	};
	return cmocka_run_group_tests_name("health", tests, NULL, NULL);
}
