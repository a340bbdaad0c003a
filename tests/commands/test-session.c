/*
 * test-session.c - commands/session.c, kinds.c, jobs.c: the pool's life
 * through commands (before start, stop, start again), forced stops and
 * exit codes, the results ring, registered kinds, background jobs.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdtest.h"

static void
test_before_start(void **state)
{
	struct cmd_session_opts o;
	struct capture cap;
	struct cmd_sink sink;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	sink = cap_sink(&cap);
	cmd_session_opts_init(&o);
	o.cfg.workers = 2;
	o.no_start = true;
	assert_int_equal(cmd_session_new(&o, &sink, &s), 0);
	ct_exec(s, "expect state == created", 0);
	ct_exec(s, "cancel", 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, "run 'start' first"), 1);
	ct_exec(s, "stop", 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, "never started"), 1);
	/* Submit queues before start; start runs it. */
	ct_exec(s, "submit sleep 1ms", 0);
	ct_exec(s, "start; wait idle; expect completed == 1", 0);
	ct_exec(s, "start", 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, "stop it first"), 1);
	cmd_session_free(s);
	cap_free(&cap);
}

static void
test_after_stop_and_restart(void **state)
{
	struct capture cap;
	struct cmd_session *s;
	wp_pool *before;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	ct_exec(s, "set health-error-rate 5%; timeout 300ms", 0);
	ct_exec(s, "set contain-crashes on", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "kept for the next 'start'"),
			 1);
	ct_exec(s, "stop; expect state == stopped; stop", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "already stopped"), 1);
	/* Commands after stop fail cleanly. */
	ct_exec(s, "submit fail", 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, "pool closed"), 1);
	ct_exec(s, "pause", 1);
	ct_exec(s, "cancel", 1);
	ct_exec(s, "status; metrics; health; workers; timeline", 0);
	before = cmd_session_pool(s);
	ct_exec(s, "start", 0);
	assert_ptr_not_equal(cmd_session_pool(s), before);
	/* Same settings, and the kept ones now apply. */
	ct_exec(s, "expect state == running", 0);
	cap_clear(&cap);
	ct_exec(s, "get task-timeout; get health-error-rate; "
		   "get contain-crashes",
		0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "task-timeout 300ms"), 1);
	assert_int_equal(cap_count(&cap, CMD_OUT, "health-error-rate 5.0%"),
			 1);
	assert_int_equal(cap_count(&cap, CMD_OUT, "contain-crashes on"), 1);
	/* The old pool's stop stays visible until the new one stops. */
	ct_exec(s, "timeline", 0);
	ct_exec(s, "submit 4 sleep 1ms; wait idle; expect completed == 4", 0);
	pthread_mutex_lock(&cap.mu);
	assert_true(cap.pool_changed >= 3); /* new, NULL, new */
	pthread_mutex_unlock(&cap.mu);
	assert_int_equal(cmd_session_exit_code(s), CMD_EXIT_FAILED);
	cmd_session_free(s);
	cap_free(&cap);
}

/* hang ignores its context: a timeout leaves an orphan, a stop with a
 * short bound is forced, the exit code says 3, and the session still ends
 * cleanly (the hang is released). */
static void
test_forced_stop(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	ct_exec(s, "stop-timeout 200ms; timeout 50ms; submit hang", 0);
	ct_exec(s, "expect orphans == 1 --within 10s; expect timed_out == 1",
		0);
	ct_exec(s, "stop", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "stop FORCED"), 1);
	assert_int_equal(cap_count(&cap, CMD_OUT, "wp-orphan"), 1);
	ct_exec(s, "expect forced == true; expect alive == 1; "
		   "expect state == forced",
		0);
	assert_int_equal(cmd_session_exit_code(s), CMD_EXIT_FORCED);
	/* A clean stop of a fresh pool makes the last stop clean again. */
	ct_exec(s, "start; stop; expect forced == false", 0);
	assert_int_equal(cmd_session_exit_code(s), CMD_EXIT_OK);
	assert_int_equal(cmd_session_finish(s), CMD_EXIT_OK);
	assert_int_equal(cmd_kinds_hanging(), 0);
	cmd_session_free(s);
	cap_free(&cap);
}

static void
test_results_ring(void **state)
{
	struct cmd_session_opts o;
	struct capture cap;
	struct cmd_sink sink;
	struct cmd_session *s;
	struct wp_result r[8];
	size_t n;

	(void)state;
	cap_init(&cap);
	sink = cap_sink(&cap);
	cmd_session_opts_init(&o);
	o.cfg.workers = 1;
	o.results_cap = 4;
	assert_int_equal(cmd_session_new(&o, &sink, &s), 0);
	ct_exec(s, "submit 6 fail 7; wait idle", 0);
	ct_exec(s, "expect results == 6 --within 10s", 0);
	n = cmd_session_results(s, r, 8);
	assert_int_equal(n, 4);
	/* The newest four, oldest first: ids 3..6 with one worker. */
	assert_int_equal(r[0].id, 3);
	assert_int_equal(r[3].id, 6);
	assert_int_equal(r[3].code, 7);
	assert_int_equal(r[3].outcome, WP_OUTCOME_FAILED);
	cap_clear(&cap);
	ct_exec(s, "results 2", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "failed on purpose (code 7)"),
			 2);
	cmd_session_free(s);
	cap_free(&cap);
}

static int
task_echo(wp_ctx *ctx, void *arg)
{
	char *text = arg;

	wp_ctx_set_message(ctx, "got %s", text ? text : "(none)");
	free(text);
	return 0;
}

static void
test_register_kind(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	assert_int_equal(cmd_kind_register(s, "echo-task", task_echo, "echo"),
			 0);
	assert_int_equal(cmd_kind_register(s, "echo-task", task_echo, "x"),
			 WP_EALREADY);
	assert_int_equal(cmd_kind_register(s, "sleep", task_echo, "x"),
			 WP_EALREADY);
	assert_int_equal(cmd_kind_register(s, "Bad Name", task_echo, "x"),
			 WP_EINVAL);
	assert_int_equal(cmd_kind_register(s, "", task_echo, "x"), WP_EINVAL);
	assert_int_equal(cmd_kind_register(s, "x", NULL, "x"), WP_EINVAL);
	ct_exec(s, "submit 2 echo-task hello world; submit echo-task", 0);
	ct_exec(s, "wait idle; expect results == 3 --within 10s", 0);
	ct_exec(s, "results", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "got hello world"), 2);
	assert_int_equal(cap_count(&cap, CMD_OUT, "got (none)"), 1);
	cap_clear(&cap);
	ct_exec(s, "kinds", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "echo-task"), 1);
	/* A task that is never run still frees its argument (ASan). */
	ct_exec(s, "pause; submit 2 echo-task never --nowait; stop", 0);
	cmd_session_free(s);
	cap_free(&cap);
}

static int
job_done(void *arg)
{
	struct cmd_job_info j[4];

	return cmd_session_jobs(arg, j, 4) == 0;
}

/* The limited job's five tries each ended: refused, or run and failed. */
static int
five_tries_ended(void *arg)
{
	struct wp_metrics m;

	return wp_pool_metrics(cmd_session_pool(arg), &m) == 0 &&
	       m.failed + m.rejected >= 5;
}

static void
test_jobs(void **state)
{
	struct cmd_job_info j[4];
	struct wp_metrics m;
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	ct_exec(s, "submit sleep 1ms --rate 100/s", 0);
	ct_exec(s, "submit 5 fail --rate 50/s", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "job 1 started"), 1);
	assert_int_equal(cap_count(&cap, CMD_OUT, "job 2 started"), 1);
	ct_exec(s, "expect submitted >= 10 --within 10s", 0);
	cap_clear(&cap);
	ct_exec(s, "jobs", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "sleep 1ms @100/s"), 1);
	/* The limited job ends by itself after 5 tries (a rate job counts
	 * rejections too: a full queue under load may refuse some). */
	ct_exec(s, "expect jobs == 1 --within 20s", 0);
	assert_int_equal(cmd_session_jobs(s, j, 4), 1);
	/* The job ends with its fifth submit; that task may still be
	 * queued or running. */
	assert_true(ct_wait(five_tries_ended, s, CT_CEILING_MS));
	assert_int_equal(wp_pool_metrics(cmd_session_pool(s), &m), 0);
	assert_true(m.failed <= 5);
	ct_exec(s, "kill-job 1", 0);
	assert_true(ct_wait(job_done, s, CT_CEILING_MS));
	ct_exec(s, "kill-job 1", 1);
	/* A job ends when the pool closes, and notes why. */
	ct_exec(s, "submit fail --rate 100/s; stop", 0);
	assert_true(ct_wait(job_done, s, CT_CEILING_MS));
	cmd_session_free(s);
	cap_free(&cap);
}

static void
test_demo(void **state)
{
	struct cmd_session_opts o;
	struct capture cap;
	struct cmd_sink sink;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	sink = cap_sink(&cap);
	cmd_session_opts_init(&o);
	o.cfg.workers = 4;
	o.demo = true;
	assert_int_equal(cmd_session_new(&o, &sink, &s), 0);
	ct_exec(s, "expect jobs == 1; expect completed >= 9 --within 20s", 0);
	ct_exec(s, "expect failed >= 1 --within 20s", 0);
	ct_exec(s, "stop", 0);
	cmd_session_free(s);
	cap_free(&cap);
}

static void
test_crash_contained(void **state)
{
	struct cmd_session_opts o;
	struct capture cap;
	struct cmd_sink sink;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	sink = cap_sink(&cap);
	cmd_session_opts_init(&o);
	o.cfg.workers = 2;
	o.cfg.contain_crashes = true;
	assert_int_equal(cmd_session_new(&o, &sink, &s), 0);
	ct_exec(s, "submit crash; wait idle; expect crashes == 1 --within 10s",
		0);
	ct_exec(s, "expect failed == 1; submit sleep 1ms; wait idle", 0);
	ct_exec(s, "expect completed == 1 --within 10s", 0);
	cmd_session_free(s);
	cap_free(&cap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_start),
		cmocka_unit_test(test_after_stop_and_restart),
		cmocka_unit_test(test_forced_stop),
		cmocka_unit_test(test_results_ring),
		cmocka_unit_test(test_register_kind),
		cmocka_unit_test(test_jobs),
		cmocka_unit_test(test_demo),
		cmocka_unit_test(test_crash_contained),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
