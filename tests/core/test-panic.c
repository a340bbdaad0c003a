/*
 * test-panic.c - panics and contained crashes (S5.1).
 *
 * A wp_panic() in a task fails that task (panicked, message kept), reports
 * an error entry and an event, and the pool never shrinks.  With
 * contain_crashes, a task raising SIGSEGV, SIGFPE, SIGBUS, SIGILL or
 * SIGABRT fails (crashed) and the pool carries on.  Sanitizers own the
 * fault signals, so the crash tests skip under them.  A full error queue
 * drops entries and counts them instead of blocking.
 */
#include <sys/wait.h>

#include "wpbt.h"

/* Outside a pool task wp_panic() prints its message and aborts (checked in
 * a child process). */
static void
test_panic_outside_task_aborts(void **state)
{
	int fd[2], status = 0;
	char buf[512];
	size_t len = 0;
	ssize_t k;
	pid_t pid;

	if (BT_TSAN)
		skip(); /* fork in a TSan process is not worth the noise */
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		wp_panic("outside %d", 3);
	}
	close(fd[1]);
	while (len < sizeof buf - 1 &&
	       (k = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)k;
	buf[len] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(buf, "outside 3"));
}

/* wp_panic("x %d", 1) in a task: FAILED, panicked, message, error entry,
 * metrics.panics, a PANIC event. */
static void
test_panic_in_task(void **state)
{
	struct wp_config cfg;
	struct wp_result res = {0};
	struct wp_error e = {0};
	struct wp_metrics m;
	wp_pool *p;
	uint64_t id;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(bt_submit(p, BT_PANIC, 0, 1, &id), 0);
	BT_EVENTUALLY(bt_result_of(&R, id, NULL) == 1);
	assert_int_equal(bt_result_of(&R, id, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_FAILED);
	assert_true(res.panicked);
	assert_false(res.crashed);
	assert_int_equal(res.code, WP_EPANIC);
	assert_non_null(strstr(res.msg, "x 1"));
	BT_EVENTUALLY(bt_error_of(&R, id, NULL) == 1);
	assert_int_equal(bt_error_of(&R, id, &e), 1);
	assert_int_equal(e.outcome, WP_OUTCOME_FAILED);
	assert_non_null(strstr(e.msg, "x 1"));
	m = bt_m(p);
	assert_int_equal(m.panics, 1);
	assert_int_equal(m.failed, 1);
	assert_int_equal(m.crashes, 0);
	assert_true(bt_count_events(p, WP_EV_PANIC) >= 1);
	BT_EVENTUALLY(bt_nevents_cb(&R, WP_EV_PANIC) >= 1);
	bt_finish(p, &R);
	end();
}

/* Twenty panics on two workers: all FAILED, the pool keeps two workers
 * throughout and still runs ordinary work afterwards. */
static void
test_panic_pool_never_shrinks(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 32;
	cfg.error_queue_cap = 32;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 20; i++)
		assert_int_equal(bt_submit(p, BT_PANIC, 0, i, NULL), 0);
	while (bt_nres(&R) < 20) {
		m = bt_m(p);
		if (m.workers < 2)
			fail_msg("target fell to %u", m.workers);
		wpt_sleep_ms(1);
	}
	assert_int_equal(bt_nout(&R, WP_OUTCOME_FAILED), 20);
	{
		uint64_t np;
		pthread_mutex_lock(&R.mu);
		np = R.panicked;
		pthread_mutex_unlock(&R.mu);
		assert_int_equal(np, 20);
	}
	BT_EVENTUALLY(bt_m(p).workers_alive == 2);
	m = bt_m(p);
	assert_int_equal(m.panics, 20);
	assert_int_equal(m.workers, 2);
	for (int i = 0; i < 10; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 10);
	assert_false(bt_failing(p, WP_CHECK_WORKERS));
	bt_finish(p, &R);
	end();
}

/* A full error queue drops entries (counted) instead of blocking. */
static void
test_panic_error_queue_full_drops(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	R.error_sleep_ms = 20;
	bt_cfg(&cfg, &R);
	cfg.error_queue_cap = 1;
	cfg.task_queue_cap = 32;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 20; i++)
		assert_int_equal(bt_submit(p, BT_PANIC, 0, i, NULL), 0);
	BT_EVENTUALLY(bt_nres(&R) == 20);
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	m = bt_m(p);
	assert_true(m.errors_dropped > 0);
	assert_int_equal(bt_nerr(&R) + m.errors_dropped, 20);
	assert_true(m.error_hwm <= m.error_cap);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* One contained crash: FAILED, crashed, WP_ECRASH, counted, reported, and
 * the pool carries on with the same workers. */
static void
run_crash(enum bt_op op)
{
	struct wp_config cfg;
	struct wp_result res = {0};
	struct wp_metrics m;
	wp_pool *p;
	uint64_t id;

	if (BT_SANITIZED)
		skip();
	begin();
	snprintf(bt_label, sizeof bt_label, "crash %s", bt_op_name(op));
	bt_cfg(&cfg, &R);
	cfg.contain_crashes = true;
	cfg.task_queue_cap = 16;
	p = bt_pool(&cfg, &R, true);
	id = bt_go(p, op, 0);
	BT_EVENTUALLY(bt_result_of(&R, id, NULL) == 1);
	assert_int_equal(bt_result_of(&R, id, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_FAILED);
	assert_true(res.crashed);
	assert_false(res.panicked);
	assert_int_equal(res.code, WP_ECRASH);
	BT_EVENTUALLY(bt_error_of(&R, id, NULL) == 1);
	m = bt_m(p);
	assert_int_equal(m.crashes, 1);
	assert_true(bt_count_events(p, WP_EV_CRASH) >= 1);
	/* Again, to show the thread's containment is re-armed. */
	id = bt_go(p, op, 0);
	BT_EVENTUALLY(bt_result_of(&R, id, NULL) == 1);
	assert_int_equal(bt_result_of(&R, id, &res), 1);
	assert_true(res.crashed);
	for (int i = 0; i < 6; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 6);
	BT_EVENTUALLY(bt_m(p).workers_alive == 2);
	assert_int_equal(bt_m(p).crashes, 2);
	bt_finish(p, &R);
	end();
}

static void
test_crash_sigsegv_raise(void **state)
{
	run_crash(BT_SEGV);
}

static void
test_crash_null_write(void **state)
{
	run_crash(BT_NULLW);
}

static void
test_crash_sigfpe(void **state)
{
	run_crash(BT_FPE);
}

static void
test_crash_sigbus(void **state)
{
	run_crash(BT_BUS);
}

static void
test_crash_sigill(void **state)
{
	run_crash(BT_ILL);
}

static void
test_crash_abort(void **state)
{
	run_crash(BT_ABRT);
}

/* Two pools with containment, one destroyed: the other still contains. */
static void
test_crash_containment_outlives_one_pool(void **state)
{
	struct wp_config cfg, plain;
	struct wp_result res = {0};
	wp_pool *a, *b;
	uint64_t id;

	if (BT_SANITIZED)
		skip();
	begin();
	bt_cfg(&cfg, &R);
	cfg.contain_crashes = true;
	wpt_config(&plain);
	plain.contain_crashes = true;
	a = bt_pool(&plain, NULL, true);
	b = bt_pool(&cfg, &R, true);
	assert_int_equal(bt_destroy(a), 0);
	id = bt_go(b, BT_SEGV, 0);
	BT_EVENTUALLY(bt_result_of(&R, id, NULL) == 1);
	assert_int_equal(bt_result_of(&R, id, &res), 1);
	assert_true(res.crashed);
	bt_finish(b, &R);
	end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_panic_outside_task_aborts),
		BT_TEST(test_panic_in_task),
		BT_TEST(test_panic_pool_never_shrinks),
		BT_TEST(test_panic_error_queue_full_drops),
		BT_TEST(test_crash_sigsegv_raise),
		BT_TEST(test_crash_null_write),
		BT_TEST(test_crash_sigfpe),
		BT_TEST(test_crash_sigbus),
		BT_TEST(test_crash_sigill),
		BT_TEST(test_crash_abort),
		BT_TEST(test_crash_containment_outlives_one_pool),
	};
	return cmocka_run_group_tests_name("panic", tests, NULL, NULL);
}
