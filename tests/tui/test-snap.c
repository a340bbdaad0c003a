/*
 * test-snap.c - tui/snap.c against a real pool: published snapshots, the
 * freeze when the monitor or health checker stops, layer firings in the
 * event log, and the stop view from phases to verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define WPTUI_INTERNAL
#include "tui.h"

#define CEILING_MS 20000

static struct tui_gather g;
static struct tui_snap s;
static struct tui_log lg;
static atomic_bool release;

static void
nap(void)
{
	struct timespec ts = {0, 5000000};

	nanosleep(&ts, NULL);
}

/* Gathers until pred holds (true) or the ceiling passes (false). */
static bool
gather_until(wp_pool *p, bool (*pred)(void))
{
	for (int i = 0; i < CEILING_MS / 5; i++) {
		tui_gather(&g, p, &s, &lg);
		if (pred())
			return true;
		nap();
	}
	return false;
}

static bool
has_pub(void)
{
	return s.have_pub && s.have_health && s.nspark >= 2;
}

static bool
frozen(void)
{
	return s.pub_frozen && s.health_frozen;
}

static bool
stop_done(void)
{
	return s.stop.done;
}

static bool
busy2(void)
{
	return s.have_live && s.live.workers_busy == 2;
}

static bool
log_has(const char *needle)
{
	for (unsigned i = 0; i < lg.n; i++)
		if (strstr(tui_log_at(&lg, i)->text, needle) != NULL)
			return true;
	return false;
}

static int
quick(wp_ctx *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	return 0;
}

/* Ignores its context until released: a thread the stop must leave. */
static int
stubborn(wp_ctx *ctx, void *arg)
{
	struct timespec ts = {0, 2000000};

	(void)ctx;
	(void)arg;
	while (!atomic_load(&release))
		nanosleep(&ts, NULL);
	return 0;
}

static wp_pool *
make_pool(void)
{
	struct wp_config cfg;
	wp_pool *p = NULL;

	wp_config_init(&cfg);
	cfg.workers = 2;
	cfg.monitor_interval_ms = 20;
	cfg.health_interval_ms = 20;
	cfg.stop_timeout_ms = 300;
	cfg.task_timeout_ms = 0;
	assert_int_equal(wp_pool_create(&cfg, &p), 0);
	assert_int_equal(wp_pool_start(p), 0);
	return p;
}

static void
test_freeze_when_monitor_and_health_stop(void **state)
{
	wp_pool *p = make_pool();
	int64_t pub_at;

	(void)state;
	tui_gather_reset(&g);
	assert_int_equal(tui_log_init(&lg, 500), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(
		    wp_submit_wait(p, quick, NULL, NULL, CEILING_MS, NULL), 0);
	assert_true(gather_until(p, has_pub));
	assert_true(s.have_pool);
	assert_int_equal(s.state, WP_STATE_RUNNING);
	assert_int_equal(s.workers_opt, 2);
	assert_int_equal(s.stop_timeout_ms, 300);
	assert_false(s.pub_frozen);
	assert_false(s.health_frozen);
	assert_true(s.live.monitor_alive);

	assert_int_equal(wp_pool_stop_monitor(p), 0);
	assert_int_equal(wp_pool_stop_health(p), 0);
	assert_true(gather_until(p, frozen));
	assert_int_equal(s.pub_frozen_ns,
			 s.sig[WP_SIG_STOP_MONITOR].at_ns);
	assert_int_equal(s.health_frozen_ns, s.sig[WP_SIG_STOP_HEALTH].at_ns);
	/* Frozen means frozen: more work, the same published snapshot. */
	pub_at = s.pub.at_ns;
	for (int i = 0; i < 20; i++)
		assert_int_equal(
		    wp_submit_wait(p, quick, NULL, NULL, CEILING_MS, NULL), 0);
	assert_int_equal(wp_pool_wait_idle(p, CEILING_MS), 0);
	tui_gather(&g, p, &s, &lg);
	assert_int_equal(s.pub.at_ns, pub_at);
	assert_true(s.live.completed >= 40); /* the fresh read moved on */
	assert_true(log_has("signal"));

	assert_int_equal(wp_pool_stop(p, NULL), 0);
	assert_true(gather_until(p, stop_done));
	assert_true(s.stop.seen);
	assert_false(s.stop.forced);
	assert_true(s.stop.nphases >= 5);
	assert_string_equal(s.stop.phase[0].name,
			    wp_stop_phase_name(WP_PHASE_CLOSED));
	assert_int_equal(s.stop.nalive, 0);
	wp_pool_destroy(p);
	/* No pool: an empty view, no crash. */
	tui_gather_reset(&g);
	tui_gather(&g, NULL, &s, &lg);
	assert_false(s.have_pool);
	tui_log_free(&lg);
}

static void
test_forced_stop_names_who_was_left(void **state)
{
	wp_pool *p = make_pool();
	bool named = false;

	(void)state;
	atomic_store(&release, false);
	tui_gather_reset(&g);
	assert_int_equal(tui_log_init(&lg, 500), 0);
	assert_int_equal(wp_submit(p, stubborn, NULL, NULL, NULL), 0);
	assert_int_equal(wp_submit(p, stubborn, NULL, NULL, NULL), 0);
	assert_true(gather_until(p, busy2));
	assert_int_equal(wp_pool_stop(p, NULL), WP_EFORCED);
	assert_true(gather_until(p, stop_done));
	assert_true(s.stop.forced);
	assert_int_equal(s.stop.bound_ms, 300);
	assert_true(s.stop.total_ms >= 300);
	assert_true(s.stop.nalive >= 1);
	for (unsigned i = 0; i < s.stop.nalive; i++) {
		if (strstr(s.stop.alive[i], "wp-") != NULL)
			named = true;
	}
	assert_true(named);
	assert_true(s.state == WP_STATE_FORCED);
	atomic_store(&release, true);
	wp_pool_destroy(p);
	tui_log_free(&lg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_freeze_when_monitor_and_health_stop),
		cmocka_unit_test(test_forced_stop_names_who_was_left),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
