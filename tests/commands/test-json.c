/*
 * test-json.c - commands/json.c: nesting, commas, escapes, bad UTF-8.
 */
#include <string.h>

#include "cmdtest.h"

static void
test_nesting(void **state)
{
	struct cmd_json j;

	(void)state;
	cmd_json_init(&j, true);
	cmd_json_str(&j, "a", "x");
	cmd_json_arr_open(&j, "b");
	cmd_json_u64(&j, NULL, 1);
	cmd_json_obj_open(&j, NULL);
	cmd_json_bool(&j, "t", true);
	cmd_json_null(&j, "n");
	cmd_json_obj_close(&j);
	cmd_json_arr_close(&j);
	cmd_json_i64(&j, "c", -5);
	cmd_json_dbl(&j, "d", 1.5);
	cmd_json_str(&j, "e", NULL);
	cmd_json_arr_open(&j, "f");
	cmd_json_arr_close(&j);
	cmd_json_obj_close(&j);
	assert_string_equal(cmd_json_text(&j),
			    "{\"a\":\"x\",\"b\":[1,{\"t\":true,\"n\":null}],"
			    "\"c\":-5,\"d\":1.500,\"e\":null,\"f\":[]}");
	cmd_json_free(&j);
}

static void
test_members_after(void **state)
{
	struct cmd_json j, k;

	(void)state;
	cmd_json_init(&j, false);
	assert_string_equal(cmd_json_text(&j), "");
	cmd_json_u64(&j, "x", 1);
	cmd_json_init(&k, true);
	cmd_json_str(&k, "cmd", "c");
	cmd_json_raw(&k, cmd_json_text(&j));
	cmd_json_obj_close(&k);
	assert_string_equal(cmd_json_text(&k), "{\"cmd\":\"c\",\"x\":1}");
	cmd_json_free(&j);
	cmd_json_free(&k);
}

static void
test_escapes(void **state)
{
	struct cmd_json j;

	(void)state;
	cmd_json_init(&j, true);
	cmd_json_str(&j, "s", "q\"b\\n\n\t\x01\x7f");
	cmd_json_str(&j, "u", "caf\xc3\xa9 \xe2\x82\xac");
	cmd_json_str(&j, "bad", "a\xff" "b\xc3" "c\xe2\x82" "d\xed\xa0\x80");
	cmd_json_obj_close(&j);
	assert_string_equal(cmd_json_text(&j),
			    "{\"s\":\"q\\\"b\\\\n\\n\\t\\u0001\\u007f\","
			    "\"u\":\"caf\xc3\xa9 \xe2\x82\xac\","
			    "\"bad\":\"a\\ufffdb\\ufffdc\\ufffd\\ufffdd"
			    "\\ufffd\\ufffd\\ufffd\"}");
	cmd_json_free(&j);
}

static void
test_non_finite(void **state)
{
	struct cmd_json j;
	double zero = 0.0;

	(void)state;
	cmd_json_init(&j, true);
	cmd_json_dbl(&j, "x", 1.0 / zero);
	cmd_json_obj_close(&j);
	assert_string_equal(cmd_json_text(&j), "{\"x\":null}");
	cmd_json_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_members_after),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_non_finite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
