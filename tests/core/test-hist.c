/*
 * test-hist.c - unit tests of core/hist.c: bucket layout, quantiles on
 * known distributions, merging, and exact counts after concurrent writers.
 */
#include "wptest.h"

#include "wp-internal.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WRITERS 8
#define ADDS 50000

/* The inclusive lower edge of bucket b. */
static int64_t
lower(unsigned b)
{
	return b == 0 ? 0 : wp__hist_bucket_upper(b - 1);
}

/* A small deterministic generator (64-bit LCG, top bits). */
static uint64_t
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 11;
}

static double
unit(uint64_t *s)
{
	return (double)lcg(s) / (double)(1ull << 53);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static struct wp__hist *
hist_new(void)
{
	struct wp__hist *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	return h;
}

static void
test_bucket_edges(void **state)
{
	unsigned b;

	(void)state;
	assert_int_equal(wp__hist_bucket_of(0), 0);
	assert_int_equal(wp__hist_bucket_of(-5), 0);
	assert_int_equal(wp__hist_bucket_of(INT64_MIN), 0);
	assert_int_equal(wp__hist_bucket_of(255), 3);
	assert_int_equal(wp__hist_bucket_of(256), 4);
	assert_int_equal(wp__hist_bucket_of(INT64_MAX), WP__HIST_BUCKETS - 1);
	assert_true(wp__hist_bucket_upper(WP__HIST_BUCKETS - 1) == INT64_MAX);
	assert_true(wp__hist_bucket_upper(WP__HIST_BUCKETS + 7) == INT64_MAX);

	for (b = 0; b + 1 < WP__HIST_BUCKETS; b++) {
		int64_t lo = lower(b), up = wp__hist_bucket_upper(b);

		assert_true(up > lo);
		assert_int_equal(wp__hist_bucket_of(lo), b);
		assert_int_equal(wp__hist_bucket_of(up - 1), b);
		assert_int_equal(wp__hist_bucket_of(up), b + 1);
		/* Past the linear start, a bucket is at most a quarter of
		 * its lower edge wide: the quantile error bound. */
		if (lo >= 256)
			assert_true(up - lo <= lo / 4);
	}
	/* The open-ended bucket starts well past any sane task time. */
	assert_true(lower(WP__HIST_BUCKETS - 1) > 60 * WP__NS_PER_S);
}

static void
test_bucket_of_monotone(void **state)
{
	unsigned prev = 0, b;
	double x;
	int64_t v;

	(void)state;
	for (v = 0; v < 100000; v++) {
		b = wp__hist_bucket_of(v);
		assert_true(b >= prev);
		assert_true(v >= lower(b) && v < wp__hist_bucket_upper(b));
		prev = b;
	}
	for (x = 100000; x < 9.0e18; x *= 1.003) {
		v = (int64_t)x;
		b = wp__hist_bucket_of(v);
		assert_true(b >= prev);
		assert_true(v >= lower(b));
		assert_true(b == WP__HIST_BUCKETS - 1 ||
			    v < wp__hist_bucket_upper(b));
		prev = b;
	}
}

static void
test_empty_and_single(void **state)
{
	struct wp__hist *h = hist_new();
	struct wp__hist_snap s;

	(void)state;
	wp__hist_read(h, &s);
	assert_int_equal(s.count, 0);
	assert_int_equal(wp__hist_quantile(&s, 0.5), 0);
	assert_int_equal(wp__hist_quantile(&s, 1.0), 0);

	wp__hist_add(h, 1000);
	wp__hist_read(h, &s);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.sum_ns, 1000);
	assert_int_equal(s.max_ns, 1000);
	assert_int_equal(s.last_ns, 1000);
	/* Clamped to the maximum: a single sample is reported exactly. */
	assert_int_equal(wp__hist_quantile(&s, 0.0), 1000);
	assert_int_equal(wp__hist_quantile(&s, 0.5), 1000);
	assert_int_equal(wp__hist_quantile(&s, 1.0), 1000);

	/* A negative duration (a clock oddity) counts as zero. */
	wp__hist_add(h, -7);
	wp__hist_read(h, &s);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.sum_ns, 1000);
	assert_int_equal(s.bucket[0], 1);
	assert_int_equal(s.last_ns, 0);
	assert_int_equal(s.max_ns, 1000);
	free(h);
}

static void
test_quantile_q_out_of_range(void **state)
{
	struct wp__hist *h = hist_new();
	struct wp__hist_snap s;
	int64_t v;

	(void)state;
	for (v = 1; v <= 100; v++)
		wp__hist_add(h, v * 10000);
	wp__hist_read(h, &s);
	/* q below 0 (or NaN) is the first sample's bucket, above 1 the
	 * maximum. */
	assert_int_equal(wp__hist_quantile(&s, -1.0),
			 wp__hist_quantile(&s, 0.0));
	assert_int_equal(wp__hist_quantile(&s, NAN),
			 wp__hist_quantile(&s, 0.0));
	assert_int_equal(wp__hist_quantile(&s, 0.0),
			 wp__hist_bucket_upper(wp__hist_bucket_of(10000)));
	assert_int_equal(wp__hist_quantile(&s, 2.0), 1000000);
	assert_int_equal(wp__hist_quantile(&s, 1.0), 1000000);
	free(h);
}

/*
 * Feeds n samples, then checks every percentile against the exact one from
 * the sorted samples: the answer must be the upper edge of the exact
 * value's bucket (or the maximum), so at most one bucket's width above.
 */
static void
check_quantiles(int64_t *v, size_t n)
{
	struct wp__hist *h = hist_new();
	struct wp__hist_snap s;
	uint64_t sum = 0;
	size_t i;
	int pct;

	for (i = 0; i < n; i++) {
		wp__hist_add(h, v[i]);
		sum += (uint64_t)v[i];
	}
	qsort(v, n, sizeof(*v), cmp_i64);
	wp__hist_read(h, &s);
	assert_int_equal(s.count, n);
	assert_int_equal(s.sum_ns, sum);
	assert_true(s.max_ns == v[n - 1]);

	for (pct = 1; pct <= 100; pct++) {
		double q = pct / 100.0;
		size_t rank = (size_t)ceil(q * (double)n);
		int64_t exact = v[rank - 1];
		int64_t got = wp__hist_quantile(&s, q);
		int64_t want = WP__MIN(
			wp__hist_bucket_upper(wp__hist_bucket_of(exact)),
			s.max_ns);

		assert_true(got == want);
		assert_true(got >= exact);
		if (exact >= 256)
			assert_true(got - exact <= exact / 4 + 1);
	}
	free(h);
}

static void
test_quantiles_uniform(void **state)
{
	size_t n = 1000, i;
	int64_t *v = calloc(n, sizeof(*v));

	(void)state;
	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = (int64_t)(i + 1) * 1000; /* 1 us .. 1 ms */
	check_quantiles(v, n);
	free(v);
}

static void
test_quantiles_exponential(void **state)
{
	size_t n = 100000, i;
	int64_t *v = calloc(n, sizeof(*v));
	uint64_t seed = 42;

	(void)state;
	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = (int64_t)(-log(1.0 - unit(&seed)) * 1e6); /* mean 1 ms */
	check_quantiles(v, n);
	free(v);
}

static void
test_quantiles_bimodal(void **state)
{
	size_t n = 20000, i;
	int64_t *v = calloc(n, sizeof(*v));
	uint64_t seed = 7;

	(void)state;
	assert_non_null(v);
	/* 90 % fast in-memory tasks near 50 us, 10 % slow calls near 2 s. */
	for (i = 0; i < n; i++) {
		double jitter = 0.5 + unit(&seed);

		v[i] = i % 10 == 9 ? (int64_t)(2e9 * jitter)
				   : (int64_t)(5e4 * jitter);
	}
	check_quantiles(v, n);
	free(v);
}

static void
test_merge(void **state)
{
	struct wp__hist *a = hist_new(), *b = hist_new(), *all = hist_new();
	struct wp__hist_snap sa, sb, sall;
	int64_t v;
	unsigned i;

	(void)state;
	for (v = 1; v <= 3000; v++) {
		wp__hist_add(v % 3 ? a : b, v * 777);
		wp__hist_add(all, v * 777);
	}
	wp__hist_read(a, &sa);
	wp__hist_read(b, &sb);
	wp__hist_read(all, &sall);
	wp__hist_merge(&sa, &sb);
	assert_int_equal(sa.count, sall.count);
	assert_int_equal(sa.sum_ns, sall.sum_ns);
	assert_true(sa.max_ns == sall.max_ns);
	for (i = 0; i < WP__HIST_BUCKETS; i++)
		assert_int_equal(sa.bucket[i], sall.bucket[i]);
	assert_true(wp__hist_quantile(&sa, 0.99) ==
		    wp__hist_quantile(&sall, 0.99));

	/* Merging into an empty snapshot takes the other's last sample. */
	memset(&sa, 0, sizeof(sa));
	wp__hist_merge(&sa, &sb);
	assert_true(sa.last_ns == sb.last_ns);
	assert_int_equal(sa.count, sb.count);
	free(a);
	free(b);
	free(all);
}

struct shared {
	struct wp__hist *h;
	int index;
	atomic_bool done;
	atomic_int count_went_back; /* recorded by the reader */
};

static void *
writer(void *arg)
{
	struct shared *sh = arg;
	int64_t base = (int64_t)sh->index * 100000;
	int i;

	for (i = 0; i < ADDS; i++)
		wp__hist_add(sh->h, base + i % 5000);
	return NULL;
}

static void *
reader(void *arg)
{
	struct shared *sh = arg;
	struct wp__hist_snap s;
	uint64_t prev = 0;

	while (!atomic_load(&sh->done)) {
		wp__hist_read(sh->h, &s);
		if (s.count < prev)
			atomic_fetch_add(&sh->count_went_back, 1);
		prev = s.count;
	}
	return NULL;
}

static void
test_concurrent_writers(void **state)
{
	struct wp__hist *h = hist_new();
	struct shared sh[WRITERS], rd = {.h = h};
	pthread_t tid[WRITERS], rtid;
	struct wp__hist_snap s;
	uint64_t sum = 0, total = 0;
	int64_t max = 0;
	int t, i;

	(void)state;
	atomic_init(&rd.done, false);
	atomic_init(&rd.count_went_back, 0);
	assert_int_equal(pthread_create(&rtid, NULL, reader, &rd), 0);
	for (t = 0; t < WRITERS; t++) {
		sh[t].h = h;
		sh[t].index = t;
		assert_int_equal(pthread_create(&tid[t], NULL, writer, &sh[t]),
				 0);
	}
	for (t = 0; t < WRITERS; t++) {
		assert_int_equal(pthread_join(tid[t], NULL), 0);
		for (i = 0; i < ADDS; i++) {
			int64_t v = (int64_t)t * 100000 + i % 5000;

			sum += (uint64_t)v;
			max = WP__MAX(max, v);
		}
	}
	atomic_store(&rd.done, true);
	assert_int_equal(pthread_join(rtid, NULL), 0);

	wp__hist_read(h, &s);
	for (i = 0; i < WP__HIST_BUCKETS; i++)
		total += s.bucket[i];
	assert_int_equal(s.count, (uint64_t)WRITERS * ADDS);
	assert_int_equal(total, (uint64_t)WRITERS * ADDS);
	assert_int_equal(s.sum_ns, sum);
	assert_true(s.max_ns == max);
	assert_int_equal(atomic_load(&rd.count_went_back), 0);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_edges),
		cmocka_unit_test(test_bucket_of_monotone),
		cmocka_unit_test(test_empty_and_single),
		cmocka_unit_test(test_quantile_q_out_of_range),
		cmocka_unit_test(test_quantiles_uniform),
		cmocka_unit_test(test_quantiles_exponential),
		cmocka_unit_test(test_quantiles_bimodal),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_concurrent_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
