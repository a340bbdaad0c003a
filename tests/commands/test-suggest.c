/*
 * test-suggest.c - commands/suggest.c: edit distance and "did you mean".
 */
#include <string.h>

#include "cmdtest.h"

static void
test_distance(void **state)
{
	(void)state;
	assert_int_equal(cmd_distance("submit", "submit"), 0);
	assert_int_equal(cmd_distance("sbumit", "submit"), 1);
	assert_int_equal(cmd_distance("submt", "submit"), 1);
	assert_int_equal(cmd_distance("", "abc"), 3);
	assert_int_equal(cmd_distance("kitten", "sitting"), 3);
}

static void
test_suggest(void **state)
{
	const char *names[] = {"submit", "status", "start", "stop", "sleep"};
	char buf[160];

	(void)state;
	cmd_suggest("sbumit", names, 5, buf, sizeof buf);
	assert_string_equal(buf, "; did you mean 'submit'?");
	cmd_suggest("sta", names, 5, buf, sizeof buf);
	assert_string_equal(buf, "; did you mean 'status' or 'start'?");
	cmd_suggest("xyzzy", names, 5, buf, sizeof buf);
	assert_string_equal(buf, "");
	cmd_suggest("", names, 5, buf, sizeof buf);
	assert_string_equal(buf, "");
	cmd_suggest("stp", names, 5, buf, sizeof buf);
	assert_string_equal(buf, "; did you mean 'stop'?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
