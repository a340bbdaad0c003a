/*
 * test-cmd.c - commands/cmd.c: lookup, the executor, and every command's
 * argument checks and messages, on a real (small) pool.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdtest.h"

struct bad_line {
	const char *line;
	const char *want; /* in the first CMD_ERR line */
};

/* One entry or more per command: the message must name the problem. */
static const struct bad_line bad_lines[] = {
	{"sbumit 3 sleep 1s", "unknown command 'sbumit'; did you mean 'submit'?"},
	{"xyzzy", "unknown command 'xyzzy' (try 'help')"},
	{"submit", "submit: missing argument"},
	{"submit 5", "missing KIND"},
	{"submit 0 sleep 1s", "count must be at least 1"},
	{"submit -3 sleep 1s", "count '-3' is negative"},
	{"submit 99999999999999999999999 fail", "is too large"},
	{"submit slep 1s", "unknown kind 'slep'; did you mean 'sleep'?"},
	{"submit sleep", "sleep needs a duration"},
	{"submit sleep 1s 2s", "sleep takes one duration"},
	{"submit spin 10", "needs a unit"},
	{"submit fail 0", "the code must not be 0"},
	{"submit fail 300", "too large"},
	{"submit panic now", "takes no arguments"},
	{"submit hang 1s 2s", "hang takes at most a cap"},
	{"submit crash", "contain-crashes is off"},
	{"submit 2 sleep 1s --rate 5/s --nowait", "--rate jobs never wait"},
	{"jobs extra", "takes no arguments"},
	{"kill-job", "missing argument"},
	{"kill-job x", "job id 'x' is not a number"},
	{"kill-job 42", "no job 42"},
	{"kinds x", "takes no arguments"},
	{"timeout 5", "needs a unit"},
	{"timeout 1s 2s", "too many arguments"},
	{"stop-timeout 0", "out of range"},
	{"stop-timeout never", "bad duration 'never'"},
	{"resize -5", "'-5' is negative"},
	{"resize 0", "workers 0 is out of range (1 to 1024)"},
	{"resize 99999", "out of range"},
	{"set tsk-timeout 5s", "unknown setting 'tsk-timeout'; did you mean "
			       "'task-timeout'?"},
	{"set task-timeout banana", "bad duration 'banana'"},
	{"set health-heap 12XB", "unknown unit 'XB'"},
	{"set contain-crashes maybe", "'maybe' is not on or off"},
	{"set health-error-rate 5.5", "bad rate"},
	{"set workers", "missing argument"},
	{"get", "missing argument"},
	{"get nope", "unknown setting 'nope'"},
	{"config x", "takes no arguments"},
	{"close", "missing argument"},
	{"close taks", "no queue 'taks'; did you mean 'tasks'?"},
	{"drain 5", "needs a unit"},
	{"stop now", "takes no arguments"},
	{"events -1", "'-1' is negative"},
	{"events 5000", "too large"},
	{"results x", "'x' is not a number"},
	{"help sbumit", "unknown command 'sbumit'; did you mean 'submit'?"},
	{"wait", "missing argument"},
	{"wait idel", "cannot wait for 'idel'; did you mean 'idle'?"},
	{"wait idle --timeout soon", "bad duration 'soon'"},
	{"sleep", "missing argument"},
	{"sleep 3", "needs a unit"},
	{"expect completed", "missing argument"},
	{"expect completd == 1", "unknown metric 'completd'; did you mean "
				 "'completed'?"},
	{"expect completed =~ 1", "unknown operator '=~'"},
	{"expect completed == many", "'many' is not a number"},
	{"expect state == stoped", "state is never 'stoped'; did you mean "
				   "'stopped'?"},
	{"expect state < running", "compares with == or != only"},
	{"expect health == sick", "health is never 'sick'"},
	{"expect healthy == perhaps", "not on or off"},
	{"expect completed == 99 --within 1x", "unknown unit"},
	{"echo 'unterminated", "unterminated single quote"},
	{"quit now", "takes no arguments"},
	{"status --verbose", "unknown flag '--verbose'"},
	{"metrics --pub", "unknown flag '--pub'; did you mean '--published'?"},
};

static void
test_bad_lines(void **state)
{
	struct capture cap;
	struct cmd_session *s;
	size_t i;
	char *err;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	for (i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
		cap_clear(&cap);
		ct_exec(s, bad_lines[i].line, 1);
		err = cap_first(&cap, CMD_ERR);
		if (err == NULL || strstr(err, bad_lines[i].want) == NULL) {
			fprintf(stderr, "line '%s': want '%s', got:\n",
				bad_lines[i].line, bad_lines[i].want);
			cap_dump(&cap);
		}
		assert_non_null(err);
		assert_non_null(strstr(err, bad_lines[i].want));
		free(err);
	}
	assert_int_equal(cmd_session_exit_code(s), CMD_EXIT_FAILED);
	cmd_session_free(s);
	cap_free(&cap);
}

/* Usage errors show the usage on a second line. */
static void
test_usage_line(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	ct_exec(s, "wait soon", 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, NULL), 2);
	assert_int_equal(cap_count(&cap, CMD_ERR,
				   "usage: wait idle|stopped [--timeout D]"),
			 1);
	cap_clear(&cap);
	ct_exec(s, "kill-job 9", 1); /* runtime error: no usage */
	assert_int_equal(cap_count(&cap, CMD_ERR, "usage:"), 0);
	cmd_session_free(s);
	cap_free(&cap);
}

/* A usage error anywhere in a line runs nothing of it. */
static void
test_line_all_or_nothing(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	ct_exec(s, "echo first; sbumit; echo last", 1);
	assert_int_equal(cap_count(&cap, CMD_OUT, NULL), 0);
	cap_clear(&cap);
	ct_exec(s, "echo first; echo last", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "first"), 1);
	assert_int_equal(cap_count(&cap, CMD_OUT, "last"), 1);
	cmd_session_free(s);
	cap_free(&cap);
}

/* "-cmd" reports the failure but it does not count. */
static void
test_ignore_marker(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	ct_exec(s, "-kill-job 9", 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, "(ignored)"), 1);
	assert_int_equal(cmd_session_exit_code(s), CMD_EXIT_OK);
	ct_exec(s, "kill-job 9", 1);
	assert_int_equal(cmd_session_exit_code(s), CMD_EXIT_FAILED);
	cmd_session_free(s);
	cap_free(&cap);
}

static void
test_good_lines(void **state)
{
	static const char *const good[] = {
		"status", "metrics", "health", "workers",
		"events 5", "results", "config", "get task-timeout", "kinds",
		"jobs", "help", "help submit", "submit --help", "? stop",
		"timeout", "timeout 2s", "timeout off", "stop-timeout 3s",
		"resize 3", "resize", "set health-error-rate 5%",
		"set health-heap 100MB", "set monitor-interval 200ms",
		"echo -- --json", "echo", "sleep 1ms", "submit fail 3",
		"submit panic", "submit 3 sleep 1ms --priority 9 --timeout 1s",
		"submit spin 2ms --timeout off", "wait idle",
		"expect completed >= 3", "expect failed == 2",
		"expect panics == 1", "expect state == running",
		"expect health == healthy", "expect proc_max < 10s",
		"expect orphans == 0", "expect jobs == 0",
		"expect results == 6 --within 5s", "pause", "resume",
		"help --markdown",
	};
	struct capture cap;
	struct cmd_session *s;
	size_t i;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cap_clear(&cap);
		if (cmd_session_exec(s, good[i]) != 0) {
			fprintf(stderr, "line '%s' failed:\n", good[i]);
			cap_dump(&cap);
			fail();
		}
	}
	assert_int_equal(cmd_session_exit_code(s), CMD_EXIT_OK);
	cmd_session_free(s);
	cap_free(&cap);
}

/* Every reply in JSON mode is one object on one line with cmd and ok. */
static void
test_json_replies(void **state)
{
	struct capture cap;
	struct cmd_session *s;
	size_t i;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, true, false, 2);
	ct_exec(s, "pause", 0);
	ct_exec(s, "resume", 0);
	ct_exec(s, "sbumit", 1);
	ct_exec(s, "wait soon", 1);
	ct_exec(s, "metrics", 0);
	ct_exec(s, "timeline", 1);
	pthread_mutex_lock(&cap.mu);
	for (i = 0; i < cap.n; i++) {
		if (cap.kinds[i] != CMD_OUT && cap.kinds[i] != CMD_ERR)
			continue;
		assert_true(cap.lines[i][0] == '{');
		assert_null(strchr(cap.lines[i], '\n'));
		assert_non_null(strstr(cap.lines[i], "\"ok\":"));
	}
	pthread_mutex_unlock(&cap.mu);
	assert_int_equal(cap_count(&cap, CMD_OUT, "{\"cmd\":\"pause\",\"ok\":true"),
			 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, "\"cmd\":\"sbumit\",\"ok\":false,"
				   "\"error\":\"unknown command"),
			 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, "\"usage\":\"wait idle|stopped"),
			 1);
	assert_int_equal(cap_count(&cap, CMD_OUT, "\"completed\":0,"), 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, "no stop has finished"), 1);
	/* Events are JSON lines too. */
	assert_true(cap_wait(&cap, CMD_EVENT, "{\"event\":\"note\"", 1));
	cmd_session_free(s);
	cap_free(&cap);
}

/* A per-command --json in a text session. */
static void
test_json_flag(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	ct_exec(s, "health --json; status", 0);
	assert_int_equal(cap_count(&cap, CMD_OUT, "{\"cmd\":\"health\",\"ok\":"
				   "true,\"healthy\":"),
			 1);
	assert_int_equal(cap_count(&cap, CMD_OUT, "pool running"), 1);
	cmd_session_free(s);
	cap_free(&cap);
}

/* The published snapshots appear within a few monitor intervals. */
static void
test_published(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	ct_exec(s, "expect uptime_ms > 200 --within 10s", 0);
	ct_exec(s, "sleep 200ms; metrics --published; health --published", 0);
	pthread_mutex_lock(&cap.mu);
	assert_true(cap.published > 0);
	pthread_mutex_unlock(&cap.mu);
	cmd_session_free(s);
	cap_free(&cap);
}

/* Operator lines show in the pool's events. */
static void
test_notes(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	ct_exec(s, "echo hello", 0);
	/* Events may reach the callback a little later. */
	assert_true(cap_wait(&cap, CMD_EVENT, "op: echo hello", 1));
	cmd_session_free(s);
	cap_free(&cap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_usage_line),
		cmocka_unit_test(test_line_all_or_nothing),
		cmocka_unit_test(test_ignore_marker),
		cmocka_unit_test(test_good_lines),
		cmocka_unit_test(test_json_replies),
		cmocka_unit_test(test_json_flag),
		cmocka_unit_test(test_published),
		cmocka_unit_test(test_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
