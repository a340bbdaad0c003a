/*
 * test-errors.c - unit tests of core/errors.c: error messages and code
 * names generated from WP_ERRNO_MAP, and the names of every public enum
 * (the spellings the console and the docs rely on).
 */
#include "wptest.h"

#include "wp-internal.h"

#include <stdio.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct code {
	int val;
	const char *name;
	const char *msg;
};

static const struct code codes[] = {
#define CODE(name, val, msg) {WP_##name, "WP_" #name, msg},
	WP_ERRNO_MAP(CODE)
#undef CODE
};

static void
test_version(void **state)
{
	char want[32];

	(void)state;
	snprintf(want, sizeof(want), "%d.%d.%d", WP_VERSION_MAJOR,
		 WP_VERSION_MINOR, WP_VERSION_PATCH);
	assert_string_equal(wp_version(), WP_VERSION_STRING);
	assert_string_equal(wp_version(), want);
}

static void
test_error_codes(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < NELEM(codes); i++) {
		assert_true(codes[i].val < 0);
		assert_string_equal(wp_err_name(codes[i].val), codes[i].name);
		assert_string_equal(wp_strerror(codes[i].val), codes[i].msg);
		assert_true(strlen(wp_strerror(codes[i].val)) > 0);
		for (j = 0; j < i; j++)
			assert_int_not_equal(codes[i].val, codes[j].val);
	}
	assert_string_equal(wp_err_name(WP_OK), "WP_OK");
	assert_string_equal(wp_err_name(WP_EFULL), "WP_EFULL");
	assert_string_equal(wp_strerror(WP_EFULL), "task queue full");
	assert_string_not_equal(wp_strerror(WP_OK), "unknown error");
}

static void
test_unknown_codes(void **state)
{
	static const int bad[] = {1, 42, -1000, INT32_MIN, INT32_MAX};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		assert_string_equal(wp_strerror(bad[i]), "unknown error");
		assert_string_equal(wp_err_name(bad[i]), "WP_E?");
	}
	assert_string_equal(wp_strerror((int)NELEM(codes) * -1 - 1),
			    "unknown error");
}

/* Checks a name function against the exact spellings, then that names are
 * distinct and that values around the table give "unknown". */
static void
check_names(const char *(*fn)(int), const char *const *want, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		assert_non_null(fn((int)i));
		assert_string_equal(fn((int)i), want[i]);
		for (j = 0; j < i; j++)
			assert_string_not_equal(fn((int)i), fn((int)j));
	}
	assert_string_equal(fn((int)n), "unknown");
	assert_string_equal(fn((int)n + 1000), "unknown");
	assert_string_equal(fn(-1), "unknown");
	assert_string_equal(fn(INT32_MIN), "unknown");
}

/* Adapters: the enum-typed functions called with any int, as a caller
 * holding a corrupt value would. */
static const char *
outcome(int v)
{
	return wp_outcome_name((enum wp_outcome)v);
}

static const char *
event_type(int v)
{
	return wp_event_type_name((enum wp_event_type)v);
}

static const char *
pool_state(int v)
{
	return wp_pool_state_name((enum wp_pool_state)v);
}

static const char *
signal_name(int v)
{
	return wp_signal_name((enum wp_signal)v);
}

static const char *
phase(int v)
{
	return wp_stop_phase_name((enum wp_stop_phase)v);
}

static const char *
thread_class(int v)
{
	return wp_thread_class_name((enum wp_thread_class)v);
}

static const char *
check(int v)
{
	return wp_health_check_name((enum wp_health_check)v);
}

static const char *
worker_state(int v)
{
	return wp_worker_state_name((enum wp_worker_state)v);
}

static void
test_outcome_names(void **state)
{
	static const char *const want[] = {"none", "completed", "failed",
					   "timed-out", "cancelled"};

	(void)state;
	assert_int_equal(NELEM(want), WP_OUTCOME_COUNT);
	check_names(outcome, want, NELEM(want));
	assert_string_equal(wp_outcome_name(WP_OUTCOME_TIMED_OUT), "timed-out");
}

static void
test_event_type_names(void **state)
{
	static const char *const want[] = {
		"started", "signal", "stop-phase", "stop-progress",
		"stop-done", "timeout", "orphan", "orphan-back",
		"panic", "crash", "failed", "pause",
		"resume", "resize", "option", "health",
		"thread-exit", "drain", "note",
	};

	(void)state;
	assert_int_equal(NELEM(want), WP_EV_TYPE_COUNT);
	check_names(event_type, want, NELEM(want));
	assert_string_equal(wp_event_type_name(WP_EV_NOTE), "note");
}

static void
test_pool_state_names(void **state)
{
	static const char *const want[] = {
		"created", "running", "paused", "draining",
		"stopping", "stopped", "forced",
	};

	(void)state;
	assert_int_equal(NELEM(want), WP_STATE_FORCED + 1);
	check_names(pool_state, want, NELEM(want));
}

static void
test_signal_names_and_layers(void **state)
{
	static const char *const want[] = {
		"cancel", "shutdown", "stop-monitor", "stop-health",
		"close-tasks", "close-results", "close-errors",
	};
	static const int layer[] = {1, 2, 2, 2, 3, 3, 3};
	size_t i;

	(void)state;
	assert_int_equal(NELEM(want), WP_SIG_COUNT);
	check_names(signal_name, want, NELEM(want));
	for (i = 0; i < WP_SIG_COUNT; i++)
		assert_int_equal(wp_signal_layer((enum wp_signal)i), layer[i]);
	assert_int_equal(wp_signal_layer((enum wp_signal)WP_SIG_COUNT), 0);
	assert_int_equal(wp_signal_layer((enum wp_signal)-1), 0);
}

static void
test_phase_names(void **state)
{
	static const char *const want[] = {
		"closed", "shutdown", "monitor", "health", "cancel",
		"wait", "close-queues", "passive", "done",
	};

	(void)state;
	assert_int_equal(NELEM(want), WP_PHASE_COUNT);
	check_names(phase, want, NELEM(want));
}

static void
test_thread_class_names(void **state)
{
	static const char *const want[] = {
		"worker", "watchdog", "results", "errors",
		"monitor", "health", "orphan",
	};

	(void)state;
	assert_int_equal(NELEM(want), WP_THREAD_ORPHAN + 1);
	check_names(thread_class, want, NELEM(want));
}

static void
test_health_check_names(void **state)
{
	static const char *const want[] = {
		"heap", "threads", "backlog", "error-rate",
		"orphans", "stuck", "workers",
	};

	(void)state;
	assert_int_equal(NELEM(want), WP_HEALTH_CHECKS);
	check_names(check, want, NELEM(want));
}

static void
test_worker_state_names(void **state)
{
	static const char *const want[] = {"idle", "busy", "exited",
					   "orphaned"};

	(void)state;
	assert_int_equal(NELEM(want), WP_WORKER_ORPHANED + 1);
	check_names(worker_state, want, NELEM(want));
}

static void
test_rej_names(void **state)
{
	static const char *const want[] = {"full", "closed", "nomem",
					   "timeout", "deadlock"};

	(void)state;
	assert_int_equal(WP__REJ_FULL, 0);
	assert_int_equal(WP__REJ_DEADLOCK, NELEM(want) - 1);
	check_names(wp__rej_name, want, NELEM(want));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_unknown_codes),
		cmocka_unit_test(test_outcome_names),
		cmocka_unit_test(test_event_type_names),
		cmocka_unit_test(test_pool_state_names),
		cmocka_unit_test(test_signal_names_and_layers),
		cmocka_unit_test(test_phase_names),
		cmocka_unit_test(test_thread_class_names),
		cmocka_unit_test(test_health_check_names),
		cmocka_unit_test(test_worker_state_names),
		cmocka_unit_test(test_rej_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
