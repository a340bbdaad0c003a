/*
 * test-complete.c - commands/complete.c: readline completion.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdtest.h"

static struct cmd_session *s;
static struct capture cap;

static int
setup(void **state)
{
	(void)state;
	cap_init(&cap);
	s = ct_session(&cap, false, false, 2);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cmd_session_free(s);
	cap_free(&cap);
	return 0;
}

static void
free_matches(char **m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; m[i] != NULL; i++)
		free(m[i]);
	free(m);
}

/* Completes at the end of line; returns the matches after the prefix
 * element as one space-separated string. */
static char *
complete(const char *line, const char *word)
{
	char **m, *out;
	size_t len = (size_t)strlen(line), i, o = 0;

	m = cmd_complete(s, line, (int)(len - strlen(word)), (int)len);
	if (m == NULL)
		return strdup("");
	out = calloc(1, 4096);
	if (m[1] == NULL) {
		strcpy(out, m[0]);
	} else {
		for (i = 1; m[i] != NULL; i++)
			o += (size_t)snprintf(out + o, 4096 - o, "%s%s",
					      i > 1 ? " " : "", m[i]);
	}
	free_matches(m);
	return out;
}

static void
check(const char *line, const char *word, const char *want)
{
	char *got = complete(line, word);

	if (strcmp(got, want) != 0)
		fprintf(stderr, "'%s': got '%s', want '%s'\n", line, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void
test_commands(void **state)
{
	char **m;

	(void)state;
	check("subm", "subm", "submit");
	check("status; sto", "sto", "stop-timeout stop-monitor stop-health stop");
	/* "" lists everything: the first element is the common prefix. */
	m = cmd_complete(s, "", 0, 0);
	assert_non_null(m);
	assert_string_equal(m[0], "");
	assert_non_null(m[1]);
	free_matches(m);
	check("xyz", "xyz", "");
}

static void
test_arguments(void **state)
{
	(void)state;
	check("submit sl", "sl", "sleep");
	check("submit 10 h", "h", "hang");
	check("submit --priority 3 c", "c", "crash");
	check("close r", "r", "results");
	check("wait ", "", "idle stopped");
	check("set task-t", "task-t", "task-timeout");
	check("get health-error-m", "health-error-m",
	      "health-error-min-samples");
	check("expect timed", "timed", "timed_out");
	check("expect completed >", ">", "> >=");
	check("help kill", "kill", "kill-job kill");
	check("pause ", "", "");
}

static void
test_flags(void **state)
{
	(void)state;
	check("submit sleep 1s --p", "--p", "--priority");
	check("wait idle --", "--", "--timeout --json --help");
	check("status --j", "--j", "--json");
}

static void
test_bad_input(void **state)
{
	(void)state;
	assert_null(cmd_complete(s, "echo 'open ", 11, 11));
	assert_null(cmd_complete(s, "abc", 2, 1));
	assert_null(cmd_complete(s, "abc", 0, 10));
	assert_null(cmd_complete(s, NULL, 0, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
