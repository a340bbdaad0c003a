/*
 * test-mem.c - unit tests of core/mem.c: a put buffer is taken again at
 * the same size only, comes back zeroed when asked, the cache keeps at
 * most 16 MiB, and pools made one after another on kept buffers start
 * clean (no event, result or queued task of the pool before).
 */
#include "wptest.h"

#include "wp-internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define KIB 1024u
#define MIB (1024u * KIB)

/* Sizes no pool uses (pages of 4 KiB and up), so other buffers in the
 * cache never answer these tests' gets. */
#define ODD (300u * KIB + 123u)

static void
test_same_size_reused(void **state)
{
	size_t before = wp__mem_kept();
	unsigned char *a, *b, *c;

	(void)state;
	a = wp__mem_get(ODD, false);
	assert_non_null(a);
	memset(a, 0xab, ODD);
	wp__mem_put(a, ODD);
	if (wp__mem_keeps())
		assert_true(wp__mem_kept() >= before + ODD);
	/* Another size does not take it. */
	c = wp__mem_get(ODD + 64u * KIB, false);
	assert_non_null(c);
	assert_ptr_not_equal(c, a);
	/* The same size does, dirty unless zero is asked for. */
	b = wp__mem_get(ODD, false);
	assert_non_null(b);
	if (wp__mem_keeps()) {
		assert_ptr_equal(b, a);
		assert_int_equal(b[ODD - 1], 0xab);
	}
	memset(b, 0xcd, ODD);
	wp__mem_put(b, ODD);
	b = wp__mem_get(ODD, true);
	assert_non_null(b);
	for (size_t i = 0; i < ODD; i++)
		if (b[i] != 0)
			fail_msg("byte %zu is %d after a zeroed get", i, b[i]);
	wp__mem_put(b, ODD);
	wp__mem_put(c, ODD + 64u * KIB);
	wp__mem_put(NULL, ODD); /* nothing */
}

static void
test_fresh_is_zero_and_writable(void **state)
{
	size_t n = 5u * MIB + 1;
	unsigned char *p = wp__mem_get(n, false);

	(void)state;
	assert_non_null(p);
	/* Nothing cached at this size: a fresh mapping, which reads zero. */
	assert_int_equal(p[0], 0);
	assert_int_equal(p[n - 1], 0);
	p[0] = 1;
	p[n - 1] = 2;
	wp__mem_put(p, n);
}

static void
test_bounded(void **state)
{
	enum { N = 40 };
	void *p[N];
	size_t n = 1u * MIB + 7;

	(void)state;
	for (int i = 0; i < N; i++) {
		p[i] = wp__mem_get(n, false);
		assert_non_null(p[i]);
	}
	for (int i = 0; i < N; i++)
		wp__mem_put(p[i], n);
	assert_true(wp__mem_kept() <= WP__MEM_CACHE_BYTES);
	if (wp__mem_keeps())
		assert_true(wp__mem_kept() >= WP__MEM_CACHE_BYTES / 2);
	/* Taken again: the kept ones first, fresh ones after. */
	for (int i = 0; i < N; i++) {
		p[i] = wp__mem_get(n, false);
		assert_non_null(p[i]);
	}
	assert_true(wp__mem_kept() <= WP__MEM_CACHE_BYTES / 2);
	for (int i = 0; i < N; i++)
		wp__mem_put(p[i], n);
}

/* Pools on kept buffers: each one starts from nothing. */
static atomic_int results;

static void
on_result(void *udata, const struct wp_result *r)
{
	(void)udata;
	(void)r;
	atomic_fetch_add(&results, 1);
}

static int
all_results(void *arg)
{
	return atomic_load(&results) == *(int *)arg;
}

static void
test_pools_start_clean(void **state)
{
	struct wp_config cfg;
	struct wp_event ev[8];
	struct wp_metrics m;
	size_t got;
	uint64_t lost;

	(void)state;
	for (int round = 0; round < 6; round++) {
		wp_pool *p;
		int want = 200 + round;

		wpt_config(&cfg);
		cfg.workers = 1 + (unsigned)round % 3;
		cfg.on_result = on_result;
		atomic_store(&results, 0);
		assert_int_equal(wp_pool_create(&cfg, &p), 0);
		/* A kept event ring is handed over zeroed: nothing to read
		 * before the pool says anything. */
		assert_int_equal(wp_pool_events(p, 0, ev, 8, &got, &lost), 0);
		assert_int_equal(got, 0);
		assert_int_equal(wp_pool_start(p), 0);
		assert_int_equal(wp_pool_events(p, 0, ev, 1, &got, &lost), 0);
		assert_int_equal(got, 1);
		assert_int_equal(ev[0].seq, 1);
		for (int i = 0; i < want; i++)
			assert_int_equal(wp_submit_wait(p, wpt_noop, NULL, NULL,
							WPT_CEILING_MS, NULL),
					 0);
		assert_true(wpt_wait_for(all_results, &want, WPT_CEILING_MS));
		wpt_metrics(p, &m);
		assert_int_equal(m.accepted, (uint64_t)want);
		assert_int_equal(m.completed, (uint64_t)want);
		wpt_assert_conserved(&m);
		assert_int_equal(wp_pool_destroy(p), 0);
		assert_int_equal(atomic_load(&results), want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_size_reused),
		cmocka_unit_test(test_fresh_is_zero_and_writable),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_pools_start_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
