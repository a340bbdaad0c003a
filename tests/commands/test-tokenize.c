/*
 * test-tokenize.c - commands/tokenize.c: words, quotes, commands, comments,
 * and the checks on raw lines.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdtest.h"

static struct cmd_list
tok_ok(const char *line)
{
	struct cmd_list l;
	char err[256];

	err[0] = '\0';
	if (cmd_tokenize(line, &l, err, sizeof err) != 0)
		fprintf(stderr, "tokenize '%s': %s\n", line, err);
	assert_string_equal(err, "");
	return l;
}

static void
tok_bad(const char *line, const char *want)
{
	struct cmd_list l;
	char err[256];

	assert_int_equal(cmd_tokenize(line, &l, err, sizeof err), -1);
	assert_non_null(strstr(err, want));
	assert_int_equal(l.n, 0);
	assert_null(l.cmds);
}

static void
test_words(void **state)
{
	struct cmd_list l = tok_ok("  submit   10\tsleep 1s  ");

	(void)state;
	assert_int_equal(l.n, 1);
	assert_int_equal(l.cmds[0].argc, 4);
	assert_string_equal(l.cmds[0].argv[0], "submit");
	assert_string_equal(l.cmds[0].argv[1], "10");
	assert_string_equal(l.cmds[0].argv[2], "sleep");
	assert_string_equal(l.cmds[0].argv[3], "1s");
	assert_null(l.cmds[0].argv[4]);
	assert_false(l.cmds[0].ignore);
	cmd_list_free(&l);
}

static void
test_quotes(void **state)
{
	struct cmd_list l = tok_ok("echo 'a b;c' \"d \\\"e\\\" \\\\ f\" g\\ h ''");

	(void)state;
	assert_int_equal(l.n, 1);
	assert_int_equal(l.cmds[0].argc, 5);
	assert_string_equal(l.cmds[0].argv[1], "a b;c");
	assert_string_equal(l.cmds[0].argv[2], "d \"e\" \\ f");
	assert_string_equal(l.cmds[0].argv[3], "g h");
	assert_string_equal(l.cmds[0].argv[4], "");
	cmd_list_free(&l);
}

static void
test_commands_and_comments(void **state)
{
	struct cmd_list l = tok_ok("status; ;submit fail;-stop # the end; x");

	(void)state;
	assert_int_equal(l.n, 3);
	assert_string_equal(l.cmds[0].argv[0], "status");
	assert_string_equal(l.cmds[1].argv[0], "submit");
	assert_string_equal(l.cmds[2].argv[0], "stop");
	assert_true(l.cmds[2].ignore);
	assert_int_equal(l.cmds[2].argc, 1);
	cmd_list_free(&l);

	l = tok_ok("echo a#b '#c' # comment");
	assert_int_equal(l.cmds[0].argc, 3);
	assert_string_equal(l.cmds[0].argv[1], "a#b");
	assert_string_equal(l.cmds[0].argv[2], "#c");
	cmd_list_free(&l);

	l = tok_ok("   # only a comment");
	assert_int_equal(l.n, 0);
	cmd_list_free(&l);
	l = tok_ok("");
	assert_int_equal(l.n, 0);
	cmd_list_free(&l);
}

static void
test_errors(void **state)
{
	char line[CMD_WORDS_MAX * 2 + 8];
	int i;

	(void)state;
	tok_bad("echo 'open", "unterminated single quote (opened at column 6)");
	tok_bad("echo \"open", "unterminated double quote");
	tok_bad("echo \"a\\\"", "unterminated double quote");
	tok_bad("echo trailing\\", "trailing backslash");
	for (i = 0; i < CMD_WORDS_MAX + 1; i++) {
		line[2 * i] = 'a';
		line[2 * i + 1] = ' ';
	}
	line[2 * i] = '\0';
	tok_bad(line, "too many words");
}

static void
test_check_line(void **state)
{
	char err[256], *big;

	(void)state;
	assert_int_equal(cmd_check_line("status\t--json", 13, err, sizeof err),
			 0);
	assert_int_equal(cmd_check_line("sta\0tus", 7, err, sizeof err), -1);
	assert_non_null(strstr(err, "NUL byte at column 4"));
	assert_int_equal(cmd_check_line("a\x1b[A", 4, err, sizeof err), -1);
	assert_non_null(strstr(err, "control byte 0x1b at column 2"));
	assert_int_equal(cmd_check_line("a\x7f", 2, err, sizeof err), -1);
	big = malloc(CMD_LINE_MAX + 2);
	memset(big, 'x', CMD_LINE_MAX + 1);
	big[CMD_LINE_MAX + 1] = '\0';
	assert_int_equal(cmd_check_line(big, CMD_LINE_MAX, err, sizeof err), 0);
	assert_int_equal(
		cmd_check_line(big, CMD_LINE_MAX + 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "line too long"));
	free(big);
}

static void
test_quote(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(cmd_quote("abc", buf, sizeof buf), "abc");
	assert_string_equal(cmd_quote("a\tb", buf, sizeof buf), "a?b");
	cmd_quote("0123456789012345678901234567890123456789XYZ", buf,
		  sizeof buf);
	assert_int_equal(strlen(buf), 43);
	assert_string_equal(buf + 40, "...");
	assert_string_equal(cmd_quote(NULL, buf, sizeof buf), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_commands_and_comments),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_check_line),
		cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
