/*
 * test-fmt.c - tui/fmt.c: the console's number and time formats.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define WPTUI_INTERNAL
#include "tui.h"

static void
test_durations(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(tui_fmt_dur(b, sizeof(b), -1), "-");
	assert_string_equal(tui_fmt_dur(b, sizeof(b), 950000), "950us");
	assert_string_equal(tui_fmt_dur(b, sizeof(b), 2500000), "2.5ms");
	assert_string_equal(tui_fmt_dur(b, sizeof(b), 12000000), "12ms");
	assert_string_equal(tui_fmt_dur(b, sizeof(b), 1200000000), "1.2s");
	assert_string_equal(tui_fmt_dur(b, sizeof(b), 192000000000LL),
			    "3m12s");
	assert_string_equal(tui_fmt_dur(b, sizeof(b), 7500LL * 1000000000),
			    "2h05m");
	assert_string_equal(tui_fmt_dur(b, sizeof(b), 90000LL * 1000000000),
			    "1d01h");
	assert_string_equal(tui_fmt_ms(b, sizeof(b), 0.25), "0.2ms");
	assert_string_equal(tui_fmt_ms(b, sizeof(b), 12.4), "12ms");
	assert_string_equal(tui_fmt_ms(b, sizeof(b), 2000), "2s");
	assert_string_equal(tui_fmt_ms(b, sizeof(b), 2500), "2.5s");
	assert_string_equal(tui_fmt_ms(b, sizeof(b), -1), "-");
}

static void
test_counts_and_bytes(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(tui_fmt_count(b, sizeof(b), 0), "0");
	assert_string_equal(tui_fmt_count(b, sizeof(b), 9999), "9999");
	assert_string_equal(tui_fmt_count(b, sizeof(b), 12345), "12.3k");
	assert_string_equal(tui_fmt_count(b, sizeof(b), 1210000), "1.21M");
	assert_string_equal(tui_fmt_bytes(b, sizeof(b), 512), "512B");
	assert_string_equal(tui_fmt_bytes(b, sizeof(b), 12 * 1024 + 300),
			    "12.3K");
	assert_string_equal(tui_fmt_bytes(b, sizeof(b), 200ull << 20),
			    "200M");
	/* Short buffers truncate, never overflow. */
	assert_string_equal(tui_fmt_count(b, 3, 123456), "12");
}

static void
test_parse_ms(void **state)
{
	(void)state;
	assert_int_equal(tui_parse_ms("250ms"), 250);
	assert_int_equal(tui_parse_ms("2s"), 2000);
	assert_int_equal(tui_parse_ms("1.5s"), 1500);
	assert_int_equal(tui_parse_ms("1m"), 60000);
	assert_int_equal(tui_parse_ms("700"), 700);
	assert_int_equal(tui_parse_ms(" 3s"), 3000);
	assert_int_equal(tui_parse_ms("fast"), -1);
	assert_int_equal(tui_parse_ms("2h"), -1);
	assert_int_equal(tui_parse_ms("-1s"), -1);
	assert_int_equal(tui_parse_ms(""), -1);
}

static void
test_labels_and_width(void **state)
{
	(void)state;
	assert_string_equal(tui_state_label(WP_STATE_RUNNING), "RUNNING");
	assert_string_equal(tui_state_label(WP_STATE_FORCED), "FORCED");
	assert_int_equal(tui_text_width("abc", 3), 3);
	assert_int_equal(tui_text_width("a\tb", 3), 9);
	assert_int_equal(tui_text_width("\001", 1), 2);
	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL) {
		assert_int_equal(tui_text_width("\u00e9t\u00e9", 5), 3);
		assert_int_equal(tui_text_width("\u65e5\u672c", 6), 4);
	}
	assert_int_equal(tui_mono_to_wall(1000000000, 3000000000, 10000),
			 8000);
	assert_true(tui_hash(TUI_HASH_INIT, "a", 1) !=
		    tui_hash(TUI_HASH_INIT, "b", 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_counts_and_bytes),
		cmocka_unit_test(test_parse_ms),
		cmocka_unit_test(test_labels_and_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
