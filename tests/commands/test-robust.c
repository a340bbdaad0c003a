/*
 * test-robust.c - nothing typed can crash, hang, or leave the pool
 * inconsistent: random bytes, random words from the language, overlong
 * lines, NUL and control bytes, huge and negative numbers, unterminated
 * quotes, commands before start and after stop.  At the end the pool's
 * books must balance.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdtest.h"

static const char *const words[] = {
	"submit", "sleep", "spin", "fail", "panic", "mix", "crash",
	"1ms", "5ms", "20ms", "0", "1", "3", "-1", "99999999999999999999",
	"--timeout", "--priority", "--rate", "--nowait", "--wait", "--json",
	"--help", "--", "timeout", "stop-timeout", "300ms", "off", "resize",
	"2", "set", "get", "task-timeout", "orphan-cap", "health-heap",
	"config", "cancel", "shutdown", "stop-monitor", "stop-health", "close",
	"tasks", "results", "errors", "stop", "drain", "resume",
	"start", "status", "metrics", "health", "workers", "events", "timeline",
	"help", "wait", "idle", "stopped", "expect", "completed", "==", ">=",
	"state", "echo", "jobs", "kill-job", "kinds", "'", "\"", ";", "#",
	"\\", "5/s", "50MB", "on", "--within", "x",
};

/* First words: every command but pause (could stall submits) and the
 * unbounded sleep. */
static const char *const heads[] = {
	"submit", "submit 3", "submit 2", "jobs", "kill-job", "kinds",
	"timeout", "stop-timeout", "resize", "set", "get", "config", "cancel",
	"shutdown", "stop-monitor", "stop-health", "close", "stop", "drain",
	"resume", "start", "status", "metrics", "health", "workers", "events",
	"timeline", "results", "help", "wait", "expect", "echo", "quit",
};

static unsigned rng = 12345;

static unsigned
next(void)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 16) & 0x7fff;
}

/* Returns how many lines ran without an error. */
static int
run_random(struct cmd_session *s, int lines)
{
	char line[512];
	size_t o;
	int i, k, n, ok = 0;

	for (i = 0; i < lines; i++) {
		o = (size_t)snprintf(line, sizeof line, "%s ",
				     heads[next() % (sizeof heads /
						     sizeof heads[0])]);
		n = (int)(next() % 4);
		for (k = 0; k < n && o < sizeof line - 64; k++)
			o += (size_t)snprintf(line + o, sizeof line - o, "%s ",
					      words[next() % (sizeof words /
							      sizeof words[0])]);
		/* No word makes a task or a sleep longer than 500ms, and
		 * pause and hang are left out, so only a submit or a wait
		 * could wait long: bound them where the words allow it. */
		if (strstr(line, "submit"))
			strcat(line, " --wait 50ms");
		if (strstr(line, "wait "))
			strcat(line, " --timeout 200ms");
		if (cmd_session_exec(s, line) == 0)
			ok++;
	}
	return ok;
}

static void
check_books(struct cmd_session *s)
{
	struct wp_metrics m;

	assert_int_equal(wp_pool_metrics(cmd_session_pool(s), &m), 0);
	assert_true(m.submitted == m.rejected + m.accepted);
	assert_true(m.accepted == m.completed + m.failed + m.timed_out +
					  m.cancelled + m.in_flight);
}

static void
test_random_words(void **state)
{
	struct capture cap;
	struct cmd_session *s;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	cmd_session_exec(s, "stop-timeout 300ms");
	/* Enough of them must be valid to reach the pool. */
	assert_true(run_random(s, 600) >= 30);
	cmd_session_exec(s, "stop");
	check_books(s);
	cmd_session_free(s);
	cap_free(&cap);
}

static void
test_random_bytes(void **state)
{
	struct capture cap;
	struct cmd_session *s;
	char line[128];
	int i, k, n;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, true, false, 2);
	for (i = 0; i < 2000; i++) {
		n = (int)(next() % (sizeof line - 1));
		for (k = 0; k < n; k++)
			line[k] = (char)(1 + next() % 255);
		line[n] = '\0';
		cmd_session_exec(s, line);
	}
	check_books(s);
	cmd_session_free(s);
	cap_free(&cap);
}

static void
test_hostile_lines(void **state)
{
	static const char *const lines[] = {
		"submit 1000001 sleep 1ms",
		"submit 18446744073709551616 fail",
		"resize 18446744073709551615",
		"set health-heap 99999999999999999999TB",
		"set stop-timeout 99999h",
		"events 18446744073709551615",
		"results -0",
		"expect completed == 1e400",
		"expect completed == 99999999999999999999999999999999999999",
		"submit sleep 1ms --rate 99999999/s",
		"submit sleep 1ms --priority 4294967297",
		"echo \"unterminated",
		"echo 'a' 'b",
		"\"",
		";;;;;;",
		"- ",
		"--",
		"-",
		"help ''",
		"set '' ''",
		"wait '' --timeout 1ms",
	};
	struct capture cap;
	struct cmd_session *s;
	char *big;
	size_t i;

	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
		cmd_session_exec(s, lines[i]);
	big = malloc(1u << 20);
	memset(big, 'a', (1u << 20) - 1);
	big[(1u << 20) - 1] = '\0';
	assert_int_equal(cmd_session_exec(s, big), 1);
	assert_int_equal(cap_count(&cap, CMD_ERR, "line too long"), 1);
	memcpy(big, "echo ", 5);
	big[CMD_LINE_MAX] = '\0';
	assert_int_equal(cmd_session_exec(s, big), 0);
	free(big);
	assert_int_equal(cmd_session_exec(s, "echo a\x01"), 1);
	assert_int_equal(cmd_session_exec(s, NULL), 0);
	ct_exec(s, "status; expect state == running", 0);
	check_books(s);
	cmd_session_free(s);
	cap_free(&cap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_words),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_hostile_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
