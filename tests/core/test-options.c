/*
 * test-options.c - unit tests of core/options.c: the standard's defaults,
 * the option table, field access, validation and derived sizes.
 */
#include "wptest.h"

#include "wp-internal.h"

#include <limits.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

/* The command language's names, in enum order. */
static const char *const names[WP_OPT_COUNT] = {
	"workers",
	"task-timeout",
	"stop-timeout",
	"stop-check",
	"monitor-interval",
	"health-interval",
	"task-queue",
	"result-queue",
	"error-queue",
	"orphan-cap",
	"contain-crashes",
	"health-heap",
	"health-threads-factor",
	"health-backlog-factor",
	"health-error-rate",
	"health-error-window",
	"health-error-min-samples",
	"health-stuck",
	"idle-spin",
};

/* Options whose config field may be 0, meaning "derived". */
static bool
derived(enum wp_option opt)
{
	return opt == WP_OPT_WORKERS || opt == WP_OPT_TASK_QUEUE_CAP ||
	       opt == WP_OPT_RESULT_QUEUE_CAP ||
	       opt == WP_OPT_ERROR_QUEUE_CAP || opt == WP_OPT_ORPHAN_CAP;
}

/* Options stored in an unsigned (not uint64_t) field. */
static bool
narrow_field(enum wp_option opt)
{
	switch (opt) {
	case WP_OPT_TASK_TIMEOUT_MS:
	case WP_OPT_STOP_TIMEOUT_MS:
	case WP_OPT_STOP_CHECK_MS:
	case WP_OPT_MONITOR_INTERVAL_MS:
	case WP_OPT_HEALTH_INTERVAL_MS:
	case WP_OPT_HEALTH_HEAP_BYTES:
	case WP_OPT_HEALTH_ERROR_WINDOW_MS:
	case WP_OPT_HEALTH_STUCK_MS:
	case WP_OPT_CONTAIN_CRASHES:
	case WP_OPT_IDLE_SPIN_US:
		return false;
	default:
		return true;
	}
}

static void
test_defaults(void **state)
{
	struct wp_config c;
	const char *field = NULL;

	(void)state;
	memset(&c, 0xab, sizeof(c));
	wp_config_init(&c);
	/* S4.1: sizes derive from workers; workers from the CPUs. */
	assert_int_equal(c.workers, 0);
	assert_int_equal(c.task_queue_cap, 0);
	assert_int_equal(c.result_queue_cap, 0);
	assert_int_equal(c.error_queue_cap, 0);
	assert_int_equal(c.orphan_cap, 0);
	assert_int_equal(c.event_ring_cap, 1024);
	/* S3.2: no deadline unless asked for. */
	assert_int_equal(c.task_timeout_ms, 0);
	/* S2.3: monitor every 5 s, health checker every 10 s. */
	assert_int_equal(c.monitor_interval_ms, 5000);
	assert_int_equal(c.health_interval_ms, 10000);
	/* S6.2: stop bounded at 10 s, progress every 100 ms. */
	assert_int_equal(c.stop_timeout_ms, 10000);
	assert_int_equal(c.stop_check_ms, 100);
	assert_false(c.contain_crashes);
	/* S7.2: 200 MB heap, 5 x threads, 5 x backlog, 10 % errors. */
	assert_int_equal(c.health_heap_bytes, 200ull * 1024 * 1024);
	assert_int_equal(c.health_threads_factor, 5);
	assert_int_equal(c.health_backlog_factor, 5);
	assert_int_equal(c.health_error_permille, 100);
	assert_int_equal(c.health_error_window_ms, 60000);
	assert_int_equal(c.health_error_min_samples, 20);
	assert_int_equal(c.health_stuck_ms, 30000);
	assert_int_equal(c.idle_spin_us, 500);
	assert_null(c.on_result);
	assert_null(c.on_error);
	assert_null(c.on_event);
	assert_null(c.on_metrics);
	assert_null(c.on_health);
	assert_null(c.udata);

	assert_int_equal(wp_config_validate(&c, &field), 0);
	assert_null(field);
	assert_int_equal(wp_config_validate(&c, NULL), 0);
	/* NULL is tolerated rather than crashed on. */
	wp_config_init(NULL);
}

static void
test_table(void **state)
{
	const struct wp_option_info *in;
	int o;
	const char *p;

	(void)state;
	for (o = 0; o < WP_OPT_COUNT; o++) {
		in = wp_option_info((enum wp_option)o);
		assert_non_null(in);
		assert_int_equal(in->opt, o);
		assert_string_equal(in->name, names[o]);
		for (p = in->name; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '-');
		assert_non_null(in->help);
		assert_true(strlen(in->help) > 10);
		assert_null(strchr(in->help, '\n'));
		assert_true(in->min <= in->max);
		/* Only contain-crashes is fixed at create. */
		assert_int_equal(in->runtime, o != WP_OPT_CONTAIN_CRASHES);
		assert_ptr_equal(wp_option_find(in->name), in);
	}
}

static void
test_units(void **state)
{
	int o;
	const struct wp_option_info *in;

	(void)state;
	for (o = 0; o < WP_OPT_COUNT; o++) {
		in = wp_option_info((enum wp_option)o);
		if (strstr(in->name, "timeout") ||
		    strstr(in->name, "interval") ||
		    strstr(in->name, "window") ||
		    strstr(in->name, "stuck") || strstr(in->name, "check"))
			assert_int_equal(in->unit, WP_UNIT_MS);
	}
	assert_int_equal(wp_option_info(WP_OPT_WORKERS)->unit, WP_UNIT_COUNT);
	assert_int_equal(wp_option_info(WP_OPT_TASK_QUEUE_CAP)->unit,
			 WP_UNIT_COUNT);
	assert_int_equal(wp_option_info(WP_OPT_HEALTH_HEAP_BYTES)->unit,
			 WP_UNIT_BYTES);
	assert_int_equal(wp_option_info(WP_OPT_CONTAIN_CRASHES)->unit,
			 WP_UNIT_BOOL);
	assert_int_equal(wp_option_info(WP_OPT_CONTAIN_CRASHES)->max, 1);
	assert_int_equal(wp_option_info(WP_OPT_HEALTH_ERROR_PERMILLE)->unit,
			 WP_UNIT_PERMILLE);
	assert_int_equal(wp_option_info(WP_OPT_IDLE_SPIN_US)->unit, WP_UNIT_US);
	assert_int_equal(wp_option_info(WP_OPT_IDLE_SPIN_US)->min, 0);
	assert_int_equal(wp_option_info(WP_OPT_HEALTH_ERROR_PERMILLE)->max,
			 1000);
	/* The ranges a running pool accepts: at least one worker and one
	 * queue slot; the public limits as maxima. */
	assert_int_equal(wp_option_info(WP_OPT_WORKERS)->min, 1);
	assert_int_equal(wp_option_info(WP_OPT_WORKERS)->max, WP_WORKERS_MAX);
	assert_int_equal(wp_option_info(WP_OPT_TASK_QUEUE_CAP)->min, 1);
	assert_int_equal(wp_option_info(WP_OPT_TASK_QUEUE_CAP)->max,
			 WP_QUEUE_CAP_MAX);
	assert_int_equal(wp_option_info(WP_OPT_TASK_TIMEOUT_MS)->min, 0);
	assert_int_equal(wp_option_info(WP_OPT_MONITOR_INTERVAL_MS)->min,
			 WP_INTERVAL_MIN_MS);
	assert_int_equal(wp_option_info(WP_OPT_MONITOR_INTERVAL_MS)->max,
			 WP_INTERVAL_MAX_MS);
}

static void
test_find_unknown(void **state)
{
	(void)state;
	assert_null(wp_option_find(NULL));
	assert_null(wp_option_find(""));
	assert_null(wp_option_find("nope"));
	assert_null(wp_option_find("Workers"));
	assert_null(wp_option_find("workers "));
	assert_null(wp_option_find("task_timeout"));
	assert_null(wp_option_find("task"));
	assert_null(wp_option_info((enum wp_option)WP_OPT_COUNT));
	assert_null(wp_option_info((enum wp_option)-1));
	assert_int_equal(wp_option_find("health-error-rate")->opt,
			 WP_OPT_HEALTH_ERROR_PERMILLE);
}

/* Sets opt to v and checks it reads back, with every other option
 * untouched. */
static void
round_trip(enum wp_option opt, uint64_t v)
{
	struct wp_config c;
	uint64_t before[WP_OPT_COUNT];
	int o;

	wp_config_init(&c);
	for (o = 0; o < WP_OPT_COUNT; o++)
		before[o] = wp__config_get(&c, (enum wp_option)o);
	wp__config_set(&c, opt, v);
	assert_int_equal(wp__config_get(&c, opt), v);
	for (o = 0; o < WP_OPT_COUNT; o++)
		if (o != (int)opt)
			assert_int_equal(wp__config_get(&c, (enum wp_option)o),
					 before[o]);
}

static void
test_round_trip(void **state)
{
	const struct wp_option_info *in;
	struct wp_config c;
	int o;

	(void)state;
	for (o = 0; o < WP_OPT_COUNT; o++) {
		in = wp_option_info((enum wp_option)o);
		round_trip(in->opt, in->min);
		round_trip(in->opt, in->max);
		round_trip(in->opt, in->min + (in->max - in->min) / 2);
		if (derived(in->opt))
			round_trip(in->opt, 0);
	}

	/* Each option reaches its own field. */
	wp_config_init(&c);
	wp__config_set(&c, WP_OPT_WORKERS, 7);
	wp__config_set(&c, WP_OPT_TASK_TIMEOUT_MS, 250);
	wp__config_set(&c, WP_OPT_ERROR_QUEUE_CAP, 3);
	wp__config_set(&c, WP_OPT_CONTAIN_CRASHES, 1);
	wp__config_set(&c, WP_OPT_HEALTH_HEAP_BYTES, 1ull << 40);
	wp__config_set(&c, WP_OPT_HEALTH_ERROR_MIN_SAMPLES, 9);
	assert_int_equal(c.workers, 7);
	assert_int_equal(c.task_timeout_ms, 250);
	assert_int_equal(c.error_queue_cap, 3);
	assert_true(c.contain_crashes);
	assert_int_equal(c.health_heap_bytes, 1ull << 40);
	assert_int_equal(c.health_error_min_samples, 9);

	/* An unknown option reads 0 and changes nothing. */
	assert_int_equal(wp__config_get(&c, (enum wp_option)WP_OPT_COUNT), 0);
	wp__config_set(&c, (enum wp_option)WP_OPT_COUNT, 5);
	assert_int_equal(c.workers, 7);
}

static void
expect_bad(const struct wp_config *c, const char *name)
{
	const char *field = NULL;

	assert_int_equal(wp_config_validate(c, &field), WP_ERANGE);
	assert_non_null(field);
	assert_string_equal(field, name);
	assert_int_equal(wp_config_validate(c, NULL), WP_ERANGE);
}

static void
test_validate_each_field(void **state)
{
	const struct wp_option_info *in;
	struct wp_config c;
	int o, tested = 0;

	(void)state;
	for (o = 0; o < WP_OPT_COUNT; o++) {
		in = wp_option_info((enum wp_option)o);
		if (in->unit == WP_UNIT_BOOL)
			continue; /* a bool field cannot hold 2 */
		if (in->max < (narrow_field(in->opt) ? UINT_MAX : UINT64_MAX)) {
			wp_config_init(&c);
			wp__config_set(&c, in->opt, in->max + 1);
			expect_bad(&c, in->name);
			tested++;
		}
		wp_config_init(&c);
		if (derived(in->opt)) {
			wp__config_set(&c, in->opt, 0);
			assert_int_equal(wp_config_validate(&c, NULL), 0);
		} else if (in->min > 0) {
			wp__config_set(&c, in->opt, in->min - 1);
			expect_bad(&c, in->name);
			tested++;
		}
	}
	/* All but health-heap (no upper bound) and contain-crashes have a
	 * reachable maximum. */
	assert_true(tested >= WP_OPT_COUNT - 2);

	wp_config_init(&c);
	c.workers = WP_WORKERS_MAX + 1;
	expect_bad(&c, "workers");
	wp_config_init(&c);
	c.task_queue_cap = WP_QUEUE_CAP_MAX + 1;
	expect_bad(&c, "task-queue");
	wp_config_init(&c);
	c.monitor_interval_ms = 0;
	expect_bad(&c, "monitor-interval");
	wp_config_init(&c);
	c.health_interval_ms = WP_INTERVAL_MAX_MS + 1;
	expect_bad(&c, "health-interval");
	wp_config_init(&c);
	c.health_error_permille = 1001;
	expect_bad(&c, "health-error-rate");
	wp_config_init(&c);
	c.event_ring_cap = WP_QUEUE_CAP_MAX + 1;
	expect_bad(&c, "event-ring");
	wp_config_init(&c);
	c.event_ring_cap = 0; /* derived: 1024 */
	assert_int_equal(wp_config_validate(&c, NULL), 0);
}

static void
test_validate_rules(void **state)
{
	struct wp_config c;
	const char *field = "untouched";

	(void)state;
	assert_int_equal(wp_config_validate(NULL, NULL), WP_EINVAL);
	assert_int_equal(wp_config_validate(NULL, &field), WP_EINVAL);
	assert_string_equal(field, "config");

	/* The progress interval cannot exceed the bound it reports on. */
	wp_config_init(&c);
	c.stop_check_ms = c.stop_timeout_ms + 1;
	expect_bad(&c, "stop-check");
	c.stop_check_ms = c.stop_timeout_ms;
	assert_int_equal(wp_config_validate(&c, NULL), 0);

	/* The first bad field in table order is the one named. */
	wp_config_init(&c);
	c.health_stuck_ms = 0;
	c.result_queue_cap = WP_QUEUE_CAP_MAX + 1;
	expect_bad(&c, "result-queue");

	/* Valid configs leave *field alone. */
	wp_config_init(&c);
	field = "untouched";
	assert_int_equal(wp_config_validate(&c, &field), 0);
	assert_string_equal(field, "untouched");
}

static void
test_resolve(void **state)
{
	struct wp_config c;
	cpu_set_t all, one;
	unsigned w;

	(void)state;
	/* The CPUs of the affinity mask, not all online ones: with the mask
	 * cut to one CPU, one worker by default. */
	assert_int_equal(sched_getaffinity(0, sizeof all, &all), 0);
	assert_int_equal(wp__cpus(), (unsigned)CPU_COUNT(&all));
	CPU_ZERO(&one);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &all)) {
			CPU_SET(i, &one);
			break;
		}
	assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
	assert_int_equal(wp__cpus(), 1);
	wp_config_init(&c);
	wp__config_resolve(&c);
	assert_int_equal(c.workers, 1);
	assert_int_equal(sched_setaffinity(0, sizeof all, &all), 0);

	wp_config_init(&c);
	wp__config_resolve(&c);
	w = WP__MIN(wp__cpus(), WP_WORKERS_MAX);
	assert_int_equal(c.workers, w);
	assert_int_equal(c.task_queue_cap, 2 * w);
	assert_int_equal(c.result_queue_cap, WP__RESULTS_PER_WORKER * w);
	assert_int_equal(c.error_queue_cap, w);
	assert_int_equal(c.orphan_cap, w);
	assert_int_equal(c.event_ring_cap, 1024);
	assert_int_equal(wp_config_validate(&c, NULL), 0);

	/* S4.1 with an explicit worker count. */
	wp_config_init(&c);
	c.workers = 3;
	c.event_ring_cap = 0;
	wp__config_resolve(&c);
	assert_int_equal(c.workers, 3);
	assert_int_equal(c.task_queue_cap, 6);
	assert_int_equal(c.result_queue_cap, 3 * 1024);
	assert_int_equal(c.error_queue_cap, 3);
	assert_int_equal(c.orphan_cap, 3);
	assert_int_equal(c.event_ring_cap, 1024);

	/* Explicit sizes are kept. */
	wp_config_init(&c);
	c.workers = 4;
	c.task_queue_cap = 100;
	c.result_queue_cap = 1;
	c.error_queue_cap = 2;
	c.orphan_cap = 9;
	c.event_ring_cap = 16;
	wp__config_resolve(&c);
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.task_queue_cap, 100);
	assert_int_equal(c.result_queue_cap, 1);
	assert_int_equal(c.error_queue_cap, 2);
	assert_int_equal(c.orphan_cap, 9);
	assert_int_equal(c.event_ring_cap, 16);
}

/* The public field access by option: every option round-trips, ranges are
 * checked, 0 is accepted where it means "derived". */
static void
test_public_config_access(void **state)
{
	struct wp_config c;
	uint64_t v;
	int o;

	(void)state;
	wp_config_init(&c);
	for (o = 0; o < WP_OPT_COUNT; o++) {
		const struct wp_option_info *oi = wp_option_info(o);

		assert_non_null(oi);
		assert_int_equal(wp_config_set(&c, o, oi->max), 0);
		assert_int_equal(wp_config_get(&c, o, &v), 0);
		assert_true(v == oi->max ||
			    (oi->unit == WP_UNIT_BOOL && v == 1));
		if (oi->max < UINT64_MAX)
			assert_int_equal(wp_config_set(&c, o, oi->max + 1),
					 WP_ERANGE);
	}
	assert_int_equal(wp_config_set(&c, WP_OPT_WORKERS, 0), 0);
	assert_int_equal(wp_config_set(&c, WP_OPT_TASK_QUEUE_CAP, 0), 0);
	assert_int_equal(wp_config_set(&c, WP_OPT_MONITOR_INTERVAL_MS, 0),
			 WP_ERANGE);
	assert_int_equal(wp_config_get(NULL, WP_OPT_WORKERS, &v), WP_EINVAL);
	assert_int_equal(wp_config_get(&c, (enum wp_option)999, &v),
			 WP_EINVAL);
	assert_int_equal(wp_config_set(&c, (enum wp_option)-1, 1), WP_EINVAL);
	assert_int_equal(wp_config_set(NULL, WP_OPT_WORKERS, 1), WP_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_find_unknown),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_validate_each_field),
		cmocka_unit_test(test_validate_rules),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_public_config_access),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
