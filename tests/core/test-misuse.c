/*
 * test-misuse.c - the API refuses misuse with an error code and never
 * aborts (style: "a library never aborts on a recoverable condition"):
 * NULL everywhere, zero and absurd sizes in the config (the bad field is
 * named), options out of range or unknown, calls in the wrong state.
 * Out-parameters stay untouched on error.
 */
#include "wpbt.h"

static struct bt_rec R;

/* Every call that takes a pool refuses NULL. */
static void
test_null_pool(void **state)
{
	struct wp_metrics m;
	struct wp_health h;
	struct wp_worker_info w[2];
	struct wp_event ev[2];
	struct wp_signal_state st[WP_SIG_COUNT];
	const struct wp_stop_report *rep = NULL;
	size_t n = 0;
	uint64_t v = 0;
	int rc;

	assert_int_equal(wp_pool_start(NULL), WP_EINVAL);
	rc = wp_pool_destroy(NULL);
	assert_true(rc == 0 || rc == WP_EINVAL);
	assert_int_equal(wp_pool_pause(NULL), WP_EINVAL);
	assert_int_equal(wp_pool_resume(NULL), WP_EINVAL);
	assert_int_equal(wp_pool_wait_idle(NULL, 0), WP_EINVAL);
	for (int s = 0; s < WP_SIG_COUNT; s++) {
		assert_int_equal(wp_pool_signal(NULL, s), WP_EINVAL);
		assert_int_equal(bt_sigfn[s](NULL), WP_EINVAL);
	}
	assert_int_equal(wp_pool_stop(NULL, &rep), WP_EINVAL);
	assert_int_equal(wp_pool_drain(NULL, 0, &rep), WP_EINVAL);
	assert_null(rep);
	assert_null(wp_pool_last_stop(NULL));
	assert_false(wp_pool_is_accepting(NULL));
	(void)wp_pool_state(NULL);
	memset(st, 0x11, sizeof st);
	wp_pool_signals(NULL, st); /* must not crash */
	assert_int_equal(wp_submit(NULL, wpt_noop, NULL, NULL, NULL),
			 WP_EINVAL);
	assert_int_equal(wp_submit_wait(NULL, wpt_noop, NULL, NULL, 0, NULL),
			 WP_EINVAL);
	assert_int_equal(wp_pool_set_option(NULL, WP_OPT_WORKERS, 2),
			 WP_EINVAL);
	assert_int_equal(wp_pool_get_option(NULL, WP_OPT_WORKERS, &v),
			 WP_EINVAL);
	assert_int_equal(wp_pool_set_timeout(NULL, 5), WP_EINVAL);
	assert_int_equal(wp_pool_resize(NULL, 2), WP_EINVAL);
	assert_int_equal(wp_pool_metrics(NULL, &m), WP_EINVAL);
	assert_int_equal(wp_pool_metrics_published(NULL, &m), WP_EINVAL);
	assert_int_equal(wp_pool_health(NULL, &h), WP_EINVAL);
	assert_int_equal(wp_pool_health_published(NULL, &h), WP_EINVAL);
	assert_int_equal(wp_pool_health_take(NULL, &h), WP_EINVAL);
	assert_int_equal(wp_pool_workers(NULL, w, 2, &n), WP_EINVAL);
	assert_int_equal(wp_pool_events(NULL, 0, ev, 2, &n, NULL), WP_EINVAL);
	assert_int_equal(wp_pool_note(NULL, "x"), WP_EINVAL);
	assert_int_equal(wp_pool_create(NULL, NULL), WP_EINVAL);
	assert_int_equal(wp_config_validate(NULL, NULL), WP_EINVAL);
	assert_null(wp_ctx_current());
}

/* NULL out-parameters on a live pool. */
static void
test_null_outputs(void **state)
{
	struct wp_config cfg;
	struct wp_event ev[2];
	size_t n = 0;
	wp_pool *p;

	bt_world_reset();
	bt_rec_init(&R);
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_pool_metrics(p, NULL), WP_EINVAL);
	assert_int_equal(wp_pool_metrics_published(p, NULL), WP_EINVAL);
	assert_int_equal(wp_pool_health(p, NULL), WP_EINVAL);
	assert_int_equal(wp_pool_health_published(p, NULL), WP_EINVAL);
	assert_int_equal(wp_pool_health_take(p, NULL), WP_EINVAL);
	assert_int_equal(wp_pool_get_option(p, WP_OPT_WORKERS, NULL),
			 WP_EINVAL);
	assert_int_equal(wp_pool_events(p, 0, NULL, 2, &n, NULL), WP_EINVAL);
	assert_int_equal(wp_pool_events(p, 0, ev, 2, NULL, NULL), WP_EINVAL);
	assert_int_equal(wp_pool_workers(p, NULL, 4, &n), WP_EINVAL);
	assert_int_equal(wp_pool_note(p, NULL), WP_EINVAL);
	assert_int_equal(wp_pool_signal(p, WP_SIG_COUNT), WP_EINVAL);
	assert_int_equal(wp_pool_signal(p, (enum wp_signal)-1), WP_EINVAL);
	/* The pool still works. */
	assert_int_equal(wp_submit(p, wpt_noop, NULL, NULL, NULL), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	bt_finish(p, &R);
	bt_rec_fini(&R);
}

/* Same spelling after '-' becomes '_' (option names vs field names). */
static bool
names_field(const char *got, const char *field)
{
	char norm[64];
	size_t i;

	if (got == NULL)
		return false;
	for (i = 0; got[i] && i < sizeof norm - 1; i++)
		norm[i] = got[i] == '-' ? '_' : got[i];
	norm[i] = '\0';
	return strstr(field, norm) != NULL || strstr(norm, field) != NULL;
}

struct bad {
	const char *field;
	int opt; /* the option for this field */
	void (*set)(struct wp_config *);
};

/* validate may name the struct field or the option ("health-error-rate"
 * for health_error_permille). */
static bool
names_bad(const char *got, const struct bad *b)
{
	const struct wp_option_info *in = wp_option_info(b->opt);
	if (got == NULL)
		return false;
	return names_field(got, b->field) ||
	       (in != NULL && strcmp(got, in->name) == 0);
}

static void bad_workers(struct wp_config *c) { c->workers = WP_WORKERS_MAX + 1; }
static void bad_tq(struct wp_config *c) { c->task_queue_cap = WP_QUEUE_CAP_MAX + 1; }
static void bad_rq(struct wp_config *c) { c->result_queue_cap = WP_QUEUE_CAP_MAX + 1; }
static void bad_eq(struct wp_config *c) { c->error_queue_cap = WP_QUEUE_CAP_MAX + 1; }
static void bad_mon0(struct wp_config *c) { c->monitor_interval_ms = 0; }
static void bad_monmax(struct wp_config *c) { c->monitor_interval_ms = WP_INTERVAL_MAX_MS + 1; }
static void bad_health0(struct wp_config *c) { c->health_interval_ms = 0; }
static void bad_check0(struct wp_config *c) { c->stop_check_ms = 0; }
static void bad_stopmax(struct wp_config *c) { c->stop_timeout_ms = UINT64_MAX; }
static void bad_permille(struct wp_config *c) { c->health_error_permille = 1001; }
static void bad_orphans(struct wp_config *c) { c->orphan_cap = WP_WORKERS_MAX + 1; }
static void bad_timeout(struct wp_config *c) { c->task_timeout_ms = UINT64_MAX; }

/* Absurd config values: validate names the field, create refuses and
 * leaves *out alone. */
static void
test_config_validation(void **state)
{
	static const struct bad bads[] = {
		{"workers", WP_OPT_WORKERS, bad_workers},
		{"task_queue_cap", WP_OPT_TASK_QUEUE_CAP, bad_tq},
		{"result_queue_cap", WP_OPT_RESULT_QUEUE_CAP, bad_rq},
		{"error_queue_cap", WP_OPT_ERROR_QUEUE_CAP, bad_eq},
		{"monitor_interval_ms", WP_OPT_MONITOR_INTERVAL_MS, bad_mon0},
		{"monitor_interval_ms", WP_OPT_MONITOR_INTERVAL_MS, bad_monmax},
		{"health_interval_ms", WP_OPT_HEALTH_INTERVAL_MS, bad_health0},
		{"stop_check_ms", WP_OPT_STOP_CHECK_MS, bad_check0},
		{"stop_timeout_ms", WP_OPT_STOP_TIMEOUT_MS, bad_stopmax},
		{"health_error_permille", WP_OPT_HEALTH_ERROR_PERMILLE,
		 bad_permille},
		{"orphan_cap", WP_OPT_ORPHAN_CAP, bad_orphans},
		{"task_timeout_ms", WP_OPT_TASK_TIMEOUT_MS, bad_timeout},
	};
	struct wp_config cfg;
	const char *field = NULL;
	wp_pool *sentinel = (wp_pool *)&cfg, *p = sentinel;

	wp_config_init(&cfg);
	assert_int_equal(wp_config_validate(&cfg, &field), 0);
	assert_int_equal(wp_config_validate(&cfg, NULL), 0);
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		int rc;
		wp_config_init(&cfg);
		bads[i].set(&cfg);
		field = NULL;
		rc = wp_config_validate(&cfg, &field);
		if (rc != WP_EINVAL && rc != WP_ERANGE)
			fail_msg("%s: validate gave %s", bads[i].field,
				 wp_err_name(rc));
		if (!names_bad(field, &bads[i]))
			fail_msg("%s: validate named \"%s\"", bads[i].field,
				 field ? field : "(null)");
		assert_int_equal(wp_config_validate(&cfg, NULL), rc);
		p = sentinel;
		assert_int_equal(wp_pool_create(&cfg, &p), rc);
		assert_true(p == sentinel);
	}
	/* Zero sizes mean "derived", and are valid. */
	wp_config_init(&cfg);
	cfg.workers = 0;
	cfg.task_queue_cap = cfg.result_queue_cap = cfg.error_queue_cap = 0;
	cfg.event_ring_cap = 0;
	cfg.orphan_cap = 0;
	assert_int_equal(wp_config_validate(&cfg, &field), 0);
	p = NULL;
	assert_int_equal(wp_pool_create(&cfg, &p), 0);
	assert_non_null(p);
	{
		struct wp_metrics m;
		wpt_metrics(p, &m);
		assert_true(m.workers >= 1);
		assert_int_equal(m.task_cap, 2 * m.workers);
	}
	assert_int_equal(bt_destroy(p), 0);
	/* NULL cfg: the defaults. */
	p = NULL;
	assert_int_equal(wp_pool_create(NULL, &p), 0);
	assert_int_equal(bt_destroy(p), 0);
}

/* Options: out of range is WP_ERANGE, unknown WP_EINVAL, create-only after
 * start WP_ESTATE; a good value reads back. */
static void
test_options_misuse(void **state)
{
	struct wp_config cfg;
	uint64_t v = 12345;
	wp_pool *p;
	int nruntime = 0, ncreate = 0;

	bt_world_reset();
	bt_rec_init(&R);
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_pool_set_option(p, WP_OPT_COUNT, 1), WP_EINVAL);
	assert_int_equal(wp_pool_set_option(p, (enum wp_option)-1, 1),
			 WP_EINVAL);
	assert_int_equal(wp_pool_get_option(p, WP_OPT_COUNT, &v), WP_EINVAL);
	assert_int_equal(v, 12345);
	assert_null(wp_option_info(WP_OPT_COUNT));
	assert_null(wp_option_find("no-such-option"));
	assert_null(wp_option_find(NULL));
	for (int o = 0; o < WP_OPT_COUNT; o++) {
		const struct wp_option_info *in = wp_option_info(o);
		uint64_t before = 0, after = 0;
		assert_non_null(in);
		assert_int_equal(wp_pool_get_option(p, o, &before), 0);
		if (!in->runtime) {
			ncreate++;
			assert_int_equal(wp_pool_set_option(p, o, in->min),
					 WP_ESTATE);
			continue;
		}
		nruntime++;
		if (in->max < UINT64_MAX)
			if (wp_pool_set_option(p, o, in->max + 1) != WP_ERANGE)
				fail_msg("%s = max+1 accepted", in->name);
		if (in->min > 0)
			if (wp_pool_set_option(p, o, in->min - 1) != WP_ERANGE)
				fail_msg("%s = min-1 accepted", in->name);
		assert_int_equal(wp_pool_get_option(p, o, &after), 0);
		assert_true(after == before);
	}
	assert_true(nruntime > 0);
	(void)ncreate;
	assert_int_equal(wp_pool_set_option(p, WP_OPT_WORKERS, 0), WP_ERANGE);
	assert_int_equal(wp_pool_resize(p, 0), WP_ERANGE);
	assert_int_equal(wp_pool_resize(p, WP_WORKERS_MAX + 1), WP_ERANGE);
	assert_int_equal(wp_pool_set_option(p, WP_OPT_HEALTH_STUCK_MS, 5000),
			 0);
	assert_int_equal(wp_pool_get_option(p, WP_OPT_HEALTH_STUCK_MS, &v), 0);
	assert_int_equal(v, 5000);
	bt_finish(p, &R);
	bt_rec_fini(&R);
}

/* Wrong-state calls. */
static void
test_wrong_state(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	bt_world_reset();
	bt_rec_init(&R);
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, false);
	for (int s = 0; s < WP_SIG_COUNT; s++)
		assert_int_equal(wp_pool_signal(p, s), WP_ESTATE);
	assert_int_equal(wp_pool_start(p), 0);
	assert_int_equal(wp_pool_start(p), WP_ESTATE);
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	assert_int_equal(wp_pool_start(p), WP_ESTATE);
	assert_int_equal(wp_pool_pause(p), WP_ESTATE);
	assert_int_equal(wp_pool_resume(p), WP_ESTATE);
	assert_int_equal(wp_submit(p, wpt_noop, NULL, NULL, NULL), WP_ECLOSED);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	bt_rec_fini(&R);
}

/* Names of enum values exist for every value and stay sane outside. */
static void
test_names(void **state)
{
	for (int i = 0; i < WP_OUTCOME_COUNT; i++)
		assert_non_null(wp_outcome_name(i));
	for (int i = 0; i < WP_EV_TYPE_COUNT; i++)
		assert_non_null(wp_event_type_name(i));
	for (int i = 0; i < WP_PHASE_COUNT; i++)
		assert_non_null(wp_stop_phase_name(i));
	for (int i = 0; i < WP_HEALTH_CHECKS; i++)
		assert_non_null(wp_health_check_name(i));
	for (int i = WP_THREAD_WORKER; i <= WP_THREAD_ORPHAN; i++)
		assert_non_null(wp_thread_class_name(i));
	for (int i = WP_WORKER_IDLE; i <= WP_WORKER_ORPHANED; i++)
		assert_non_null(wp_worker_state_name(i));
	assert_string_equal(wp_strerror(-9999), "unknown error");
	assert_string_equal(wp_err_name(0), "WP_OK");
	assert_string_equal(wp_err_name(WP_EFULL), "WP_EFULL");
	(void)wp_outcome_name((enum wp_outcome)99);
	(void)wp_signal_name((enum wp_signal)99);
	(void)wp_stop_phase_name((enum wp_stop_phase)99);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_null_pool),
		BT_TEST(test_null_outputs),
		BT_TEST(test_config_validation),
		BT_TEST(test_options_misuse),
		BT_TEST(test_wrong_state),
		BT_TEST(test_names),
	};
	return cmocka_run_group_tests_name("misuse", tests, NULL, NULL);
}
