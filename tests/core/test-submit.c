/*
 * test-submit.c - admission: wp_submit / wp_submit_wait and the task
 * context, through the public API.
 *
 * Covers: accepted tasks run and are delivered once; submit before start;
 * WP_EFULL, WP_ECLOSED, WP_EINVAL; blocking submit timing out, waking on
 * stop, getting room (also when the workers go into long runs with the
 * queue above the wake mark); WP_EWOULDDEADLOCK from a worker; ids unique across
 * submitting threads; options (kind, free_fn); the ctx accessors; as many
 * blocking tasks as workers all run at once, even after short tasks.
 */
#include "wpbt.h"

/* Fifty tasks: each delivered once, completed, with the id submit gave. */
static void
test_submit_runs_and_delivers(void **state)
{
	struct wp_config cfg;
	wp_pool *p;
	uint64_t ids[50];

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 64;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 50; i++)
		ids[i] = bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nres(&R), 50);
	for (int i = 0; i < 50; i++) {
		struct wp_result res;
		assert_int_equal(bt_result_of(&R, ids[i], &res), 1);
		assert_int_equal(res.outcome, WP_OUTCOME_COMPLETED);
		assert_int_equal(res.code, 0);
		assert_false(res.never_ran);
		assert_in_range(res.worker, 0, 1);
		assert_string_equal(res.kind, "noop");
	}
	assert_int_equal(atomic_load(&bt_w.started), 50);
	assert_int_equal(atomic_load(&bt_w.freed), 0);
	bt_finish(p, &R);
	end();
}

/* Submit before start is accepted and queued; it runs at start. */
static void
test_submit_before_start(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, false);
	assert_int_equal(wp_pool_state(p), WP_STATE_CREATED);
	for (int i = 0; i < 3; i++)
		bt_go(p, BT_NOOP, 0);
	m = bt_m(p);
	assert_int_equal(m.accepted, 3);
	assert_int_equal(m.in_flight, 3);
	assert_int_equal(m.task_queued, 3);
	wpt_assert_conserved(&m);
	assert_int_equal(bt_started(), 0);
	assert_int_equal(wp_pool_start(p), 0);
	BT_EVENTUALLY(bt_nout(&R, WP_OUTCOME_COMPLETED) == 3);
	bt_finish(p, &R);
	end();
}

/* A full queue refuses at once with WP_EFULL and does not take arg. */
static void
test_submit_full(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;
	int rc;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 2;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 1);
	bt_go(p, BT_NOOP, 0);
	bt_go(p, BT_NOOP, 0);
	rc = bt_submit(p, BT_NOOP, 0, 0, NULL);
	assert_int_equal(rc, WP_EFULL);
	m = bt_m(p);
	assert_int_equal(m.rejected_full, 1);
	assert_int_equal(m.rejected, 1);
	assert_int_equal(m.accepted, 3);
	assert_int_equal(m.task_queued, 2);
	wpt_assert_conserved(&m);
	atomic_store(&bt_w.gate, 1);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 3);
	assert_int_equal(atomic_load(&bt_w.freed), 0);
	bt_finish(p, &R);
	end();
}

/* After close-tasks, and after stop, submit says WP_ECLOSED. */
static void
test_submit_closed(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_true(wp_pool_is_accepting(p));
	assert_int_equal(wp_pool_close_tasks(p), 0);
	assert_false(wp_pool_is_accepting(p));
	assert_int_equal(bt_submit(p, BT_NOOP, 0, 0, NULL), WP_ECLOSED);
	assert_int_equal(bt_submit_opts(p, BT_NOOP, 0, 0, 0, BT_TO_DEF, true,
					100, NULL),
			 WP_ECLOSED);
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	assert_int_equal(bt_submit(p, BT_NOOP, 0, 0, NULL), WP_ECLOSED);
	m = bt_m(p);
	assert_int_equal(m.rejected_closed, 3);
	assert_int_equal(m.accepted, 0);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* Bad arguments: WP_EINVAL, nothing taken, nothing counted as accepted. */
static void
test_submit_invalid(void **state)
{
	struct wp_config cfg;
	struct wp_task_opts o;
	struct wp_metrics m;
	wp_pool *p;
	uint64_t id = 12345;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_submit(NULL, wpt_noop, NULL, NULL, &id), WP_EINVAL);
	assert_int_equal(wp_submit(p, NULL, NULL, NULL, &id), WP_EINVAL);
	assert_int_equal(wp_submit_wait(NULL, wpt_noop, NULL, NULL, 10, &id),
			 WP_EINVAL);
	assert_int_equal(wp_submit_wait(p, NULL, NULL, NULL, 10, &id),
			 WP_EINVAL);
	wp_task_opts_init(&o);
	o.priority = WP_PRIORITY_MAX + 1;
	assert_int_equal(wp_submit(p, wpt_noop, NULL, &o, &id), WP_EINVAL);
	o.priority = WP_PRIORITY_MIN - 1;
	assert_int_equal(wp_submit(p, wpt_noop, NULL, &o, &id), WP_EINVAL);
	assert_int_equal(wp_submit_wait(p, wpt_noop, NULL, &o, 10, &id),
			 WP_EINVAL);
	assert_int_equal(id, 12345); /* out-parameter untouched */
	m = bt_m(p);
	assert_int_equal(m.accepted, 0);
	/* NULL opts and NULL id are allowed. */
	assert_int_equal(wp_submit(p, wpt_noop, NULL, NULL, NULL), 0);
	o.priority = WP_PRIORITY_MAX;
	o.kind = NULL;
	assert_int_equal(wp_submit(p, wpt_noop, NULL, &o, NULL), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 2);
	bt_finish(p, &R);
	end();
}

/* wp_task_opts_init() gives the documented defaults. */
static void
test_submit_opts_defaults(void **state)
{
	struct wp_task_opts o;
	memset(&o, 0x5a, sizeof o);
	wp_task_opts_init(&o);
	assert_int_equal(o.priority, 0);
	assert_true(o.timeout_ms == WP_TIMEOUT_DEFAULT);
	assert_null(o.free_fn);
	assert_non_null(o.kind);
	assert_string_equal(o.kind, "task");
}

/* The kind label is copied at submit and truncated to WP_KIND_MAX. */
static void
test_submit_kind_copied(void **state)
{
	struct wp_config cfg;
	struct wp_task_opts o;
	struct wp_result res = {0};
	wp_pool *p;
	char kind[64];
	uint64_t id1, id2;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_pool_pause(p), 0);
	wp_task_opts_init(&o);
	strcpy(kind, "alpha");
	o.kind = kind;
	assert_int_equal(wp_submit(p, wpt_noop, NULL, &o, &id1), 0);
	memset(kind, 'k', sizeof kind - 1);
	kind[sizeof kind - 1] = '\0';
	assert_int_equal(wp_submit(p, wpt_noop, NULL, &o, &id2), 0);
	strcpy(kind, "overwritten");
	assert_int_equal(wp_pool_resume(p), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_result_of(&R, id1, &res), 1);
	assert_string_equal(res.kind, "alpha");
	assert_int_equal(bt_result_of(&R, id2, &res), 1);
	assert_int_equal(strlen(res.kind), WP_KIND_MAX - 1);
	assert_int_equal(res.kind[0], 'k');
	bt_finish(p, &R);
	end();
}

/* wp_submit_wait with the queue full times out with WP_ETIMEDOUT. */
static void
test_submit_wait_timeout(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 1;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 1);
	bt_go(p, BT_NOOP, 0);
	assert_int_equal(bt_submit_opts(p, BT_NOOP, 0, 0, 0, BT_TO_DEF, true,
					30, NULL),
			 WP_ETIMEDOUT);
	m = bt_m(p);
	assert_int_equal(m.rejected_timeout, 1);
	assert_int_equal(m.blocked_submitters, 0);
	wpt_assert_conserved(&m);
	bt_finish(p, &R);
	end();
}

struct waiter {
	wp_pool *p;
	uint64_t wait_ms;
	atomic_int rc;
	atomic_int done;
	uint64_t id;
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;
	int rc = bt_submit_opts(w->p, BT_NOOP, 0, 0, 0, BT_TO_DEF, true,
				w->wait_ms, &w->id);
	atomic_store(&w->rc, rc);
	atomic_store(&w->done, 1);
	return NULL;
}

/* A blocked submitter wakes with WP_ECLOSED when the pool stops, long
 * before its own 60 s timeout. */
static void
test_submit_wait_wakes_on_stop(void **state)
{
	struct wp_config cfg;
	struct waiter w = {.wait_ms = 60000};
	wp_pool *p;
	pthread_t t;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 1;
	p = bt_pool(&cfg, &R, true);
	w.p = p;
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 1);
	bt_go(p, BT_NOOP, 0);
	t = bt_spawn(waiter_main, &w);
	BT_EVENTUALLY(bt_m(p).blocked_submitters == 1);
	assert_int_equal(atomic_load(&w.done), 0);
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	BT_EVENTUALLY(atomic_load(&w.done) == 1);
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&w.rc), WP_ECLOSED);
	assert_int_equal(bt_m(p).blocked_submitters, 0);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* A blocked submitter gets in once a worker frees a queue slot. */
static void
test_submit_wait_gets_room(void **state)
{
	struct wp_config cfg;
	struct waiter w = {.wait_ms = WPT_CEILING_MS};
	wp_pool *p;
	pthread_t t;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 1;
	p = bt_pool(&cfg, &R, true);
	w.p = p;
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 1);
	bt_go(p, BT_NOOP, 0);
	t = bt_spawn(waiter_main, &w);
	BT_EVENTUALLY(bt_m(p).blocked_submitters == 1);
	atomic_store(&bt_w.gate, 1);
	BT_EVENTUALLY(atomic_load(&w.done) == 1);
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&w.rc), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_result_of(&R, w.id, NULL), 1);
	bt_finish(p, &R);
	end();
}

/* The room mark is set by the usual task length: with millisecond tasks
 * a worker wakes a blocked submitter only once the queue has drained to
 * a quarter.  Here both workers go into long runs having taken one task
 * each from a full queue: there is room, but the queue will not drain
 * to the mark for as long as they run.  The submitter must still get
 * in, well within its 3 s (it looks again at least every 10 ms). */
static void
test_submit_wait_room_above_mark(void **state)
{
	struct wp_config cfg;
	struct waiter w = {.wait_ms = 3000};
	wp_pool *p;
	pthread_t t;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 2;
	cfg.task_queue_cap = 8;
	p = bt_pool(&cfg, &R, true);
	w.p = p;
	for (int i = 0; i < 20; i++)
		assert_int_equal(
		    bt_submit_opts(p, BT_SPIN, 1, 0, 0, BT_TO_DEF, true,
				   WPT_CEILING_MS, NULL),
		    0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	bt_go(p, BT_HANG, 0);
	bt_go(p, BT_HANG, 0);
	BT_EVENTUALLY(bt_started() == 22);
	for (int i = 0; i < 8; i++)
		bt_go(p, BT_GATE, 0);
	t = bt_spawn(waiter_main, &w);
	BT_EVENTUALLY(bt_m(p).blocked_submitters == 1);
	atomic_store(&bt_w.release, 1);
	BT_EVENTUALLY(bt_started() == 24);
	BT_EVENTUALLY(atomic_load(&w.done) == 1);
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&w.rc), 0);
	atomic_store(&bt_w.gate, 1);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_result_of(&R, w.id, NULL), 1);
	bt_finish(p, &R);
	end();
}

/* A task doing a blocking submit into its own full pool gets
 * WP_EWOULDDEADLOCK at once instead of hanging. */
static void
test_submit_wait_self_deadlock(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 1;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_SUBMIT_SELF, 0);
	BT_EVENTUALLY(bt_started() == 1);
	bt_go(p, BT_NOOP, 0); /* fills the queue */
	atomic_store(&bt_w.go, 1);
	/* Ceiling 20 s < the task's 60 s wait: a hang fails here. */
	BT_EVENTUALLY(atomic_load(&bt_w.self_done) == 1);
	assert_int_equal(atomic_load(&bt_w.self_submit), WP_EWOULDDEADLOCK);
	m = bt_m(p);
	assert_int_equal(m.rejected_deadlock, 1);
	bt_finish(p, &R);
	end();
}

#define SUBMITTERS 4
#define PER_THREAD 150

struct burst {
	wp_pool *p;
	uint64_t ids[PER_THREAD];
	int n, bad;
};

static void *
burst_main(void *arg)
{
	struct burst *b = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		int rc = bt_submit_opts(b->p, BT_NOOP, 0, 0, i % 10, BT_TO_DEF,
					true, WPT_CEILING_MS, &b->ids[b->n]);
		if (rc == 0)
			b->n++;
		else
			b->bad = rc;
	}
	return NULL;
}

/* Four threads submit at once: every id unique, each delivered once. */
static void
test_submit_ids_unique_across_threads(void **state)
{
	struct wp_config cfg;
	struct burst b[SUBMITTERS];
	pthread_t t[SUBMITTERS];
	uint64_t all[SUBMITTERS * PER_THREAD];
	size_t n = 0;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < SUBMITTERS; i++) {
		memset(&b[i], 0, sizeof b[i]);
		b[i].p = p;
		t[i] = bt_spawn(burst_main, &b[i]);
	}
	for (int i = 0; i < SUBMITTERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < SUBMITTERS; i++) {
		assert_int_equal(b[i].bad, 0);
		assert_int_equal(b[i].n, PER_THREAD);
		for (int j = 0; j < b[i].n; j++)
			all[n++] = b[i].ids[j];
	}
	qsort(all, n, sizeof all[0], bt_cmp_u64);
	for (size_t i = 1; i < n; i++)
		assert_true(all[i] != all[i - 1]);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(bt_result_of(&R, all[i], NULL), 1);
	bt_finish(p, &R);
	end();
}

/* The ctx accessors inside a task, and value/message in the result. */
static void
test_submit_ctx_accessors(void **state)
{
	struct wp_config cfg;
	struct wp_result res = {0};
	wp_pool *p;
	uint64_t id;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_null(wp_ctx_current());
	assert_int_equal(bt_submit_opts(p, BT_CTXINFO, 0, 42, 3,
					WP_TIMEOUT_NONE, false, 0, &id),
			 0);
	BT_EVENTUALLY(atomic_load(&bt_w.ci_done) == 1);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(atomic_load(&bt_w.ci_id), id);
	assert_in_range(atomic_load(&bt_w.ci_worker), 0, 1);
	assert_int_equal(atomic_load(&bt_w.ci_err), 0);
	assert_int_equal(atomic_load(&bt_w.ci_value_deadline), 0);
	assert_int_equal(atomic_load(&bt_w.ci_current_ok), 1);
	assert_true(atomic_load(&bt_w.ci_pool) == (uintptr_t)p);
	assert_int_equal(bt_result_of(&R, id, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_COMPLETED);
	assert_int_equal(res.value, 42);
	assert_string_equal(res.msg, "hello 42");
	assert_int_equal(res.priority, 3);
	assert_int_equal(res.worker, atomic_load(&bt_w.ci_worker));
	assert_true(res.queued_ns >= 0);
	assert_true(res.run_ns >= 0);

	/* With a deadline, wp_ctx_deadline() is in the future at start. */
	atomic_store(&bt_w.ci_done, 0);
	{
		struct timespec ts;
		int64_t before;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		before = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		assert_int_equal(bt_submit_opts(p, BT_CTXINFO, 0, 1, 0, 10000,
						false, 0, &id),
				 0);
		BT_EVENTUALLY(atomic_load(&bt_w.ci_done) == 1);
		assert_true((int64_t)atomic_load(&bt_w.ci_value_deadline) >
			    before);
	}
	bt_finish(p, &R);
	end();
}

/* A task returning non-zero: FAILED with its code, one error entry. */
static void
test_submit_failed_task(void **state)
{
	struct wp_config cfg;
	struct wp_result res = {0};
	struct wp_error e = {0};
	wp_pool *p;
	uint64_t id;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(bt_submit(p, BT_FAIL, 0, 5, &id), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_result_of(&R, id, &res), 1);
	assert_int_equal(res.outcome, WP_OUTCOME_FAILED);
	assert_int_equal(res.code, 7);
	assert_false(res.panicked);
	assert_false(res.crashed);
	assert_string_equal(res.msg, "failed 5");
	BT_EVENTUALLY(bt_error_of(&R, id, NULL) == 1);
	assert_int_equal(bt_error_of(&R, id, &e), 1);
	assert_int_equal(e.outcome, WP_OUTCOME_FAILED);
	assert_int_equal(bt_m(p).failed, 1);
	bt_finish(p, &R);
	end();
}

/* More workers than CPUs, a short usual task length (a noop stream), then
 * as many blocking tasks as workers: every one of them runs at once.
 * Workers step aside while tasks are short and more are awake than CPUs;
 * a worker stuck in a run still counts as awake, so without the
 * watchdog's starvation rule the tasks beyond one per CPU would wait for
 * the running ones for ever (the cancel-latency bench hung on this). */
static void
test_submit_blocking_tasks_all_run(void **state)
{
	struct wp_config cfg;
	wp_pool *p;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned w = (unsigned)(ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu) * 2 + 2;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = w;
	cfg.task_queue_cap = 4096;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(bt_submit(p, BT_NOOP, 0, 0, NULL), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	for (unsigned i = 0; i < 2 * w; i++)
		bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 2000 + w);
	atomic_store(&bt_w.gate, 1);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nres(&R), 2000 + 2 * (int)w);
	assert_int_equal(bt_m(p).completed, 2000 + 2 * w);
	bt_finish(p, &R);
	end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_submit_runs_and_delivers),
		BT_TEST(test_submit_before_start),
		BT_TEST(test_submit_full),
		BT_TEST(test_submit_closed),
		BT_TEST(test_submit_invalid),
		BT_TEST(test_submit_opts_defaults),
		BT_TEST(test_submit_kind_copied),
		BT_TEST(test_submit_wait_timeout),
		BT_TEST(test_submit_wait_wakes_on_stop),
		BT_TEST(test_submit_wait_gets_room),
		BT_TEST(test_submit_wait_room_above_mark),
		BT_TEST(test_submit_wait_self_deadlock),
		BT_TEST(test_submit_ids_unique_across_threads),
		BT_TEST(test_submit_ctx_accessors),
		BT_TEST(test_submit_failed_task),
		BT_TEST(test_submit_blocking_tasks_all_run),
	};
	return cmocka_run_group_tests_name("submit", tests, NULL, NULL);
}
