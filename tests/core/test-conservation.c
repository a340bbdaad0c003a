/*
 * test-conservation.c - nothing accepted is ever lost or delivered twice,
 * whatever happens (issue #2): 200+ random interleavings of submit (plain,
 * blocking, with priorities and timeouts), failing and panicking tasks,
 * timeouts, pause/resume, resize, timeout changes and layer signals, each
 * ended by a stop, a drain or a bare destroy.
 *
 * After each: submitted = rejected + accepted; accepted = outcomes; no
 * task in flight; one result per accepted id (the same set of ids submit
 * handed out); free_fn once per never-run task; callbacks never
 * concurrent.  The seed is printed, and named in every failure; rerun one
 * with WP_SEED=<seed> (and WP_ITERS=<n> for a longer soak).
 */
#include "wpbt.h"

static struct bt_rec R;

#define MAX_IDS 512

struct run {
	uint64_t s; /* PRNG state */
	wp_pool *p;
	uint64_t ids[MAX_IDS];
	unsigned nids, submitted;
};

#define CK(cond)                                                               \
	do {                                                                   \
		if (!(cond))                                                   \
			fail_msg("[%s] line %d: %s", bt_label, __LINE__,       \
				 #cond);                                       \
	} while (0)

static uint64_t
rand_timeout(struct run *r)
{
	switch (bt_rand_below(&r->s, 4)) {
	case 0:
		return WP_TIMEOUT_NONE;
	case 1:
		return 5;
	default:
		return BT_TO_DEF;
	}
}

static void
submit_one(struct run *r, enum bt_op op, unsigned ms, uint64_t timeout,
	   bool wait, uint64_t wait_ms)
{
	uint64_t id = 0;
	int prio = (int)bt_rand_below(&r->s, 10);
	int rc;

	if (r->nids >= MAX_IDS)
		return;
	rc = bt_submit_opts(r->p, op, ms, 0, prio, timeout, wait, wait_ms,
			    &id);
	r->submitted++;
	if (rc == 0)
		r->ids[r->nids++] = id;
	else if (rc != WP_EFULL && rc != WP_ECLOSED &&
		 !(wait && rc == WP_ETIMEDOUT))
		fail_msg("[%s] submit %s: %s", bt_label, bt_op_name(op),
			 wp_err_name(rc));
}

static void
one_op(struct run *r)
{
	unsigned x = bt_rand_below(&r->s, 100);
	int rc;

	if (x < 30)
		submit_one(r, x % 2 ? BT_NOOP : BT_RECORD, 0, rand_timeout(r),
			   false, 0);
	else if (x < 45)
		submit_one(r, BT_SLEEP, 1 + x % 4, rand_timeout(r), false, 0);
	else if (x < 52)
		submit_one(r, BT_FAIL, 0, rand_timeout(r), false, 0);
	else if (x < 57)
		submit_one(r, BT_PANIC, 0, rand_timeout(r), false, 0);
	else if (x < 62)
		submit_one(r, BT_SLEEP, 30, 5, false, 0); /* times out */
	else if (x < 68)
		submit_one(r, BT_NOOP, 0, rand_timeout(r), true,
			   bt_rand_below(&r->s, 6));
	else if (x < 72) {
		rc = wp_pool_pause(r->p);
		CK(rc == 0 || rc == WP_ESTATE);
	} else if (x < 78) {
		rc = wp_pool_resume(r->p);
		CK(rc == 0 || rc == WP_ESTATE);
	} else if (x < 84) {
		rc = wp_pool_signal(r->p, (int)bt_rand_below(&r->s, 7));
		CK(rc == 0 || rc == WP_EALREADY);
	} else if (x < 88) {
		rc = wp_pool_resize(r->p, 1 + bt_rand_below(&r->s, 4));
		CK(rc == 0 || rc == WP_ESTATE);
	} else if (x < 91) {
		unsigned t = bt_rand_below(&r->s, 3);
		rc = wp_pool_set_timeout(r->p, t ? 5 + 10 * t : 0);
		CK(rc == 0 || rc == WP_ESTATE);
	} else if (x < 95) {
		struct wp_metrics m = bt_m(r->p);
		CK(m.submitted == m.rejected + m.accepted);
		CK(m.completed + m.failed + m.timed_out + m.cancelled <=
		   m.accepted);
		CK(m.accepted == m.completed + m.failed + m.timed_out +
					 m.cancelled + m.in_flight);
	} else {
		wpt_sleep_ms(bt_rand_below(&r->s, 3));
	}
}

/* The delivered ids are exactly the accepted ones. */
static void
check_ids(struct run *r)
{
	uint64_t *got;
	size_t n;

	pthread_mutex_lock(&R.mu);
	n = R.nres;
	got = malloc((n + 1) * sizeof *got);
	for (size_t i = 0; got != NULL && i < n; i++)
		got[i] = R.res[i].id;
	pthread_mutex_unlock(&R.mu);
	assert_non_null(got);
	if (n != r->nids) {
		free(got);
		fail_msg("[%s] %zu results for %u accepted", bt_label, n,
			 r->nids);
	}
	qsort(got, n, sizeof *got, bt_cmp_u64);
	qsort(r->ids, r->nids, sizeof r->ids[0], bt_cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (got[i] != r->ids[i]) {
			uint64_t g = got[i], w = r->ids[i];
			free(got);
			fail_msg("[%s] delivered id %llu where accepted id "
				 "%llu expected",
				 bt_label, (unsigned long long)g,
				 (unsigned long long)w);
		}
	free(got);
}

static void
run_one(uint64_t seed, int iter)
{
	static struct run r;
	struct wp_config cfg;
	struct wp_metrics m;
	unsigned nops, how;
	size_t nres;
	int rc;

	bt_world_reset();
	bt_rec_init(&R);
	memset(&r, 0, sizeof r);
	r.s = seed * 0x9e3779b97f4a7c15ull + (uint64_t)iter + 1;
	snprintf(bt_label, sizeof bt_label, "WP_SEED=%llu iteration %d",
		 (unsigned long long)seed, iter);

	bt_cfg(&cfg, &R);
	cfg.workers = 1 + bt_rand_below(&r.s, 3);
	cfg.task_queue_cap = 1 + bt_rand_below(&r.s, 6);
	cfg.result_queue_cap = 1 + bt_rand_below(&r.s, 4);
	cfg.error_queue_cap = 1 + bt_rand_below(&r.s, 3);
	cfg.task_timeout_ms = bt_rand_below(&r.s, 2) ? 20 : 0;
	r.p = bt_pool(&cfg, &R, false);
	for (unsigned i = bt_rand_below(&r.s, 4); i > 0; i--)
		submit_one(&r, BT_NOOP, 0, BT_TO_DEF, false, 0);
	CK(wp_pool_start(r.p) == 0);

	nops = 10 + bt_rand_below(&r.s, 25);
	for (unsigned i = 0; i < nops; i++)
		one_op(&r);

	how = bt_rand_below(&r.s, 3);
	if (how == 2) {
		/* A bare destroy: stops, delivers, frees. */
		CK(bt_destroy(r.p) == 0);
		CK(!atomic_load(&R.overlap_r) && !atomic_load(&R.overlap_e));
		CK(bt_nnever(&R) == atomic_load(&bt_w.freed));
		check_ids(&r);
		bt_rec_fini(&R);
		return;
	}
	if (how == 1)
		rc = wp_pool_drain(r.p, 1 + bt_rand_below(&r.s, 30), NULL);
	else
		rc = wp_pool_stop(r.p, NULL);
	if (rc != 0)
		fail_msg("[%s] %s: %s", bt_label, how ? "drain" : "stop",
			 wp_err_name(rc));
	bt_check_final(r.p, &R);
	m = bt_m(r.p);
	CK(m.submitted == r.submitted);
	CK(m.accepted == r.nids);
	check_ids(&r);
	nres = bt_nres(&R);
	CK(bt_destroy(r.p) == 0);
	CK(bt_nres(&R) == nres); /* nothing after destroy */
	bt_rec_fini(&R);
}

static void
test_random_interleavings(void **state)
{
	uint64_t seed = bt_seed();
	const char *e = getenv("WP_ITERS");
	int iters = e != NULL && atoi(e) > 0 ? atoi(e) : 210;

	print_message("test-conservation: WP_SEED=%llu, %d iterations\n",
		      (unsigned long long)seed, iters);
	for (int i = 0; i < iters; i++)
		run_one(seed, i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BT_TEST(test_random_interleavings),
	};
	return cmocka_run_group_tests_name("conservation", tests, NULL, NULL);
}
