/*
 * test-stop.c - the ordered stop (S1.2, S6.2) and drain.
 *
 * Covers: the report (phases in order, threads and exit times, bound);
 * stop runs once and concurrent stoppers share its rc and report; stop
 * from a pool thread is WP_ESELF; a hung task forces the bound (worker and
 * orphan variants) without hanging the stopper, and destroy afterwards is
 * safe; drain finishes queued work, or cancels what is left at its
 * timeout; stop racing four submitting threads; destroy without stop.
 */
#include "wpbt.h"

static const struct wp_stop_thread *
find_thread(const struct wp_stop_report *rep, const char *name)
{
	for (unsigned i = 0; i < rep->nthreads; i++)
		if (strcmp(rep->threads[i].name, name) == 0)
			return &rep->threads[i];
	return NULL;
}

/* A clean stop: every phase reached, in order; every thread listed with an
 * exit time; state STOPPED; a second stop gives the same rc and report. */
static void
test_stop_report(void **state)
{
	static const char *const names[] = {
		"wp-worker-0", "wp-worker-1", "wp-watchdog", "wp-results",
		"wp-errors",   "wp-monitor",  "wp-health",
	};
	struct wp_config cfg;
	const struct wp_stop_report *rep = NULL, *rep2 = NULL;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 8;
	p = bt_pool(&cfg, &R, true);
	assert_null(wp_pool_last_stop(p));
	bt_go(p, BT_GATE, 0);
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 2);
	for (int i = 0; i < 3; i++)
		bt_go(p, BT_NOOP, 0);

	assert_int_equal(wp_pool_stop(p, &rep), 0);
	assert_non_null(rep);
	assert_int_equal(wp_pool_state(p), WP_STATE_STOPPED);
	assert_false(wp_pool_is_accepting(p));
	assert_false(rep->forced);
	assert_false(rep->drained);
	assert_int_equal(rep->nalive, 0);
	assert_true(rep->bound_ms == cfg.stop_timeout_ms);
	assert_true(rep->begin_ns > 0);
	assert_true(rep->begin_wall_ms > 0);
	assert_int_equal(rep->cancelled_queued, 3);
	assert_int_equal(rep->cancelled_running, 0);
	for (int ph = 0; ph < WP_PHASE_COUNT; ph++) {
		assert_true(rep->phase_ms[ph] >= 0);
		if (ph > 0 && rep->phase_ms[ph] < rep->phase_ms[ph - 1])
			fail_msg("phase %s at %.3f ms before phase %s at %.3f",
				 wp_stop_phase_name(ph), rep->phase_ms[ph],
				 wp_stop_phase_name(ph - 1),
				 rep->phase_ms[ph - 1]);
	}
	assert_true(rep->total_ms >= rep->phase_ms[WP_PHASE_DONE]);
	assert_true(rep->nthreads >= 7);
	assert_non_null(rep->threads);
	for (unsigned i = 0; i < rep->nthreads; i++) {
		assert_true(rep->threads[i].name[0] != '\0');
		if (rep->threads[i].exited_ns < 0)
			fail_msg("thread %s has no exit time after a clean stop",
				 rep->threads[i].name);
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (find_thread(rep, names[i]) == NULL)
			fail_msg("stop report lists no thread %s", names[i]);
	assert_int_equal(find_thread(rep, "wp-monitor")->cls,
			 WP_THREAD_MONITOR);
	assert_int_equal(find_thread(rep, "wp-worker-0")->cls,
			 WP_THREAD_WORKER);
	assert_true(wp_pool_last_stop(p) == rep);

	/* Runs once: again, same answer, same report. */
	assert_int_equal(wp_pool_stop(p, &rep2), 0);
	assert_true(rep2 == rep);
	/* The gate tasks saw the safety-net cancel. */
	assert_int_equal(atomic_load(&bt_w.saw_canceled), 2);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* The stop's phases show in the event stream, in order, then STOP_DONE. */
static void
test_stop_events(void **state)
{
	static struct wp_event ev[4096];
	struct wp_config cfg;
	wp_pool *p;
	size_t n;
	int nphase = 0, ndone = 0;
	uint64_t done_seq = 0, last_phase_seq = 0;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_stop(p, NULL), 0);
	n = bt_events(p, ev, 4096);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			assert_true(ev[i].seq > ev[i - 1].seq);
		if (ev[i].type == WP_EV_STOP_PHASE) {
			nphase++;
			last_phase_seq = ev[i].seq;
		} else if (ev[i].type == WP_EV_STOP_DONE) {
			ndone++;
			done_seq = ev[i].seq;
		}
	}
	assert_true(nphase >= WP_PHASE_COUNT - 1);
	assert_int_equal(ndone, 1);
	assert_true(done_seq > last_phase_seq);
	/* The callback saw the same events. */
	assert_int_equal(bt_nevents_cb(&R, WP_EV_STOP_PHASE), nphase);
	assert_int_equal(bt_nevents_cb(&R, WP_EV_STOP_DONE), 1);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

static void
test_stop_before_start(void **state)
{
	struct wp_config cfg;
	const struct wp_stop_report *rep = (const void *)&cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, false);
	assert_int_equal(wp_pool_stop(p, &rep), WP_ESTATE);
	assert_true(rep == (const void *)&cfg); /* untouched */
	assert_int_equal(wp_pool_drain(p, 10, NULL), WP_ESTATE);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* Destroying a pool that never started: queued tasks are cancelled, each
 * delivered once and its free_fn called. */
static void
test_destroy_unstarted_with_queue(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, false);
	for (int i = 0; i < 3; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(bt_destroy(p), 0);
	assert_int_equal(atomic_load(&bt_w.freed), 3);
	assert_int_equal(bt_started(), 0);
	assert_int_equal(bt_nres(&R), 3);
	assert_int_equal(bt_nnever(&R), 3);
	end();
}

#define STOPPERS 4

struct stopper {
	wp_pool *p;
	pthread_barrier_t *bar;
	int rc;
	const struct wp_stop_report *rep;
};

static void *
stopper_main(void *arg)
{
	struct stopper *s = arg;
	pthread_barrier_wait(s->bar);
	s->rc = wp_pool_stop(s->p, &s->rep);
	return NULL;
}

/* Four threads stop at once: one stop, the same rc and report for all. */
static void
test_stop_concurrent_stoppers(void **state)
{
	struct wp_config cfg;
	struct stopper s[STOPPERS];
	pthread_t t[STOPPERS];
	pthread_barrier_t bar;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 8;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	bt_go_to(p, BT_SLEEP, 60000, WP_TIMEOUT_NONE);
	for (int i = 0; i < 4; i++)
		bt_go(p, BT_NOOP, 0);
	pthread_barrier_init(&bar, NULL, STOPPERS);
	for (int i = 0; i < STOPPERS; i++) {
		s[i] = (struct stopper){.p = p, .bar = &bar};
		t[i] = bt_spawn(stopper_main, &s[i]);
	}
	for (int i = 0; i < STOPPERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&bar);
	for (int i = 0; i < STOPPERS; i++) {
		assert_int_equal(s[i].rc, 0);
		assert_non_null(s[i].rep);
		assert_true(s[i].rep == s[0].rep);
	}
	assert_int_equal(bt_count_events(p, WP_EV_STOP_DONE), 1);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* From inside a task: stop, drain, wait_idle, destroy are WP_ESELF at
 * once, and the pool carries on. */
static void
test_stop_from_task_is_eself(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_SELF, 0);
	BT_EVENTUALLY(atomic_load(&bt_w.self_done) == 1);
	assert_int_equal(atomic_load(&bt_w.self_stop), WP_ESELF);
	assert_int_equal(atomic_load(&bt_w.self_drain), WP_ESELF);
	assert_int_equal(atomic_load(&bt_w.self_idle), WP_ESELF);
	assert_int_equal(atomic_load(&bt_w.self_destroy), WP_ESELF);
	assert_int_equal(wp_pool_state(p), WP_STATE_RUNNING);
	bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_wait_idle(p, WPT_CEILING_MS), 0);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 2);
	bt_finish(p, &R);
	end();
}

/* From inside a result callback: WP_ESELF too. */
static void
test_stop_from_result_callback_is_eself(void **state)
{
	struct wp_config cfg;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	p = bt_pool(&cfg, &R, true);
	atomic_store(&R.want_self_stop, 1);
	bt_go(p, BT_NOOP, 0);
	BT_EVENTUALLY(atomic_load(&R.self_stop_rc) != 1);
	assert_int_equal(atomic_load(&R.self_stop_rc), WP_ESELF);
	assert_int_equal(wp_pool_state(p), WP_STATE_RUNNING);
	bt_finish(p, &R);
	end();
}

struct bg_stop {
	wp_pool *p;
	int rc;
	const struct wp_stop_report *rep;
	atomic_int done;
};

static void *
bg_stop_main(void *arg)
{
	struct bg_stop *b = arg;
	b->rc = wp_pool_stop(b->p, &b->rep);
	atomic_store(&b->done, 1);
	return NULL;
}

static bool
is_pool_thread_name(const char *name, const char *prefix)
{
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

/*
 * A task that ignores its context forces the bound.  with_timeout: the
 * task first times out and its thread becomes an orphan; otherwise the
 * worker itself is stuck.  The stopper must come back (checked from
 * another thread with a ceiling far above the bound), the report must name
 * the live thread, destroy must be safe, and the stuck thread must free
 * what it holds when it finally returns, without a second result.
 */
static void
run_forced(bool with_timeout)
{
	struct wp_config cfg;
	struct bg_stop b = {0};
	const struct wp_stop_report *rep;
	struct wp_metrics m;
	const struct wp_stop_thread *alive = NULL;
	int base = wpt_thread_count();
	size_t nres;
	pthread_t t;
	wp_pool *p;

	begin();
	snprintf(bt_label, sizeof bt_label, "forced stop, %s",
		 with_timeout ? "orphan" : "stuck worker");
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.stop_timeout_ms = 300;
	if (with_timeout)
		cfg.task_timeout_ms = 30;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_HANG, 0);
	BT_EVENTUALLY(bt_started() == 1);
	if (with_timeout) {
		BT_EVENTUALLY(bt_m(p).orphans == 1);
		bt_go(p, BT_NOOP, 0); /* the slot still works */
		BT_EVENTUALLY(bt_nout(&R, WP_OUTCOME_COMPLETED) == 1);
	}
	b.p = p;
	t = bt_spawn(bg_stop_main, &b);
	BT_EVENTUALLY(atomic_load(&b.done) == 1);
	pthread_join(t, NULL);
	assert_int_equal(b.rc, WP_EFORCED);
	rep = b.rep;
	assert_non_null(rep);
	assert_true(rep->forced);
	assert_true(rep->bound_ms == 300);
	assert_true(rep->nalive > 0);
	assert_int_equal(wp_pool_state(p), WP_STATE_FORCED);
	/* Only threads running task code may be left behind. */
	for (unsigned i = 0; i < rep->nthreads; i++) {
		const struct wp_stop_thread *th = &rep->threads[i];
		if (th->exited_ns != -1)
			continue;
		if ((th->cls != WP_THREAD_WORKER &&
		     th->cls != WP_THREAD_ORPHAN) ||
		    (!is_pool_thread_name(th->name, "wp-worker-") &&
		     !is_pool_thread_name(th->name, "wp-orphan-")))
			fail_msg("forced stop left \"%s\" (%s) alive; nalive "
				 "%u",
				 th->name, wp_thread_class_name(th->cls),
				 rep->nalive);
		alive = th;
	}
	assert_non_null(alive);
	for (int ph = 0; ph < WP_PHASE_COUNT; ph++)
		if (ph > 0 && rep->phase_ms[ph] >= 0 &&
		    rep->phase_ms[ph - 1] >= 0)
			assert_true(rep->phase_ms[ph] >= rep->phase_ms[ph - 1]);
	if (!with_timeout)
		assert_int_equal(rep->cancelled_running, 1);

	/* Every accepted task has its outcome, delivered once. */
	m = bt_m(p);
	wpt_assert_all_final(&m);
	assert_int_equal(bt_nres(&R), m.accepted);
	assert_int_equal(wp_pool_stop(p, NULL), WP_EFORCED); /* once */
	assert_int_equal(bt_destroy(p), 0);
	nres = bt_nres(&R);
	assert_int_equal(atomic_load(&bt_w.hang_returned), 0);

	/* Let the stuck task return: it sees its context done, frees the
	 * pool's remains, and nothing more is delivered. */
	atomic_store(&bt_w.release, 1);
	BT_EVENTUALLY(atomic_load(&bt_w.hang_returned) == 1);
	BT_EVENTUALLY(wpt_thread_count() <= base);
	assert_int_equal(atomic_load(&bt_w.saw_done), 1);
	assert_int_equal(bt_nres(&R), nres);
	end();
}

static void
test_stop_forced_stuck_worker(void **state)
{
	run_forced(false);
}

static void
test_stop_forced_orphan(void **state)
{
	run_forced(true);
}

/* Drain: every queued task runs, then the ordered stop. */
static void
test_drain_finishes_queued_work(void **state)
{
	struct wp_config cfg;
	const struct wp_stop_report *rep = NULL;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 16;
	p = bt_pool(&cfg, &R, true);
	for (int i = 0; i < 10; i++)
		bt_go(p, BT_SLEEP, 3);
	assert_int_equal(wp_pool_drain(p, WPT_CEILING_MS, &rep), 0);
	assert_non_null(rep);
	assert_true(rep->drained);
	assert_false(rep->forced);
	assert_int_equal(rep->cancelled_queued, 0);
	assert_int_equal(wp_pool_state(p), WP_STATE_STOPPED);
	assert_int_equal(bt_nout(&R, WP_OUTCOME_COMPLETED), 10);
	assert_int_equal(atomic_load(&bt_w.freed), 0);
	assert_int_equal(bt_submit(p, BT_NOOP, 0, 0, NULL), WP_ECLOSED);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* Drain with a timeout: what is still queued when it runs out is
 * cancelled by the stop that follows. */
static void
test_drain_timeout_cancels_rest(void **state)
{
	struct wp_config cfg;
	const struct wp_stop_report *rep = NULL;
	wp_pool *p;

	begin();
	bt_cfg(&cfg, &R);
	cfg.workers = 1;
	cfg.task_queue_cap = 16;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	BT_EVENTUALLY(bt_started() == 1);
	for (int i = 0; i < 5; i++)
		bt_go(p, BT_NOOP, 0);
	assert_int_equal(wp_pool_drain(p, 50, &rep), 0);
	assert_true(rep->drained);
	assert_int_equal(rep->cancelled_queued, 5);
	assert_int_equal(bt_nnever(&R), 5);
	assert_int_equal(atomic_load(&bt_w.freed), 5);
	assert_int_equal(atomic_load(&bt_w.saw_canceled), 1);
	bt_check_final(p, &R);
	assert_int_equal(bt_destroy(p), 0);
	end();
}

/* ------------------------------------------------------------------------
 * Stop racing four submitting threads.
 */
struct racer {
	wp_pool *p;
	int k;
	unsigned calls, accepted;
	int unexpected;
	atomic_int *go;
};

static void *
racer_main(void *arg)
{
	struct racer *r = arg;
	while (!atomic_load(r->go))
		;
	for (unsigned i = 0;; i++) {
		int rc;
		if ((i + (unsigned)r->k) % 3 == 0)
			rc = bt_submit_opts(r->p, BT_SLEEP, i % 2, 0, i % 10,
					    BT_TO_DEF, true, 5, NULL);
		else
			rc = bt_submit_opts(r->p, BT_NOOP, 0, 0, i % 10,
					    BT_TO_DEF, false, 0, NULL);
		r->calls++;
		if (rc == 0)
			r->accepted++;
		else if (rc == WP_ECLOSED)
			break;
		else if (rc != WP_EFULL && rc != WP_ETIMEDOUT)
			r->unexpected = rc;
	}
	return NULL;
}

static void
test_stop_racing_submit(void **state)
{
	uint64_t seed = bt_seed(), s;
	print_message("test-stop: racing submit, seed %llu\n",
		      (unsigned long long)seed);
	s = seed;
	for (int round = 0; round < 10; round++) {
		struct wp_config cfg;
		struct racer r[4];
		pthread_t t[4];
		atomic_int go = 0;
		struct wp_metrics m;
		unsigned calls = 0, accepted = 0;
		wp_pool *p;

		begin();
		snprintf(bt_label, sizeof bt_label, "seed %llu round %d",
			 (unsigned long long)seed, round);
		bt_cfg(&cfg, &R);
		cfg.task_queue_cap = 4;
		p = bt_pool(&cfg, &R, true);
		for (int i = 0; i < 4; i++) {
			r[i] = (struct racer){.p = p, .k = i, .go = &go};
			t[i] = bt_spawn(racer_main, &r[i]);
		}
		atomic_store(&go, 1);
		wpt_sleep_ms(bt_rand_below(&s, 8)); /* vary the race point */
		if (wp_pool_stop(p, NULL) != 0)
			fail_msg("[%s] stop failed", bt_label);
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		for (int i = 0; i < 4; i++) {
			if (r[i].unexpected)
				fail_msg("[%s] submit: %s", bt_label,
					 wp_err_name(r[i].unexpected));
			calls += r[i].calls;
			accepted += r[i].accepted;
		}
		bt_check_final(p, &R);
		m = bt_m(p);
		if (m.submitted != calls || m.accepted != accepted)
			fail_msg("[%s] submitted %llu vs %u calls, accepted "
				 "%llu vs %u",
				 bt_label, (unsigned long long)m.submitted,
				 calls, (unsigned long long)m.accepted,
				 accepted);
		assert_int_equal(bt_destroy(p), 0);
		/* Nothing is delivered after destroy. */
		assert_int_equal(bt_nres(&R), accepted);
		end();
	}
}

/* Destroy without stop stops first: everything delivered, args freed. */
static void
test_destroy_running_pool(void **state)
{
	struct wp_config cfg;
	wp_pool *p;
	unsigned accepted = 0;

	begin();
	bt_cfg(&cfg, &R);
	cfg.task_queue_cap = 16;
	p = bt_pool(&cfg, &R, true);
	bt_go(p, BT_GATE, 0);
	accepted++;
	for (int i = 0; i < 10; i++)
		if (bt_submit(p, i % 2 ? BT_NOOP : BT_SLEEP, 2, 0, NULL) == 0)
			accepted++;
	assert_int_equal(bt_destroy(p), 0);
	assert_int_equal(bt_nres(&R), accepted);
	assert_int_equal(bt_nnever(&R), atomic_load(&bt_w.freed));
	assert_false(atomic_load(&R.overlap_r));
	end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_stop_report),
		BT_TEST(test_stop_events),
		BT_TEST(test_stop_before_start),
		BT_TEST(test_destroy_unstarted_with_queue),
		BT_TEST(test_stop_concurrent_stoppers),
		BT_TEST(test_stop_from_task_is_eself),
		BT_TEST(test_stop_from_result_callback_is_eself),
		BT_TEST(test_stop_forced_stuck_worker),
		BT_TEST(test_stop_forced_orphan),
		BT_TEST(test_drain_finishes_queued_work),
		BT_TEST(test_drain_timeout_cancels_rest),
		BT_TEST(test_stop_racing_submit),
		BT_TEST(test_destroy_running_pool),
	};
	return cmocka_run_group_tests_name("stop", tests, NULL, NULL);
}
