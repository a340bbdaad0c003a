/*
 * test-runner.c - commands/runner.c: async mode, as the console uses it.
 * Long commands return at once, run on the runner, report busy; another
 * long command is refused while one runs, except stop/drain/quit, which
 * interrupt it; short commands run alongside.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdtest.h"

struct ctx {
	struct cmd_session *s;
	struct capture *cap;
};

static int
not_busy(void *arg)
{
	return !cmd_session_busy(arg);
}

static int
quit_done(void *arg)
{
	return cmd_session_quit_requested(arg) && !cmd_session_busy(arg);
}

static void
test_long_returns_at_once(void **state)
{
	struct capture cap;
	struct cmd_session *s;
	int64_t t0;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, true, 2);
	t0 = cmd_now_ns();
	ct_exec(s, "sleep 10s", 0);
	/* Generous: it must not have waited the 10 s. */
	assert_true(cmd_now_ns() - t0 < 5000000000ll);
	assert_true(cmd_session_busy(s));
	/* Short commands still run. */
	ct_exec(s, "status", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "pool running"), 1);
	/* Another long one is refused, naming what runs. */
	ct_exec(s, "wait idle", 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, "busy: 'sleep' is still "
				   "running"),
			 1);
	/* start is refused while busy. */
	ct_exec(s, "start", 1);
	/* An interrupt ends the sleep early, not as a failure. */
	cmd_session_interrupt(s);
	assert_true(ct_wait(not_busy, s, CT_CEILING_MS));
	if (cap_count(&cap, CMD_OUT, "sleep interrupted") != 1)
		cap_dump(&cap);
	assert_int_equal(cap_count(&cap, CMD_OUT, "sleep interrupted"), 1);
	pthread_mutex_lock(&cap.mu);
	assert_int_equal(cap.busy_on, 1);
	assert_int_equal(cap.busy_off, 1);
	pthread_mutex_unlock(&cap.mu);
	cmd_session_free(s);
	cap_free(&cap);
}

/* stop preempts a running wait, and the rest of its line runs after. */
static void
test_stop_preempts(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, true, 2);
	ct_exec(s, "pause; submit 3 sleep 1ms --nowait", 0);
	ct_exec(s, "wait idle --timeout 1m", 0);
	assert_true(cmd_session_busy(s));
	ct_exec(s, "stop; echo after-stop", 0);
	assert_true(ct_wait(not_busy, s, CT_CEILING_MS));
	/* The wait ends: interrupted, or idle once the stop cancelled the
	 * queued tasks (the stop runs beside it). */
	assert_int_equal(cap_count(&cap, CMD_OUT, "wait interrupted") +
				 cap_count(&cap, CMD_OUT, "idle (waited") +
				 cap_count(&cap, CMD_ERR, "wait:"),
			 1);
	assert_int_equal(cap_count(&cap, CMD_OUT, "stop clean"), 1);
	assert_int_equal(cap_count(&cap, CMD_OUT, "after-stop"), 1);
	assert_true(cap_count(&cap, CMD_PROGRESS, NULL) >= 1);
	assert_int_equal(cmd_session_exit_code(s), CMD_EXIT_OK);
	cmd_session_free(s);
	cap_free(&cap);
}

/* quit stops the pool on the runner, then reports quit. */
static void
test_quit(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, true, 2);
	ct_exec(s, "submit 2 sleep 20ms", 0);
	ct_exec(s, "quit", 0);
	assert_true(ct_wait(quit_done, s, CT_CEILING_MS));
	assert_int_equal(wp_pool_state(cmd_session_pool(s)),
			 WP_STATE_STOPPED);
	assert_int_equal(cap_count(&cap, CMD_OUT, "stop clean"), 1);
	assert_int_equal(cmd_session_finish(s), CMD_EXIT_OK);
	cmd_session_free(s);
	cap_free(&cap);
}

/* A multi-task submit is long; stop interrupts it. */
static void
test_submit_in_background(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, true, 1);
	ct_exec(s, "pause", 0);
	/* Queue capacity is 2: this waits for room that never comes. */
	ct_exec(s, "submit 50 sleep 1ms --wait 1m", 0);
	assert_true(cmd_session_busy(s));
	ct_exec(s, "stop", 0);
	assert_true(ct_wait(not_busy, s, CT_CEILING_MS));
	assert_int_equal(cap_count(&cap, CMD_OUT, "stop clean"), 1);
	/* The submit ended: closed (rejected) or interrupted. */
	assert_int_equal(cap_count(&cap, CMD_ERR, "rejected") +
				 cap_count(&cap, CMD_OUT, "interrupted"),
			 1);
	cmd_session_free(s);
	cap_free(&cap);
}

/* An interrupt ends the batch: the rest of its line is skipped. */
static void
test_interrupt_skips_rest(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, true, 2);
	ct_exec(s, "sleep 1m; echo after", 0);
	assert_true(cmd_session_busy(s));
	cmd_session_interrupt(s);
	assert_true(ct_wait(not_busy, s, CT_CEILING_MS));
	assert_int_equal(cap_count(&cap, CMD_OUT, "after"), 0);
	assert_int_equal(cap_count(&cap, CMD_PROGRESS, "is skipped"), 1);
	/* A stale interrupt does not touch the next line. */
	ct_exec(s, "echo one; echo two", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "two"), 1);
	ct_exec(s, "sleep 1ms; echo three", 0);
	assert_true(ct_wait(not_busy, s, CT_CEILING_MS));
	assert_int_equal(cap_count(&cap, CMD_OUT, "three"), 1);
	cmd_session_free(s);
	cap_free(&cap);
}

/* `start` at the end of a batch replaces the pool on the runner while
 * short commands keep running on the caller's thread (ASan would see a
 * destroyed pool used). */
static void
test_start_in_batch(void **state)
{
	struct capture cap;
	struct cmd_session *s;
	int i;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, true, 2);
	ct_exec(s, "stop", 0);
	assert_true(ct_wait(not_busy, s, CT_CEILING_MS));
	ct_exec(s, "sleep 20ms; start; submit 2 sleep 1ms", 0);
	for (i = 0; i < 2000 && cmd_session_busy(s); i++)
		ct_exec(s, "status; metrics; workers", 0);
	assert_true(ct_wait(not_busy, s, CT_CEILING_MS));
	assert_int_equal(cap_count(&cap, CMD_OUT, "a fresh pool started"), 1);
	ct_exec(s, "expect state == running; expect completed == 2 --within 10s",
		0);
	assert_true(ct_wait(not_busy, s, CT_CEILING_MS));
	assert_int_equal(cmd_session_exit_code(s), CMD_EXIT_OK);
	cmd_session_free(s);
	cap_free(&cap);
}

/* Freeing a session with a long command running ends it. */
static void
test_free_while_busy(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, true, 2);
	ct_exec(s, "sleep 1m", 0);
	assert_true(cmd_session_busy(s));
	cmd_session_free(s);
	cap_free(&cap);
}

static int
submitter_blocked(void *arg)
{
	struct wp_metrics m;

	return wp_pool_metrics(cmd_session_pool(arg), &m) == 0 &&
	       m.blocked_submitters == 1;
}

/* Freeing a session whose runner waits in the pool (a submit blocked on
 * a full queue of a paused pool) does not wait for that submit's --wait:
 * the final stop wakes it. */
static void
test_free_while_submit_blocked(void **state)
{
	struct capture cap;
	struct cmd_session *s;
	int64_t t0;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, true, 1);
	ct_exec(s, "pause", 0);
	ct_exec(s, "submit 50 sleep 1ms --wait 10m", 0);
	assert_true(cmd_session_busy(s));
	assert_true(ct_wait(submitter_blocked, s, CT_CEILING_MS));
	t0 = cmd_now_ns();
	cmd_session_free(s);
	/* Generous: far below the 10 minutes the submit would wait. */
	assert_true(cmd_now_ns() - t0 < 60 * 1000000000ll);
	cap_free(&cap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_returns_at_once),
		cmocka_unit_test(test_stop_preempts),
		cmocka_unit_test(test_quit),
		cmocka_unit_test(test_submit_in_background),
		cmocka_unit_test(test_interrupt_skips_rest),
		cmocka_unit_test(test_start_in_batch),
		cmocka_unit_test(test_free_while_busy),
		cmocka_unit_test(test_free_while_submit_blocked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
