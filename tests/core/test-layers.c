/*
 * test-layers.c - the seven layer signals (S1.1, S2): each alone with its
 * effect on every thread class, every ordered pair (7 x 6, as a loop), and
 * random orders of all seven on a busy pool.
 *
 * Each signal fires once (WP_EALREADY after), from any thread, and only
 * after start (WP_ESTATE before).  Whatever the order, the ordered stop
 * that follows is clean and nothing accepted is lost.
 */
#include "wpbt.h"

static void
expect_fired(wp_pool *p, const bool want[WP_SIG_COUNT])
{
	struct wp_signal_state st[WP_SIG_COUNT];
	memset(st, 0, sizeof st);
	wp_pool_signals(p, st);
	for (int s = 0; s < WP_SIG_COUNT; s++) {
		if (st[s].fired != want[s])
			fail_msg("[%s] signal %s fired=%d, want %d", bt_label,
				 wp_signal_name(s), st[s].fired, want[s]);
		if (want[s] && st[s].at_ns <= 0)
			fail_msg("[%s] signal %s fired without a time",
				 bt_label, wp_signal_name(s));
		if (!want[s] && st[s].at_ns != 0)
			fail_msg("[%s] signal %s has a time but did not fire",
				 bt_label, wp_signal_name(s));
	}
}

static void
test_signal_names_and_layers(void **state)
{
	static const char *const names[WP_SIG_COUNT] = {
		"cancel",      "shutdown",      "stop-monitor", "stop-health",
		"close-tasks", "close-results", "close-errors",
	};
	static const int layers[WP_SIG_COUNT] = {1, 2, 2, 2, 3, 3, 3};
	for (int s = 0; s < WP_SIG_COUNT; s++) {
		assert_string_equal(wp_signal_name(s), names[s]);
		assert_int_equal(wp_signal_layer(s), layers[s]);
	}
}

/* Before start every signal is WP_ESTATE and nothing is marked fired. */
static void
test_signals_before_start(void **state)
{
	struct wp_config cfg;
	bool none[WP_SIG_COUNT] = {0};
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, false);
	for (int s = 0; s < WP_SIG_COUNT; s++) {
		assert_int_equal(wp_pool_signal(p, s), WP_ESTATE);
		assert_int_equal(bt_sigfn[s](p), WP_ESTATE);
	}
	assert_int_equal(wp_pool_signal(p, WP_SIG_COUNT), WP_EINVAL);
	assert_int_equal(wp_pool_signal(p, (enum wp_signal)-1), WP_EINVAL);
	expect_fired(p, none);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

struct firer {
	wp_pool *p;
	int sig;
	atomic_int rc;
};

static void *
firer_main(void *arg)
{
	struct firer *f = arg;
	atomic_store(&f->rc, wp_pool_signal(f->p, f->sig));
	return NULL;
}

/* Each signal fires once, from any thread: the second call, by either
 * entry point, is WP_EALREADY. */
static void
test_signals_fire_once_any_thread(void **state)
{
	struct wp_config cfg;
	bool want[WP_SIG_COUNT] = {0};
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	for (int s = 0; s < WP_SIG_COUNT; s++) {
		struct firer f = {.p = p, .sig = s};
		pthread_t t = bt_spawn(firer_main, &f);
		pthread_join(t, NULL);
		assert_int_equal(atomic_load(&f.rc), 0);
		assert_int_equal(bt_sigfn[s](p), WP_EALREADY);
		assert_int_equal(wp_pool_signal(p, s), WP_EALREADY);
		want[s] = true;
		expect_fired(p, want);
	}
	assert_int_equal(wp_pool_signal(p, WP_SIG_COUNT), WP_EINVAL);
	bt_finish(p, &R);
	end();
}

/* cancel: running tasks see their context done (wp_ctx_sleep returns
 * early with WP_ECANCELED), queued tasks end CANCELLED with never_ran and
 * free_fn, admission closes, every thread exits after delivering. */
static void
test_cancel_alone(void **state)
{
	struct wp_config cfg;
	const struct wp_stop_report *rep = NULL;
	bool want[WP_SIG_COUNT] = {[WP_SIG_CANCEL] = true};
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 8;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	bt_go_to(p, BT_SLEEP, 60000, WP_TIMEOUT_NONE);
	BT_EVENTUALLY(bt_started() == 2);
	for (int i = 0; i < 5; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_cancel(p), 0);
	assert_int_equal(wp_pool_signal(p, WP_SIG_CANCEL), WP_EALREADY);
	expect_fired(p, want);
	assert_false(wp_pool_is_accepting(p));
	assert_int_equal(bt_submit(p, BT_NOOP, 0, 0, NULL), WP_ECLOSED);

	BT_EVENTUALLY(atomic_load(&bt_w.saw_canceled) == 1);
	BT_EVENTUALLY(atomic_load(&bt_w.sleep_canceled) == 1);
	BT_EVENTUALLY(bt_nnever(&R) == 5);
	assert_int_equal(atomic_load(&bt_w.freed), 5);
	assert_int_equal(bt_started(), 2); /* queued tasks never started */
	BT_EVENTUALLY(bt_m(p).workers_alive == 0);
	BT_EVENTUALLY(!bt_m(p).monitor_alive);
	BT_EVENTUALLY(!bt_m(p).health_alive);
	BT_EVENTUALLY(bt_nres(&R) == 7);
	BT_EVENTUALLY(!bt_m(p).results_alive && !bt_m(p).errors_alive);

	assert_int_equal(wp_pool_stop(p, &rep), 0);
	assert_non_null(rep);
	assert_true(rep->phase_already[WP_PHASE_CANCEL]);
	assert_false(rep->phase_already[WP_PHASE_SHUTDOWN]);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* shutdown: admission closes, queued tasks are cancelled, running tasks
 * finish (not cancelled) and workers exit; other threads stay. */
static void
test_shutdown_alone(void **state)
{
	struct wp_config cfg;
	const struct wp_stop_report *rep = NULL;
	bool want[WP_SIG_COUNT] = {[WP_SIG_SHUTDOWN] = true};
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 8;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 2);
	for (int i = 0; i < 4; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_shutdown(p), 0);
	assert_int_equal(wp_pool_signal(p, WP_SIG_SHUTDOWN), WP_EALREADY);
	expect_fired(p, want);
	assert_int_equal(bt_submit(p, BT_NOOP, 0, 0, NULL), WP_ECLOSED);
	BT_EVENTUALLY(bt_nnever(&R) == 4);
	assert_int_equal(atomic_load(&bt_w.freed), 4);
	m = bt_m(p);
	assert_int_equal(m.workers_busy, 2);
	assert_true(m.monitor_alive);
	assert_true(m.health_alive);
	assert_true(m.results_alive);
	assert_true(m.errors_alive);
	assert_true(m.watchdog_alive);
	assert_int_equal(atomic_load(&bt_w.saw_done), 0);

	atomic_store(&bt_w.gate, 1);
	BT_EVENTUALLY(bt_nout(&R, WP_OUTCOME_COMPLETED) == 2);
	BT_EVENTUALLY(bt_m(p).workers_alive == 0);
	assert_int_equal(atomic_load(&bt_w.saw_done), 0);
	m = bt_m(p);
	assert_true(m.monitor_alive);
	assert_true(m.health_alive);
	assert_true(m.results_alive);

	assert_int_equal(wp_pool_stop(p, &rep), 0);
	assert_true(rep->phase_already[WP_PHASE_SHUTDOWN]);
	assert_false(rep->phase_already[WP_PHASE_CANCEL]);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* stop-monitor: only the monitor exits; its published snapshot and the
 * metrics callback stop changing; everything else keeps working. */
static void
test_stop_monitor_alone(void **state)
{
	struct wp_config cfg;
	const struct wp_stop_report *rep = NULL;
	bool want[WP_SIG_COUNT] = {[WP_SIG_STOP_MONITOR] = true};
	struct wp_metrics a, b, m;
	unsigned ncb;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 16;
	p = bt_pool(&cfg, &R, true);
	BT_EVENTUALLY(wp_pool_metrics_published(p, &a) == 0);
	BT_EVENTUALLY(atomic_load(&R.nmetrics) >= 1);
	assert_int_equal(wp_pool_stop_monitor(p), 0);
	assert_int_equal(wp_pool_stop_monitor(p), WP_EALREADY);
	expect_fired(p, want);
	BT_EVENTUALLY(!bt_m(p).monitor_alive);
	assert_int_equal(wp_pool_metrics_published(p, &a), 0);
	ncb = atomic_load(&R.nmetrics);
	/* Observation of absence: several monitor intervals pass. */
	wpt_sleep_ms(5 * (unsigned)cfg.monitor_interval_ms);
	assert_int_equal(wp_pool_metrics_published(p, &b), 0);
	assert_true(a.at_ns == b.at_ns);
	assert_int_equal(atomic_load(&R.nmetrics), ncb);

	m = bt_m(p);
	assert_true(m.health_alive);
	assert_true(m.results_alive);
	assert_true(m.errors_alive);
	assert_true(m.watchdog_alive);
	assert_int_equal(m.workers_alive, 2);
	assert_true(wp_pool_is_accepting(p));
	for (int i = 0; i < 5; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 5);

	assert_int_equal(wp_pool_stop(p, &rep), 0);
	assert_true(rep->phase_already[WP_PHASE_MONITOR]);
	assert_false(rep->phase_already[WP_PHASE_HEALTH]);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* stop-health: only the health checker exits. */
static void
test_stop_health_alone(void **state)
{
	struct wp_config cfg;
	const struct wp_stop_report *rep = NULL;
	bool want[WP_SIG_COUNT] = {[WP_SIG_STOP_HEALTH] = true};
	struct wp_health a, b;
	struct wp_metrics m;
	unsigned ncb;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 16;
	p = bt_pool(&cfg, &R, true);
	BT_EVENTUALLY(wp_pool_health_published(p, &a) == 0);
	BT_EVENTUALLY(atomic_load(&R.nhealth) >= 1);
	assert_int_equal(wp_pool_stop_health(p), 0);
	assert_int_equal(wp_pool_signal(p, WP_SIG_STOP_HEALTH), WP_EALREADY);
	expect_fired(p, want);
	BT_EVENTUALLY(!bt_m(p).health_alive);
	assert_int_equal(wp_pool_health_published(p, &a), 0);
	ncb = atomic_load(&R.nhealth);
	wpt_sleep_ms(5 * (unsigned)cfg.health_interval_ms);
	assert_int_equal(wp_pool_health_published(p, &b), 0);
	assert_true(a.at_ns == b.at_ns);
	assert_int_equal(atomic_load(&R.nhealth), ncb);

	m = bt_m(p);
	assert_true(m.monitor_alive);
	assert_true(m.results_alive);
	assert_true(m.errors_alive);
	assert_int_equal(m.workers_alive, 2);
	for (int i = 0; i < 5; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 5);

	assert_int_equal(wp_pool_stop(p, &rep), 0);
	assert_true(rep->phase_already[WP_PHASE_HEALTH]);
	assert_false(rep->phase_already[WP_PHASE_MONITOR]);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* close-tasks: admission closes; workers drain every queued task, then
 * exit; nothing is cancelled. */
static void
test_close_tasks_alone(void **state)
{
	struct wp_config cfg;
	bool want[WP_SIG_COUNT] = {[WP_SIG_CLOSE_TASKS] = true};
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 8;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 1);
	for (int i = 0; i < 5; i++)
		bt_go(p, BT_RECORD, 0);
	assert_int_equal(wp_pool_close_tasks(p), 0);
	assert_int_equal(wp_pool_close_tasks(p), WP_EALREADY);
	expect_fired(p, want);
	assert_int_equal(bt_submit(p, BT_NOOP, 0, 0, NULL), WP_ECLOSED);
	assert_int_equal(bt_m(p).task_queued, 5);
	atomic_store(&bt_w.gate, 1);
	BT_EVENTUALLY(bt_nout(&R, WP_OUTCOME_COMPLETED) == 6);
	BT_EVENTUALLY(bt_m(p).workers_alive == 0);
	assert_int_equal(bt_started(), 6);
	assert_int_equal(bt_nnever(&R), 0);
	assert_int_equal(atomic_load(&bt_w.freed), 0);
	m = bt_m(p);
	assert_true(m.monitor_alive);
	assert_true(m.results_alive);
	bt_finish(p, &R);
	end();
}

/* close-results: the handler drains and exits; later results are still
 * delivered, inline, one at a time, and counted in results_direct. */
static void
test_close_results_alone(void **state)
{
	struct wp_config cfg;
	bool want[WP_SIG_COUNT] = {[WP_SIG_CLOSE_RESULTS] = true};
	struct wp_metrics m;
	wp_pool *p;

	begin();
	R.result_sleep_ms = 1; /* widens any overlap window */
	bt_cfg(&cfg, &R);
	cfg.workers = 3;
	cfg.task_queue_cap = 32;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 4; i++)
		bt_go(p, BT_NOOP, 0);
	BT_EVENTUALLY(bt_nres(&R) == 4);
	assert_int_equal(wp_pool_close_results(p), 0);
	assert_int_equal(wp_pool_close_results(p), WP_EALREADY);
	expect_fired(p, want);
	BT_EVENTUALLY(!bt_m(p).results_alive);
	assert_true(wp_pool_is_accepting(p));
	for (int i = 0; i < 20; i++)
		bt_go(p, BT_NOOP, 0);
	BT_EVENTUALLY(bt_nres(&R) == 24);
	m = bt_m(p);
	assert_int_equal(m.results_direct, 20);
	assert_int_equal(m.workers_alive, 3);
	assert_true(m.errors_alive);
	assert_true(m.monitor_alive);
	assert_false(atomic_load(&R.overlap_r));
	bt_finish(p, &R);
	end();
}

/* close-errors: the error handler drains and exits; later error entries
 * are dropped and counted. */
static void
test_close_errors_alone(void **state)
{
	struct wp_config cfg;
	bool want[WP_SIG_COUNT] = {[WP_SIG_CLOSE_ERRORS] = true};
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_FAIL, 0);
	bt_go(p, BT_FAIL, 0);
	BT_EVENTUALLY(bt_nerr(&R) == 2);
	assert_int_equal(wp_pool_close_errors(p), 0);
	assert_int_equal(wp_pool_close_errors(p), WP_EALREADY);
	expect_fired(p, want);
	BT_EVENTUALLY(!bt_m(p).errors_alive);
	for (int i = 0; i < 3; i++)
		bt_go(p, BT_FAIL, 0);
	BT_EVENTUALLY(bt_nout(&R, WP_OUTCOME_FAILED) == 5);
	BT_EVENTUALLY(bt_m(p).errors_dropped == 3);
	m = bt_m(p);
	assert_true(m.results_alive);
	assert_int_equal(m.workers_alive, 2);
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	assert_int_equal(bt_nerr(&R), 2);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* One ordered pair (a then b) on a pool with two running tasks and three
 * queued ones; checks each signal's effect and a clean stop after. */
static void
run_pair(int a, int b)
{
	struct wp_config cfg;
	const struct wp_stop_report *rep = NULL;
	bool has[WP_SIG_COUNT] = {0};
	bool closed, cancel, shut;
	struct wp_metrics m;
	wp_pool *p;
	int rc;

	begin();
	snprintf(bt_label, sizeof bt_label, "pair %s then %s",
		 wp_signal_name(a), wp_signal_name(b));
	has[a] = has[b] = true;
	cancel = has[WP_SIG_CANCEL];
	shut = has[WP_SIG_SHUTDOWN];
	closed = cancel || shut || has[WP_SIG_CLOSE_TASKS];

	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 8;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 2);
	for (int i = 0; i < 3; i++)
		bt_go(p, BT_NOOP, 0);

#define PCHECK(cond)                                                           \
	do {                                                                   \
		if (!(cond))                                                   \
			fail_msg("[%s] line %d: %s", bt_label, __LINE__,       \
				 #cond);                                       \
	} while (0)
	PCHECK(bt_sigfn[a](p) == 0);
	PCHECK(wp_pool_signal(p, b) == 0);
	PCHECK(wp_pool_signal(p, a) == WP_EALREADY);
	PCHECK(bt_sigfn[b](p) == WP_EALREADY);
	expect_fired(p, has);
	PCHECK(wp_pool_is_accepting(p) == !closed);
	rc = bt_submit(p, BT_NOOP, 0, 0, NULL);
	PCHECK(rc == (closed ? WP_ECLOSED : 0));

	if (cancel)
		BT_EVENTUALLY(atomic_load(&bt_w.saw_canceled) == 2);
	if (cancel || shut) {
		BT_EVENTUALLY(bt_nnever(&R) == 3);
		PCHECK(atomic_load(&bt_w.freed) == 3);
	}
	if (cancel || has[WP_SIG_STOP_MONITOR])
		BT_EVENTUALLY(!bt_m(p).monitor_alive);
	if (cancel || has[WP_SIG_STOP_HEALTH])
		BT_EVENTUALLY(!bt_m(p).health_alive);
	if (has[WP_SIG_CLOSE_RESULTS])
		BT_EVENTUALLY(!bt_m(p).results_alive);
	if (has[WP_SIG_CLOSE_ERRORS])
		BT_EVENTUALLY(!bt_m(p).errors_alive);
	m = bt_m(p);
	if (!cancel) {
		PCHECK(atomic_load(&bt_w.saw_done) == 0);
		PCHECK(m.monitor_alive == !has[WP_SIG_STOP_MONITOR]);
		PCHECK(m.health_alive == !has[WP_SIG_STOP_HEALTH]);
		PCHECK(m.workers_busy == 2);
	}
	if (!has[WP_SIG_CLOSE_RESULTS] && !cancel)
		PCHECK(m.results_alive);
	if (!has[WP_SIG_CLOSE_ERRORS] && !cancel)
		PCHECK(m.errors_alive);

	atomic_store(&bt_w.gate, 1);
	if (!cancel && !shut) {
		unsigned want_done = 5 + (closed ? 0 : 1);
		BT_EVENTUALLY(bt_nout(&R, WP_OUTCOME_COMPLETED) == want_done);
		PCHECK(bt_nnever(&R) == 0);
	} else if (!cancel) {
		BT_EVENTUALLY(bt_nout(&R, WP_OUTCOME_COMPLETED) == 2);
	}
	if (closed)
		BT_EVENTUALLY(bt_m(p).workers_alive == 0);
	else
		PCHECK(bt_m(p).workers_alive == 2);

	rc = wp_pool_stop(p, &rep);
	PCHECK(rc == 0);
	PCHECK(rep != NULL);
	PCHECK(!rep->forced);
	PCHECK(rep->phase_already[WP_PHASE_SHUTDOWN] == shut);
	PCHECK(rep->phase_already[WP_PHASE_MONITOR] ==
	       has[WP_SIG_STOP_MONITOR]);
	PCHECK(rep->phase_already[WP_PHASE_HEALTH] ==
	       has[WP_SIG_STOP_HEALTH]);
	PCHECK(rep->phase_already[WP_PHASE_CANCEL] == cancel);
#undef PCHECK
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* Every ordered pair of distinct signals: 7 x 6 = 42. */
static void
test_signal_pairs(void **state)
{
	int n = 0;
	for (int a = 0; a < WP_SIG_COUNT; a++)
		for (int b = 0; b < WP_SIG_COUNT; b++)
			if (a != b) {
				run_pair(a, b);
				n++;
			}
	assert_int_equal(n, 42);
}

/* ------------------------------------------------------------------------
 * All seven in random orders, fired from another thread, while a third
 * thread keeps submitting a mix of work.
 */
struct busy {
	wp_pool *p;
	uint64_t seed;
	atomic_int stop;
	unsigned calls, accepted;
	int unexpected; /* an rc other than 0 / EFULL / ECLOSED */
};

static void *
busy_main(void *arg)
{
	struct busy *b = arg;
	uint64_t s = b->seed;

	while (!atomic_load(&b->stop) && b->calls < 3000) {
		unsigned r = bt_rand_below(&s, 100);
		int rc;
		if (r < 50)
			rc = bt_submit(b->p, BT_NOOP, 0, 0, NULL);
		else if (r < 75)
			rc = bt_submit(b->p, BT_SLEEP, 1 + r % 3, 0, NULL);
		else if (r < 85)
			rc = bt_submit(b->p, BT_FAIL, 0, 0, NULL);
		else if (r < 90)
			rc = bt_submit(b->p, BT_PANIC, 0, 0, NULL);
		else
			rc = bt_submit_opts(b->p, BT_SLEEP, 5, 0, r % 10, 2,
					    false, 0, NULL);
		b->calls++;
		if (rc == 0)
			b->accepted++;
		else if (rc == WP_ECLOSED)
			break;
		else if (rc == WP_EFULL)
			wpt_sleep_ms(r % 2);
		else
			b->unexpected = rc;
	}
	return NULL;
}

struct order {
	wp_pool *p;
	uint64_t seed;
	int sig[WP_SIG_COUNT];
	int rc[WP_SIG_COUNT];
	atomic_int done;
};

static void *
order_main(void *arg)
{
	struct order *o = arg;
	uint64_t s = o->seed ^ 0x5bd1e995u;
	for (int i = 0; i < WP_SIG_COUNT; i++) {
		wpt_sleep_ms(bt_rand_below(&s, 4));
		o->rc[i] = wp_pool_signal(o->p, o->sig[i]);
	}
	atomic_store(&o->done, 1);
	return NULL;
}

static void
run_random_order(uint64_t seed)
{
	struct wp_config cfg;
	const struct wp_stop_report *rep = NULL;
	struct busy b = {0};
	struct order o = {0};
	bool all[WP_SIG_COUNT];
	struct wp_metrics m;
	pthread_t tb, to;
	uint64_t s = seed;
	char names[128] = "";
	int rc;

	begin();
	for (int i = 0; i < WP_SIG_COUNT; i++) {
		o.sig[i] = i;
		all[i] = true;
	}
	for (int i = WP_SIG_COUNT - 1; i > 0; i--) {
		int j = (int)bt_rand_below(&s, (unsigned)i + 1), t = o.sig[i];
		o.sig[i] = o.sig[j];
		o.sig[j] = t;
	}
	for (int i = 0; i < WP_SIG_COUNT; i++) {
		strcat(names, wp_signal_name(o.sig[i]));
		strcat(names, i + 1 < WP_SIG_COUNT ? "," : "");
	}
	snprintf(bt_label, sizeof bt_label, "seed %llu order %s",
		 (unsigned long long)seed, names);

	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 8;
	b.p = bt_pool(&cfg, &R, true);
	b.seed = seed;
	o.p = b.p;
	o.seed = seed;
	tb = bt_spawn(busy_main, &b);
	wpt_sleep_ms(2); /* let work start flowing (not a synchronisation) */
	to = bt_spawn(order_main, &o);
	while (!atomic_load(&o.done)) {
		m = bt_m(b.p);
		if (m.completed + m.failed + m.timed_out + m.cancelled >
		    m.accepted)
			fail_msg("[%s] snapshot: more finished than accepted",
				 bt_label);
	}
	pthread_join(to, NULL);
	atomic_store(&b.stop, 1);
	pthread_join(tb, NULL);
	for (int i = 0; i < WP_SIG_COUNT; i++)
		if (o.rc[i] != 0)
			fail_msg("[%s] signal %s: %s", bt_label,
				 wp_signal_name(o.sig[i]), wp_err_name(o.rc[i]));
	for (int i = 0; i < WP_SIG_COUNT; i++)
		if (wp_pool_signal(b.p, i) != WP_EALREADY)
			fail_msg("[%s] %s fired twice", bt_label,
				 wp_signal_name(i));
	expect_fired(b.p, all);
	if (b.unexpected != 0)
		fail_msg("[%s] submit: %s", bt_label,
			 wp_err_name(b.unexpected));
	BT_EVENTUALLY(bt_m(b.p).workers_alive == 0);
	BT_EVENTUALLY(!bt_m(b.p).monitor_alive && !bt_m(b.p).health_alive);
	BT_EVENTUALLY(!bt_m(b.p).results_alive && !bt_m(b.p).errors_alive);

	rc = wp_pool_stop(b.p, &rep);
	if (rc != 0)
		fail_msg("[%s] stop: %s", bt_label, wp_err_name(rc));
	if (!rep->phase_already[WP_PHASE_SHUTDOWN] ||
	    !rep->phase_already[WP_PHASE_MONITOR] ||
	    !rep->phase_already[WP_PHASE_HEALTH] ||
	    !rep->phase_already[WP_PHASE_CANCEL])
		fail_msg("[%s] report does not show the signals as already "
			 "fired",
			 bt_label);
	bt_check_final(b.p, &R);
	m = bt_m(b.p);
	if (m.submitted != b.calls || m.accepted != b.accepted)
		fail_msg("[%s] submitted %llu/%u accepted %llu/%u", bt_label,
			 (unsigned long long)m.submitted, b.calls,
			 (unsigned long long)m.accepted, b.accepted);
	assert_int_equal(bt_destroy(b.p), 0);
	end();
}

static void
test_random_orders_busy(void **state)
{
	uint64_t seed = bt_seed();
	print_message("test-layers: random orders, seed %llu (WP_SEED=...)\n",
		      (unsigned long long)seed);
	for (int i = 0; i < 30; i++)
		run_random_order(seed + (uint64_t)i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_signal_names_and_layers),
		BT_TEST(test_signals_before_start),
		BT_TEST(test_signals_fire_once_any_thread),
		BT_TEST(test_cancel_alone),
		BT_TEST(test_shutdown_alone),
		BT_TEST(test_stop_monitor_alone),
		BT_TEST(test_stop_health_alone),
		BT_TEST(test_close_tasks_alone),
		BT_TEST(test_close_results_alone),
		BT_TEST(test_close_errors_alone),
		BT_TEST(test_signal_pairs),
		BT_TEST(test_random_orders_busy),
	};
	return cmocka_run_group_tests_name("layers", tests, NULL, NULL);
}
