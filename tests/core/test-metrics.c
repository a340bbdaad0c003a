/*
 * test-metrics.c - what the pool reports about itself (S7.1): counters by
 * outcome and by rejection reason, processing-time percentiles, thread
 * flags, snapshots consistent under load, the monitor's published
 * snapshot, the worker list, and the event stream.
 */
#include "wpbt.h"

/* Exact counters for a known mix of outcomes. */
static void
test_metrics_outcome_counts(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 32;
	cfg.error_queue_cap = 32;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 5; i++)
		bt_go(p, BT_NOOP, 0);
	for (int i = 0; i < 3; i++)
		bt_go(p, BT_FAIL, 0);
	for (int i = 0; i < 2; i++)
		bt_go(p, BT_PANIC, 0);
	for (int i = 0; i < 2; i++)
		bt_go_to(p, BT_SLEEP, 60000, 30);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	m = bt_m(p);
	assert_int_equal(m.accepted, 12);
	assert_int_equal(m.submitted, 12);
	assert_int_equal(m.completed, 5);
	assert_int_equal(m.failed, 5);
	assert_int_equal(m.panics, 2);
	assert_int_equal(m.timed_out, 2);
	assert_int_equal(m.cancelled, 0);
	assert_int_equal(m.in_flight, 0);
	assert_int_equal(m.delivered, 12);
	BT_EVENTUALLY(bt_m(p).errors_reported == 7);
	assert_true(m.proc_count >= 10);

	assert_int_equal(wp_pool_pause(p), 0);
	for (int i = 0; i < 4; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	m = bt_m(p);
	assert_int_equal(m.cancelled, 4);
	assert_int_equal(m.accepted, 16);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* Percentiles are ordered and bounded by the max; a 20 ms task shows in
 * the max (a lower bound, not a speed claim). */
static void
test_metrics_percentiles(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 32;
	p = bt_pool(&cfg, &R, true);
	m = bt_m(p);
	assert_int_equal(m.proc_count, 0);
	assert_int_equal(m.proc_p99_ns, 0);
	for (int i = 1; i <= 20; i++)
		bt_go_to(p, BT_SLEEP, (unsigned)i, WP_TIMEOUT_NONE);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	m = bt_m(p);
	assert_int_equal(m.proc_count, 20);
	assert_true(m.proc_p50_ns > 0);
	assert_true(m.proc_p50_ns <= m.proc_p90_ns);
	assert_true(m.proc_p90_ns <= m.proc_p99_ns);
	assert_true(m.proc_p99_ns <= m.proc_max_ns);
	assert_true(m.proc_avg_ns > 0 && m.proc_avg_ns <= m.proc_max_ns);
	assert_true(m.proc_last_ns > 0 && m.proc_last_ns <= m.proc_max_ns);
	assert_true(m.proc_max_ns >= 20 * 1000000LL);
	assert_true(m.throughput_avg > 0);
	bt_finish(p, &R);
	end();
}

/* Each rejection reason counted once, and in the total. */
static void
test_metrics_rejections(void **state)
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
	bt_go(p, BT_NOOP, 0);
	assert_int_equal(bt_submit(p, BT_NOOP, 0, 0, NULL), WP_EFULL);
	assert_int_equal(bt_submit_opts(p, BT_NOOP, 0, 0, 0, BT_TO_DEF, true,
					5, NULL),
			 WP_ETIMEDOUT);
	atomic_store(&bt_w.go, 1);
	BT_EVENTUALLY(atomic_load(&bt_w.self_done) == 1);
	assert_int_equal(atomic_load(&bt_w.self_submit), WP_EWOULDDEADLOCK);
	assert_int_equal(wp_pool_close_tasks(p), 0);
	assert_int_equal(bt_submit(p, BT_NOOP, 0, 0, NULL), WP_ECLOSED);
	m = bt_m(p);
	assert_int_equal(m.rejected_full, 1);
	assert_int_equal(m.rejected_timeout, 1);
	assert_int_equal(m.rejected_deadlock, 1);
	assert_int_equal(m.rejected_closed, 1);
	assert_int_equal(m.rejected_nomem, 0);
	assert_int_equal(m.rejected, 4);
	assert_int_equal(m.accepted, 2);
	assert_int_equal(m.submitted, 6);
	bt_finish(p, &R);
	end();
}

/* Thread flags and counts before start, while running, after stop. */
static void
test_metrics_threads(void **state)
{
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, false);
	m = bt_m(p);
	assert_int_equal(m.state, WP_STATE_CREATED);
	assert_int_equal(m.uptime_ns, 0);
	assert_int_equal(m.workers_alive, 0);
	assert_false(m.monitor_alive);
	assert_true(m.proc_threads >= 1);
	assert_true(m.proc_rss_bytes > 0);
	assert_int_equal(wp_pool_start(p), 0);
	BT_EVENTUALLY(bt_m(p).workers_alive == 2);
	m = bt_m(p);
	assert_int_equal(m.state, WP_STATE_RUNNING);
	assert_int_equal(m.workers, 2);
	assert_true(m.watchdog_alive && m.results_alive && m.errors_alive &&
		    m.monitor_alive && m.health_alive);
	assert_int_equal(m.orphans, 0);
	assert_true(m.proc_threads >= 8);
	assert_int_equal(m.workers_busy, 0);
	bt_go(p, BT_GATE, 0);
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_m(p).workers_busy == 2);
	BT_EVENTUALLY(bt_m(p).uptime_ns > 0);
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	m = bt_m(p);
	assert_int_equal(m.workers_alive, 0);
	assert_int_equal(m.workers_busy, 0);
	assert_false(m.watchdog_alive || m.results_alive || m.errors_alive ||
		     m.monitor_alive || m.health_alive);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

struct loader {
	wp_pool *p;
	atomic_int *stop;
	int k;
};

static void *
loader_main(void *arg)
{
	struct loader *l = arg;
	for (unsigned i = 0; !atomic_load(l->stop) && i < 4000; i++) {
		enum bt_op op = i % 5 == 0 ? BT_FAIL : BT_NOOP;
		if (bt_submit(l->p, op, 0, 0, NULL) == WP_EFULL)
			wpt_sleep_ms(0);
	}
	return NULL;
}

/* Snapshots taken while two threads submit are each consistent and
 * move forward only. */
static void
test_metrics_consistent_under_load(void **state)
{
	struct wp_config cfg;
	struct loader l[2];
	pthread_t t[2];
	atomic_int stop = 0;
	struct wp_metrics m, prev;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 16;
	cfg.error_queue_cap = 64;
	p = bt_pool(&cfg, &R, true);
	memset(&prev, 0, sizeof prev);
	for (int i = 0; i < 2; i++) {
		l[i] = (struct loader){.p = p, .stop = &stop, .k = i};
		t[i] = bt_spawn(loader_main, &l[i]);
	}
	for (int i = 0; i < 300; i++) {
		uint64_t fin;
		m = bt_m(p);
		fin = m.completed + m.failed + m.timed_out + m.cancelled;
		if (fin > m.accepted)
			fail_msg("snapshot %d: %llu finished > %llu accepted",
				 i, (unsigned long long)fin,
				 (unsigned long long)m.accepted);
		wpt_assert_conserved(&m);
		assert_true(m.accepted >= prev.accepted);
		assert_true(m.completed >= prev.completed);
		assert_true(m.failed >= prev.failed);
		assert_true(m.submitted >= prev.submitted);
		assert_true(m.at_ns >= prev.at_ns);
		prev = m;
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	bt_finish(p, &R);
	end();
}

/* The monitor publishes: nothing before start, then a snapshot that is
 * renewed, handed to on_metrics too. */
static void
test_metrics_published(void **state)
{
	struct wp_config cfg;
	struct wp_metrics a, b;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, false);
	assert_int_equal(wp_pool_metrics_published(p, &a), WP_EAGAIN);
	assert_int_equal(wp_pool_start(p), 0);
	BT_EVENTUALLY(wp_pool_metrics_published(p, &a) == 0);
	BT_EVENTUALLY(wp_pool_metrics_published(p, &b) == 0 &&
		      b.at_ns > a.at_ns);
	BT_EVENTUALLY(atomic_load(&R.nmetrics) >= 2);
	assert_int_equal(b.state, WP_STATE_RUNNING);
	bt_finish(p, &R);
	end();
}

/* The worker list: one entry per slot, named, with the running task. */
static void
test_metrics_worker_list(void **state)
{
	struct wp_config cfg;
	struct wp_worker_info w[8];
	size_t n = 99;
	uint64_t id0, id1;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_pool_workers(p, NULL, 0, &n), 0);
	assert_int_equal(n, 2);
	id0 = bt_go(p, BT_GATE, 0);
	id1 = bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 2);
	memset(w, 0, sizeof w);
	assert_int_equal(wp_pool_workers(p, w, 8, &n), 0);
	assert_int_equal(n, 2);
	for (int i = 0; i < 2; i++) {
		char name[WP_NAME_MAX];
		snprintf(name, sizeof name, "wp-worker-%d", i);
		assert_int_equal(w[i].slot, i);
		assert_false(w[i].orphan);
		assert_string_equal(w[i].name, name);
		assert_int_equal(w[i].state, WP_WORKER_BUSY);
		assert_true(w[i].task_id == id0 || w[i].task_id == id1);
		assert_string_equal(w[i].kind, "gate");
		assert_true(w[i].running_ns >= 0);
	}
	assert_true(w[0].task_id != w[1].task_id);
	/* A short buffer still reports the total. */
	assert_int_equal(wp_pool_workers(p, w, 1, &n), 0);
	assert_int_equal(n, 2);
	atomic_store(&bt_w.gate, 1);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	BT_EVENTUALLY(wp_pool_workers(p, w, 8, &n) == 0 &&
		      w[0].state == WP_WORKER_IDLE &&
		      w[1].state == WP_WORKER_IDLE);
	assert_int_equal(w[0].tasks_done + w[1].tasks_done, 2);
	bt_finish(p, &R);
	end();
}

/* The event stream: STARTED first, signals, notes, panics and timeouts in
 * seq order; the callback saw every event the ring holds. */
static void
test_events_stream(void **state)
{
	static struct wp_event ev[1024];
	struct wp_config cfg;
	size_t n, got = 0, ncb;
	uint64_t lost = 7, note_seq = 0;
	bool sig = false, note = false, panic = false, timeout = false;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	assert_int_equal(wp_pool_stop_monitor(p), 0);
	assert_int_equal(wp_pool_note(p, "hello %d", 5), 0);
	bt_go(p, BT_PANIC, 0);
	bt_go_to(p, BT_SLEEP, 60000, 20);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	BT_EVENTUALLY(bt_count_events(p, WP_EV_PANIC) >= 1 &&
		      bt_count_events(p, WP_EV_TIMEOUT) >= 1);
	assert_int_equal(wp_pool_events(p, 0, ev, 1024, &got, &lost), 0);
	assert_int_equal(lost, 0);
	assert_true(got >= 5);
	assert_int_equal(ev[0].seq, 1);
	assert_int_equal(ev[0].type, WP_EV_STARTED);
	for (size_t i = 0; i < got; i++) {
		if (i > 0 && ev[i].seq != ev[i - 1].seq + 1)
			fail_msg("event seq %llu follows %llu",
				 (unsigned long long)ev[i].seq,
				 (unsigned long long)ev[i - 1].seq);
		assert_true(ev[i].at_ns > 0);
		if (ev[i].type == WP_EV_SIGNAL &&
		    strstr(ev[i].text, "stop-monitor"))
			sig = true;
		if (ev[i].type == WP_EV_NOTE &&
		    strstr(ev[i].text, "hello 5")) {
			note = true;
			note_seq = ev[i].seq;
		}
		panic |= ev[i].type == WP_EV_PANIC;
		timeout |= ev[i].type == WP_EV_TIMEOUT;
	}
	assert_true(sig);
	assert_true(note);
	assert_true(panic);
	assert_true(timeout);
	/* after= skips what was read. */
	assert_int_equal(wp_pool_events(p, note_seq, ev, 1024, &n, NULL), 0);
	assert_true(n < got);
	assert_true(n == 0 || ev[0].seq == note_seq + 1);
	/* The callback saw each event once, whatever the order. */
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	assert_int_equal(wp_pool_events(p, 0, ev, 1024, &got, &lost), 0);
	pthread_mutex_lock(&R.mu);
	ncb = R.nev;
	pthread_mutex_unlock(&R.mu);
	assert_int_equal(ncb, got);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* A small ring: old events are overwritten and reported lost. */
static void
test_events_ring_overflow(void **state)
{
	static struct wp_event ev[256];
	struct wp_config cfg;
	size_t got = 0;
	uint64_t lost = 0;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.event_ring_cap = 16;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 60; i++)
		assert_int_equal(wp_pool_note(p, "n%d", i), 0);
	assert_int_equal(wp_pool_events(p, 0, ev, 256, &got, &lost), 0);
	assert_true(got <= 16);
	assert_true(got > 0);
	assert_true(lost >= 60 - 16);
	for (size_t i = 1; i < got; i++)
		assert_true(ev[i].seq == ev[i - 1].seq + 1);
	assert_true(ev[got - 1].seq >= 61); /* the newest are kept */
	bt_finish(p, &R);
	end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_metrics_outcome_counts),
		BT_TEST(test_metrics_percentiles),
		BT_TEST(test_metrics_rejections),
		BT_TEST(test_metrics_threads),
		BT_TEST(test_metrics_consistent_under_load),
		BT_TEST(test_metrics_published),
		BT_TEST(test_metrics_worker_list),
		BT_TEST(test_events_stream),
		BT_TEST(test_events_ring_overflow),
	};
	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
