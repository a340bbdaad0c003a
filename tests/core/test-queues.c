/*
 * test-queues.c - the task, result and error queues (S4) as seen from
 * outside: priority order (FIFO within a priority), default capacities,
 * lengths, high-water marks and the age of the oldest task, result
 * back-pressure with one-at-a-time delivery, a full lane delivered by its
 * worker (in order, once each), wait_idle counting delivery, and the
 * task ring lapped many times by several submitters and workers at once
 * (every task run once, from the cell its own push wrote).
 */
#include "wpbt.h"

struct prio_task {
	int prio, tag;
};

static int
cmp_expected(const void *a, const void *b)
{
	const struct prio_task *x = a, *y = b;
	if (x->prio != y->prio)
		return y->prio - x->prio; /* higher first */
	return x->tag - y->tag;           /* then submit order */
}

/* One paused worker, thirty tasks of mixed priority: after resume they run
 * highest priority first, FIFO within a priority. */
static void
test_priority_order(void **state)
{
	enum { N = 30 };
	struct wp_config cfg;
	struct prio_task want[N];
	int got[N];
	unsigned ngot;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 64;
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_pool_pause(p), 0);
	for (int i = 0; i < N; i++) {
		int prio = (i * 7 + i / 3) % 10;
		want[i] = (struct prio_task){prio, i};
		assert_int_equal(bt_submit_opts(p, BT_RECORD, 0, i, prio,
						BT_TO_DEF, false, 0, NULL),
				 0);
	}
	assert_int_equal(bt_m(p).task_queued, N);
	assert_int_equal(bt_started(), 0);
	assert_int_equal(wp_pool_resume(p), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	qsort(want, N, sizeof want[0], cmp_expected);
	pthread_mutex_lock(&bt_w.mu);
	ngot = bt_w.norder;
	memcpy(got, bt_w.order, sizeof got);
	pthread_mutex_unlock(&bt_w.mu);
	assert_int_equal(ngot, N);
	for (int i = 0; i < N; i++)
		if (got[i] != want[i].tag)
			fail_msg("position %d ran task %d, expected %d "
				 "(priority %d)",
				 i, got[i], want[i].tag, want[i].prio);
	bt_finish(p, &R);
	end();
}

/* S4.1: task queue 2 x workers, error queue 1 x workers; the result
 * queue 1024 x workers (results travel in per-worker lanes: see
 * docs/design.md, "departures"). */
static void
test_default_capacities(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 3;
	cfg.task_queue_cap = 0;
	cfg.result_queue_cap = 0;
	cfg.error_queue_cap = 0;
	p = bt_pool(&cfg, &R, true);
	m = bt_m(p);
	assert_int_equal(m.task_cap, 6);
	assert_int_equal(m.result_cap, 3 * 1024);
	assert_int_equal(m.error_cap, 3);
	bt_finish(p, &R);
	end();
}

/* Length, high-water mark and oldest age while tasks wait; all back to
 * zero (hwm kept) once they ran. */
static void
test_lengths_hwm_oldest(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 8;
	p = bt_pool(&cfg, &R, true);
	m = bt_m(p);
	assert_int_equal(m.task_queued, 0);
	assert_int_equal(m.oldest_queued_ns, 0);
	assert_int_equal(wp_pool_pause(p), 0);
	for (int i = 0; i < 5; i++)
		bt_go(p, BT_NOOP, 0);
	BT_EVENTUALLY(bt_m(p).oldest_queued_ns > 0);
	m = bt_m(p);
	assert_int_equal(m.task_queued, 5);
	assert_true(m.task_hwm >= 5);
	assert_int_equal(m.in_flight, 5);
	assert_int_equal(wp_pool_resume(p), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	m = bt_m(p);
	assert_int_equal(m.task_queued, 0);
	assert_int_equal(m.oldest_queued_ns, 0);
	assert_int_equal(m.task_hwm, 5);
	assert_int_equal(m.in_flight, 0);
	assert_int_equal(m.result_queued, 0);
	assert_int_equal(m.error_queued, 0);
	bt_finish(p, &R);
	end();
}

/* A slow result callback and a tiny result queue: a worker whose lane is
 * full delivers it itself, so it waits only for the callback in progress;
 * nothing is lost, callbacks never overlap, the queue never passes its cap
 * for ordinary completions. */
static void
test_result_backpressure(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	R.result_sleep_ms = 2;
	bt_cfg(&cfg, &R);
	cfg.workers = 3;
	cfg.result_queue_cap = 2;
	cfg.task_queue_cap = 64;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 30; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nres(&R), 30);
	m = bt_m(p);
	assert_int_equal(m.result_cap, 2);
	assert_true(m.result_hwm >= 1);
	/* Results enter in batches while the queue is below its cap. */
	assert_true(m.result_hwm < m.result_cap + WP_RESULT_BATCH * cfg.workers);
	assert_int_equal(m.delivered, 30);
	assert_false(atomic_load(&R.overlap_r));
	bt_finish(p, &R);
	end();
}

/* Who delivered what, for test_full_lane_delivered_by_worker. */
#define LANE_TASKS 400
static struct {
	pthread_mutex_t mu;
	uint64_t ids[LANE_TASKS];
	int worker[LANE_TASKS];
	unsigned n, by_worker_thread;
	atomic_uint in_cb;
	atomic_bool overlap;
} lane_log = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void
log_result(void *udata, const struct wp_result *r)
{
	char name[16] = "";

	(void)udata;
	if (atomic_fetch_add(&lane_log.in_cb, 1) != 0)
		atomic_store(&lane_log.overlap, true);
	pthread_getname_np(pthread_self(), name, sizeof name);
	pthread_mutex_lock(&lane_log.mu);
	if (lane_log.n < LANE_TASKS) {
		lane_log.ids[lane_log.n] = r->id;
		lane_log.worker[lane_log.n] = r->worker;
	}
	lane_log.n++;
	if (strncmp(name, "wp-worker-", 10) == 0)
		lane_log.by_worker_thread++;
	pthread_mutex_unlock(&lane_log.mu);
	atomic_fetch_sub(&lane_log.in_cb, 1);
}

/* Lanes of one result each (the result queue's capacity is the number of
 * workers) while the handler sleeps until a batch is due: a worker finds
 * its lane full at almost every push and delivers it itself, on its own
 * thread, rather than waiting for the handler.  Every result is delivered
 * once, one callback at a time, and each worker's results arrive in the
 * order it produced them, whoever delivered them. */
static void
test_full_lane_delivered_by_worker(void **state)
{
	struct wp_config cfg;
	uint64_t last[2] = {0, 0};
	bool seen[LANE_TASKS + 1] = {false};
	wp_pool *p;

	(void)state;
	wpt_config(&cfg);
	cfg.workers = 2;
	cfg.task_queue_cap = LANE_TASKS;
	cfg.result_queue_cap = 2;
	cfg.on_result = log_result;
	assert_int_equal(wp_pool_create(&cfg, &p), 0);
	assert_int_equal(wp_pool_pause(p), 0);
	assert_int_equal(wp_pool_start(p), 0);
	for (int i = 0; i < LANE_TASKS; i++)
		assert_int_equal(wp_submit(p, wpt_noop, NULL, NULL, NULL), 0);
	assert_int_equal(wp_pool_resume(p), 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	assert_int_equal(wp_pool_destroy(p), 0);

	assert_int_equal(lane_log.n, LANE_TASKS);
	assert_false(atomic_load(&lane_log.overlap));
	assert_true(lane_log.by_worker_thread > 0);
	for (unsigned i = 0; i < LANE_TASKS; i++) {
		uint64_t id = lane_log.ids[i];
		int w = lane_log.worker[i];

		assert_true(id >= 1 && id <= LANE_TASKS);
		assert_false(seen[id]);
		seen[id] = true;
		assert_true(w == 0 || w == 1);
		assert_true(id > last[w]);
		last[w] = id;
	}
}

/* wait_idle returns only once every outcome was delivered. */
static void
test_wait_idle_counts_delivery(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	begin();
	R.result_sleep_ms = 15;
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 8;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 5; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nres(&R), 5);
	bt_finish(p, &R);
	end();
}

/* Many tasks of one priority on one worker run in submit order. */
static void
test_fifo_within_priority(void **state)
{
	enum { N = 200 };
	struct wp_config cfg;
	static int got[BT_ORDER_MAX];
	unsigned ngot;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 16;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < N; i++)
		assert_int_equal(bt_submit_opts(p, BT_RECORD, 0, i, 4,
						BT_TO_DEF, true,
						WPT_CEILING_MS, NULL),
				 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	pthread_mutex_lock(&bt_w.mu);
	ngot = bt_w.norder;
	memcpy(got, bt_w.order, sizeof got);
	pthread_mutex_unlock(&bt_w.mu);
	assert_int_equal(ngot, N);
	for (int i = 0; i < N; i++)
		if (got[i] != i)
			fail_msg("position %d ran task %d", i, got[i]);
	bt_finish(p, &R);
	end();
}

/* The task ring lapped many times: three submitters and four workers on a
 * queue of 64 (a ring of 256 cells), the capacity raised past the ring
 * half-way (the overflow list then takes what the ring cannot).  Every
 * task runs once and sees the id its own submit was given: a cell is
 * never written again while a worker still copies it out. */
enum { LAP_PRODUCERS = 3, LAP_TASKS = 20000 };

struct lap_slot {
	atomic_int runs;
	_Atomic uint64_t ran_as; /* wp_ctx_task_id() inside the task */
	uint64_t id;		 /* what its submit returned */
};

static struct lap_slot lap_slots[LAP_PRODUCERS * LAP_TASKS];
static atomic_ulong lap_results;

static int
lap_task(wp_ctx *ctx, void *arg)
{
	struct lap_slot *s = arg;

	atomic_fetch_add(&s->runs, 1);
	atomic_store(&s->ran_as, wp_ctx_task_id(ctx));
	return 0;
}

static void
lap_result(void *udata, const struct wp_result *r)
{
	(void)udata;
	if (r->outcome == WP_OUTCOME_COMPLETED)
		atomic_fetch_add(&lap_results, 1);
}

struct lap_producer {
	wp_pool *p;
	int k;
	int failed; /* the first submit error */
};

static void *
lap_produce(void *arg)
{
	struct lap_producer *pr = arg;

	for (int i = 0; i < LAP_TASKS; i++) {
		struct lap_slot *s = &lap_slots[pr->k * LAP_TASKS + i];
		int rc = wp_submit_wait(pr->p, lap_task, s, NULL,
					WPT_CEILING_MS, &s->id);

		if (rc != 0 && !pr->failed)
			pr->failed = rc;
		if (pr->k == 0 && i == LAP_TASKS / 2)
			(void)wp_pool_set_option(pr->p, WP_OPT_TASK_QUEUE_CAP,
						 1000);
	}
	return NULL;
}

static void
test_ring_laps(void **state)
{
	struct lap_producer pr[LAP_PRODUCERS];
	pthread_t tid[LAP_PRODUCERS];
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	(void)state;
	memset(lap_slots, 0, sizeof lap_slots);
	atomic_store(&lap_results, 0);
	wpt_config(&cfg); /* the suite's bounded stop, monitor and health */
	cfg.workers = 4;
	cfg.task_queue_cap = 64;
	cfg.on_result = lap_result;
	assert_int_equal(wp_pool_create(&cfg, &p), 0);
	assert_int_equal(wp_pool_start(p), 0);
	for (int k = 0; k < LAP_PRODUCERS; k++) {
		pr[k] = (struct lap_producer){.p = p, .k = k};
		assert_int_equal(pthread_create(&tid[k], NULL, lap_produce,
						&pr[k]),
				 0);
	}
	for (int k = 0; k < LAP_PRODUCERS; k++) {
		pthread_join(tid[k], NULL);
		assert_int_equal(pr[k].failed, 0);
	}
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	for (int i = 0; i < LAP_PRODUCERS * LAP_TASKS; i++) {
		struct lap_slot *s = &lap_slots[i];

		if (atomic_load(&s->runs) != 1 ||
		    atomic_load(&s->ran_as) != s->id)
			fail_msg("task %d: ran %d times, as id %llu, submitted "
				 "as %llu",
				 i, atomic_load(&s->runs),
				 (unsigned long long)atomic_load(&s->ran_as),
				 (unsigned long long)s->id);
	}
	assert_int_equal(atomic_load(&lap_results),
			 LAP_PRODUCERS * LAP_TASKS);
	assert_int_equal(wp_pool_metrics(p, &m), 0);
	assert_int_equal(m.accepted, LAP_PRODUCERS * LAP_TASKS);
	assert_int_equal(wp_pool_destroy(p), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_priority_order),
		BT_TEST(test_default_capacities),
		BT_TEST(test_lengths_hwm_oldest),
		BT_TEST(test_result_backpressure),
		BT_TEST(test_wait_idle_counts_delivery),
		BT_TEST(test_full_lane_delivered_by_worker),
		BT_TEST(test_fifo_within_priority),
		BT_TEST(test_ring_laps),
	};
	return cmocka_run_group_tests_name("queues", tests, NULL, NULL);
}
