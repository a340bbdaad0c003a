/*
 * hist.c - the fixed-size latency histogram behind the processing-time
 * metrics (S7.1).
 *
 * The standard's reference code keeps every processing time in a slice
 * that grows for as long as the pool runs; this histogram replaces it with
 * WP__HIST_BUCKETS counters, so memory stays constant whatever the task
 * count and the monitor still gets an average, a maximum and percentiles.
 *
 * Buckets are log-linear: four sub-buckets per power of two.  The first
 * four buckets split [0, 256 ns) into 64 ns steps; from 256 ns on, each
 * octave [2^p, 2^(p+1)) is split into four equal parts, so a bucket is
 * never wider than a quarter of its lower edge (quantiles within 25 %).
 * The last bucket is open-ended; with 128 buckets it starts near 481 s.
 *
 * DESIGN: any thread adds samples with relaxed atomics and no lock (the
 * maximum through a CAS loop).  Readers copy the counters one by one, so a
 * snapshot taken during writes may miss the adds in flight; quantiles rank
 * against the copied buckets, never against `count`, so they stay
 * consistent with themselves.  Nothing here allocates or blocks.
 */
#include "wp-internal.h"

#include <assert.h>
#include <math.h>

#define SUB_BITS WP__HIST_SUB_BITS
#define SUBS (1u << SUB_BITS)
/* The first octave split into sub-buckets: 2^8 = 256 ns. */
#define FIRST_BITS WP__HIST_FIRST_BITS
#define LAST (WP__HIST_BUCKETS - 1)

static_assert(WP__HIST_BUCKETS > SUBS, "at least the linear buckets");
/* Bucket edges must fit an int64_t: the last finite edge is 2^(p+1). */
static_assert(FIRST_BITS + (WP__HIST_BUCKETS - SUBS) / SUBS < 62,
	      "bucket edges fit in int64_t");

/* The exclusive upper edge of bucket b; INT64_MAX for the open-ended last
 * bucket (and for any b past it). */
int64_t
wp__hist_bucket_upper(unsigned b)
{
	unsigned p, s;

	if (b >= LAST)
		return INT64_MAX;
	if (b < SUBS)
		return (int64_t)(b + 1) << (FIRST_BITS - SUB_BITS);
	p = FIRST_BITS + (b - SUBS) / SUBS;
	s = (b - SUBS) % SUBS;
	return ((int64_t)1 << p) + ((int64_t)(s + 1) << (p - SUB_BITS));
}

void
wp__hist_add(struct wp__hist *h, int64_t ns)
{
	int64_t max;

	if (ns < 0)
		ns = 0;
	atomic_fetch_add_explicit(&h->bucket[wp__hist_bucket_of(ns)], 1,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, (uint64_t)ns,
				  memory_order_relaxed);
	atomic_store_explicit(&h->last_ns, ns, memory_order_relaxed);
	max = atomic_load_explicit(&h->max_ns, memory_order_relaxed);
	while (ns > max &&
	       !atomic_compare_exchange_weak_explicit(&h->max_ns, &max, ns,
						      memory_order_relaxed,
						      memory_order_relaxed))
		;
}

/* The single-writer variant: the calling thread is the only one that ever
 * adds to h (readers may still copy it concurrently), so plain relaxed
 * loads and stores replace the read-modify-write instructions. */
/* Adds a copy into a shared histogram (any thread). */
void
wp__hist_add_snap(struct wp__hist *h, const struct wp__hist_snap *s)
{
	int64_t max;
	unsigned b;

	for (b = 0; b < WP__HIST_BUCKETS; b++)
		if (s->bucket[b])
			atomic_fetch_add_explicit(&h->bucket[b], s->bucket[b],
						  memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, s->count, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, s->sum_ns, memory_order_relaxed);
	max = atomic_load_explicit(&h->max_ns, memory_order_relaxed);
	while (s->max_ns > max &&
	       !atomic_compare_exchange_weak_explicit(&h->max_ns, &max,
						      s->max_ns,
						      memory_order_relaxed,
						      memory_order_relaxed))
		;
}

void
wp__hist_read(const struct wp__hist *h, struct wp__hist_snap *out)
{
	unsigned b;

	for (b = 0; b < WP__HIST_BUCKETS; b++)
		out->bucket[b] = atomic_load_explicit(&h->bucket[b],
						      memory_order_relaxed);
	out->count = atomic_load_explicit(&h->count, memory_order_relaxed);
	out->sum_ns = atomic_load_explicit(&h->sum_ns, memory_order_relaxed);
	out->max_ns = atomic_load_explicit(&h->max_ns, memory_order_relaxed);
	out->last_ns = atomic_load_explicit(&h->last_ns, memory_order_relaxed);
}

/*
 * Adds `from` into `into`.  Snapshots carry no timestamps, so which one
 * holds the later sample is unknown: `into` keeps its last_ns unless it is
 * empty.
 */
void
wp__hist_merge(struct wp__hist_snap *into, const struct wp__hist_snap *from)
{
	unsigned b;

	for (b = 0; b < WP__HIST_BUCKETS; b++)
		into->bucket[b] += from->bucket[b];
	if (into->count == 0)
		into->last_ns = from->last_ns;
	into->count += from->count;
	into->sum_ns += from->sum_ns;
	into->max_ns = WP__MAX(into->max_ns, from->max_ns);
}

int64_t
wp__hist_quantile(const struct wp__hist_snap *s, double q)
{
	uint64_t total = 0, rank, seen = 0;
	unsigned b;

	for (b = 0; b < WP__HIST_BUCKETS; b++)
		total += s->bucket[b];
	if (total == 0)
		return 0;
	if (!(q > 0.0)) /* also catches NaN */
		q = 0.0;
	if (q > 1.0)
		q = 1.0;
	rank = (uint64_t)ceil(q * (double)total);
	if (rank < 1)
		rank = 1;
	if (rank > total)
		rank = total;
	for (b = 0; b < WP__HIST_BUCKETS; b++) {
		seen += s->bucket[b];
		if (seen >= rank)
			break;
	}
	assert(b < WP__HIST_BUCKETS);
	return WP__MIN(wp__hist_bucket_upper(b), s->max_ns);
}
