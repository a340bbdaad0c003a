/*
 * test-units.c - commands/units.c: numbers, durations, sizes, rates.
 */
#include <string.h>

#include "cmdtest.h"

static void
dur_ok(const char *s, uint64_t want)
{
	char err[200] = "";
	uint64_t ms = 12345;

	if (cmd_parse_duration(s, true, &ms, err, sizeof err) != 0)
		fprintf(stderr, "duration '%s': %s\n", s, err);
	assert_string_equal(err, "");
	assert_int_equal(ms, want);
}

static void
dur_bad(const char *s, const char *want)
{
	char err[200] = "";
	uint64_t ms = 777;

	assert_int_equal(cmd_parse_duration(s, false, &ms, err, sizeof err),
			 -1);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "duration '%s': '%s' lacks '%s'\n", s, err,
			want);
	assert_non_null(strstr(err, want));
	assert_int_equal(ms, 777); /* untouched */
}

static void
test_numbers(void **state)
{
	char err[200];
	uint64_t v;

	(void)state;
	assert_int_equal(cmd_parse_u64("0", 10, &v, err, sizeof err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cmd_parse_u64("18446744073709551615", UINT64_MAX, &v,
				       err, sizeof err),
			 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(cmd_parse_u64("18446744073709551616", UINT64_MAX, &v,
				       err, sizeof err),
			 -1);
	assert_non_null(strstr(err, "too large"));
	assert_int_equal(cmd_parse_u64("11", 10, &v, err, sizeof err), -1);
	assert_non_null(strstr(err, "the limit is 10"));
	assert_int_equal(cmd_parse_u64("-1", 10, &v, err, sizeof err), -1);
	assert_non_null(strstr(err, "negative"));
	assert_int_equal(cmd_parse_u64("12x", 100, &v, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a number"));
	assert_int_equal(cmd_parse_u64("", 100, &v, err, sizeof err), -1);
	assert_int_equal(cmd_parse_u64(" 1", 100, &v, err, sizeof err), -1);
	assert_int_equal(cmd_parse_u64("+1", 100, &v, err, sizeof err), -1);
}

static void
test_durations(void **state)
{
	(void)state;
	dur_ok("250ms", 250);
	dur_ok("2s", 2000);
	dur_ok("1m", 60000);
	dur_ok("1min", 60000);
	dur_ok("1h", 3600000);
	dur_ok("1.5s", 1500);
	dur_ok("1m30s", 90000);
	dur_ok("0", 0);
	dur_ok("0ms", 0);
	dur_ok("off", 0);
	dur_ok("1500us", 1);
	dur_bad("500", "needs a unit");
	dur_bad("5x", "unknown unit 'x'");
	dur_bad("5msx", "unknown unit");
	dur_bad("-1s", "negative");
	dur_bad("", "bad duration");
	dur_bad("s", "bad duration");
	dur_bad("off", "bad duration"); /* not allowed here */
	dur_bad("0.5ms", "below the 1ms resolution");
	dur_bad("99999999999999999999s", "too long");
	dur_bad("31d", "unknown unit 'd'");
	dur_bad("800h", "too long");
	dur_bad("1.s", "needs a unit");
}

static void
test_sizes(void **state)
{
	char err[200];
	uint64_t b;

	(void)state;
	assert_int_equal(cmd_parse_size("200MB", &b, err, sizeof err), 0);
	assert_true(b == 200ull << 20);
	assert_int_equal(cmd_parse_size("1gib", &b, err, sizeof err), 0);
	assert_true(b == 1ull << 30);
	assert_int_equal(cmd_parse_size("1.5KB", &b, err, sizeof err), 0);
	assert_int_equal(b, 1536);
	assert_int_equal(cmd_parse_size("4096", &b, err, sizeof err), 0);
	assert_int_equal(b, 4096);
	assert_int_equal(cmd_parse_size("12XB", &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown unit 'XB'"));
	assert_int_equal(cmd_parse_size("-1MB", &b, err, sizeof err), -1);
	assert_int_equal(cmd_parse_size("99999999999TB", &b, err, sizeof err),
			 -1);
	assert_non_null(strstr(err, "too large"));
}

static void
test_rates_bools_permille(void **state)
{
	char err[200];
	double r;
	bool on;
	uint64_t p;

	(void)state;
	assert_int_equal(cmd_parse_rate("20/s", &r, err, sizeof err), 0);
	assert_true(r == 20.0);
	assert_int_equal(cmd_parse_rate("30/m", &r, err, sizeof err), 0);
	assert_true(r == 0.5);
	assert_int_equal(cmd_parse_rate("7", &r, err, sizeof err), 0);
	assert_true(r == 7.0);
	assert_int_equal(cmd_parse_rate("0/s", &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "above zero"));
	assert_int_equal(cmd_parse_rate("1000000/s", &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "too high"));
	assert_int_equal(cmd_parse_rate("5/x", &r, err, sizeof err), -1);
	assert_int_equal(cmd_parse_bool("On", &on, err, sizeof err), 0);
	assert_true(on);
	assert_int_equal(cmd_parse_bool("no", &on, err, sizeof err), 0);
	assert_false(on);
	assert_int_equal(cmd_parse_bool("maybe", &on, err, sizeof err), -1);
	assert_int_equal(cmd_parse_permille("10%", &p, err, sizeof err), 0);
	assert_int_equal(p, 100);
	assert_int_equal(cmd_parse_permille("12.5%", &p, err, sizeof err), 0);
	assert_int_equal(p, 125);
	assert_int_equal(cmd_parse_permille("250", &p, err, sizeof err), 0);
	assert_int_equal(p, 250);
	assert_int_equal(cmd_parse_permille("1.5", &p, err, sizeof err), -1);
}

static void
test_formatting(void **state)
{
	const struct wp_option_info *oi;
	char b[48];

	(void)state;
	assert_string_equal(cmd_fmt_ms(0, b, sizeof b), "0ms");
	assert_string_equal(cmd_fmt_ms(250, b, sizeof b), "250ms");
	assert_string_equal(cmd_fmt_ms(2000, b, sizeof b), "2s");
	assert_string_equal(cmd_fmt_ms(1500, b, sizeof b), "1500ms");
	assert_string_equal(cmd_fmt_ms(120000, b, sizeof b), "2m");
	assert_string_equal(cmd_fmt_ms(7200000, b, sizeof b), "2h");
	assert_string_equal(cmd_fmt_bytes(200ull << 20, b, sizeof b), "200MB");
	assert_string_equal(cmd_fmt_bytes(1536, b, sizeof b), "1.5KB");
	assert_string_equal(cmd_fmt_bytes(12, b, sizeof b), "12B");
	assert_string_equal(cmd_fmt_ns(1500000, b, sizeof b), "1.5ms");
	oi = wp_option_info(WP_OPT_TASK_TIMEOUT_MS);
	assert_string_equal(cmd_fmt_option(oi, 0, b, sizeof b), "off");
	oi = wp_option_info(WP_OPT_CONTAIN_CRASHES);
	assert_string_equal(cmd_fmt_option(oi, 1, b, sizeof b), "on");
	oi = wp_option_info(WP_OPT_HEALTH_ERROR_PERMILLE);
	assert_string_equal(cmd_fmt_option(oi, 100, b, sizeof b), "10.0%");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_rates_bools_permille),
		cmocka_unit_test(test_formatting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
