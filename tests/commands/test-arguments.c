/*
 * test-arguments.c - commands/arguments.c: flags and positionals against
 * real table entries.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdtest.h"

static int
parse(const struct cmd_entry *e, const char *line, struct cmd_args *a,
      char *err, size_t errlen, struct cmd_list *l)
{
	char terr[128];

	assert_int_equal(cmd_tokenize(line, l, terr, sizeof terr), 0);
	assert_int_equal(l->n, 1);
	err[0] = '\0';
	return cmd_args_parse(e, &l->cmds[0], a, err, errlen);
}

static void
bad(const struct cmd_entry *e, const char *line, const char *want)
{
	struct cmd_args a;
	struct cmd_list l;
	char err[256];

	assert_int_equal(parse(e, line, &a, err, sizeof err, &l), -1);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "'%s': '%s' lacks '%s'\n", line, err, want);
	assert_non_null(strstr(err, want));
	cmd_list_free(&l);
}

static void
test_flags(void **state)
{
	struct cmd_args a;
	struct cmd_list l;
	char err[256];

	(void)state;
	assert_int_equal(parse(&cmd_submit_entry,
			       "submit --priority=3 5 sleep --timeout 2s 1s "
			       "--rate 20/s --json",
			       &a, err, sizeof err, &l),
			 0);
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[0], "5");
	assert_string_equal(a.argv[1], "sleep");
	assert_string_equal(a.argv[2], "1s");
	assert_true(a.json);
	assert_false(a.help);
	assert_true(a.flags[0].set); /* timeout */
	assert_int_equal(a.flags[0].u, 2000);
	assert_true(a.flags[1].set); /* priority */
	assert_int_equal(a.flags[1].u, 3);
	assert_true(a.flags[2].set); /* rate */
	assert_true(a.flags[2].d == 20.0);
	cmd_args_free(&a);
	cmd_list_free(&l);
}

static void
test_dashdash(void **state)
{
	struct cmd_args a;
	struct cmd_list l;
	char err[256];

	(void)state;
	assert_int_equal(parse(&cmd_echo_entry, "echo -x -- --json --help",
			       &a, err, sizeof err, &l),
			 0);
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[0], "-x");
	assert_string_equal(a.argv[1], "--json");
	assert_false(a.json);
	cmd_args_free(&a);
	cmd_list_free(&l);
}

static void
test_help_skips_counts(void **state)
{
	struct cmd_args a;
	struct cmd_list l;
	char err[256];

	(void)state;
	assert_int_equal(parse(&cmd_set_entry, "set --help", &a, err,
			       sizeof err, &l),
			 0);
	assert_true(a.help);
	cmd_args_free(&a);
	cmd_list_free(&l);
}

static void
test_errors(void **state)
{
	(void)state;
	bad(&cmd_submit_entry, "submit sleep 1s --tiemout 2s",
	    "unknown flag '--tiemout'; did you mean '--timeout'?");
	bad(&cmd_submit_entry, "submit sleep 1s --timeout",
	    "--timeout needs a value (a duration like 2s or 250ms)");
	bad(&cmd_submit_entry, "submit sleep 1s --timeout=",
	    "--timeout needs a value");
	bad(&cmd_submit_entry, "submit sleep 1s --timeout 5",
	    "--timeout: duration '5' needs a unit");
	bad(&cmd_submit_entry, "submit sleep 1s --priority 10",
	    "--priority 10 is out of range (0-9)");
	bad(&cmd_submit_entry, "submit sleep 1s --priority -1",
	    "--priority: '-1' is negative");
	bad(&cmd_submit_entry, "submit sleep 1s --rate fast",
	    "--rate: bad rate 'fast'");
	bad(&cmd_submit_entry, "submit sleep --nowait=1 1s",
	    "--nowait takes no value");
	bad(&cmd_submit_entry, "submit --priority 1 --priority 2 fail",
	    "--priority given twice");
	bad(&cmd_submit_entry, "submit", "missing argument");
	bad(&cmd_pause_entry, "pause now", "takes no arguments (got 'now')");
	bad(&cmd_set_entry, "set a b c", "too many arguments (from 'c' on)");
	bad(&cmd_wait_entry, "wait idle --timeout 100", "needs a unit");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_dashdash),
		cmocka_unit_test(test_help_skips_counts),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
