/*
 * health.c - the timed health checker and the health model (S7.2, S7.3).
 *
 * DESIGN
 * "wp-health" wakes every cfg.health_interval_ms, runs every check,
 * publishes the result (latest slot for the console), offers it to the
 * capacity-1 mailbox (dropped while the mailbox is full, as the standard's
 * channel does), calls cfg.on_health and emits an event when the overall
 * verdict changes.  It exits on its own stop signal (L2 stop-health) or
 * the root cancel (L1).
 *
 * Unlike the Go code, which kept only the last failing check, every check
 * is reported with its figure and threshold, and how long it has failed:
 * - heap: process heap in use (mallinfo2) above cfg.health_heap_bytes;
 * - threads: process threads above factor x workers;
 * - backlog: queued tasks plus blocked submitters above factor x workers
 *   (the queue alone holds 2W by default, so "queue > 5W" could never
 *   fire without counting who waits to get in);
 * - error-rate: (failed + timed out) / outcomes over a sliding window, once
 *   the window holds a minimum number of outcomes (a lifetime ratio swings
 *   wildly at start and barely moves after hours);
 * - orphans: threads left running timed-out tasks, at the orphan cap
 *   (beyond it a late task holds its slot: the pool loses capacity);
 * - stuck: tasks running longer than cfg.health_stuck_ms;
 * - workers: fewer live workers than the target while running.
 */
#include "wp-internal.h"

#include <stdio.h>
#include <string.h>

#define MB (1024.0 * 1024.0)

static void
item(struct wp_health *h, enum wp_health_check c, bool failing, double v,
     double thr, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void
item(struct wp_health *h, enum wp_health_check c, bool failing, double v,
     double thr, const char *fmt, ...)
{
	struct wp_health_item *it = &h->items[c];
	va_list ap;

	it->check = c;
	it->failing = failing;
	it->value = v;
	it->threshold = thr;
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof it->text, fmt, ap);
	va_end(ap);
	if (failing) {
		h->healthy = false;
		h->nfailing++;
	}
}

/* Outcomes and failures inside the window (stats_mu held). */
static void
window(wp_pool *pool, int64_t now, int64_t window_ns, uint64_t outcomes,
       uint64_t bad, uint64_t *w_out, uint64_t *w_bad)
{
	const struct wp__sample *base = NULL, *s;
	unsigned i, idx;

	/* Newest sample at or before the window's start; else the oldest. */
	for (i = 0; i < pool->nsamples; i++) {
		idx = (pool->sample_head + WP__SAMPLES - 1 - i) % WP__SAMPLES;
		s = &pool->samples[idx];
		base = s;
		if (s->at_ns <= now - window_ns)
			break;
	}
	if (!base || base->outcomes > outcomes || base->bad > bad) {
		*w_out = outcomes;
		*w_bad = bad;
		return;
	}
	*w_out = outcomes - base->outcomes;
	*w_bad = bad - base->bad;
}

void
wp__health_fill(wp_pool *pool, const struct wp_metrics *m,
		struct wp_health *h)
{
	struct wp_config c;
	uint64_t outcomes, bad, w_out = 0, w_bad = 0;
	double rate, thr;
	bool running;
	int i;

	pthread_mutex_lock(&pool->mu);
	c = pool->cfg;
	pthread_mutex_unlock(&pool->mu);
	memset(h, 0, sizeof *h);
	h->at_ns = m->at_ns;
	h->healthy = true;
	running = m->state == WP_STATE_RUNNING || m->state == WP_STATE_PAUSED;

	item(h, WP_CHECK_HEAP, m->proc_heap_inuse_bytes > c.health_heap_bytes,
	     m->proc_heap_inuse_bytes / MB, c.health_heap_bytes / MB,
	     "heap in use %.1f MB (limit %.1f MB, process-wide)",
	     m->proc_heap_inuse_bytes / MB, c.health_heap_bytes / MB);
	thr = (double)c.health_threads_factor * m->workers;
	item(h, WP_CHECK_THREADS, m->proc_threads > thr, m->proc_threads, thr,
	     "%u threads in the process (limit %.0f)", m->proc_threads, thr);
	thr = (double)c.health_backlog_factor * m->workers;
	item(h, WP_CHECK_BACKLOG,
	     m->task_queued + m->blocked_submitters > thr,
	     m->task_queued + m->blocked_submitters, thr,
	     "%u queued + %u blocked submitters (limit %.0f)", m->task_queued,
	     m->blocked_submitters, thr);

	outcomes = m->completed + m->failed + m->timed_out;
	bad = m->failed + m->timed_out;
	pthread_mutex_lock(&pool->stats_mu);
	window(pool, m->at_ns,
	       (int64_t)c.health_error_window_ms * WP__NS_PER_MS, outcomes, bad,
	       &w_out, &w_bad);
	pthread_mutex_unlock(&pool->stats_mu);
	h->window_samples = w_out;
	rate = w_out ? 100.0 * (double)w_bad / (double)w_out : 0;
	thr = c.health_error_permille / 10.0;
	if (w_out >= c.health_error_min_samples)
		item(h, WP_CHECK_ERROR_RATE, rate > thr, rate, thr,
		     "error rate %.1f%% over the last %llu outcomes "
		     "(limit %.1f%%)",
		     rate, (unsigned long long)w_out, thr);
	else
		item(h, WP_CHECK_ERROR_RATE, false, rate, thr,
		     "error rate %.1f%%: %llu outcomes in window, need %u",
		     rate, (unsigned long long)w_out,
		     c.health_error_min_samples);

	item(h, WP_CHECK_ORPHANS, m->orphan_cap && m->orphans >= m->orphan_cap,
	     m->orphans, m->orphan_cap,
	     "%u orphan thread(s) running late tasks (cap %u)", m->orphans,
	     m->orphan_cap);
	item(h, WP_CHECK_STUCK, m->stuck > 0, m->stuck, 0,
	     "%u task(s) running longer than %llu ms", m->stuck,
	     (unsigned long long)c.health_stuck_ms);
	item(h, WP_CHECK_WORKERS, running && m->workers_alive < m->workers,
	     m->workers_alive, m->workers, "%u of %u workers alive",
	     m->workers_alive, m->workers);

	pthread_mutex_lock(&pool->stats_mu);
	for (i = 0; i < WP_HEALTH_CHECKS; i++) {
		if (!h->items[i].failing)
			pool->check_since[i] = 0;
		else if (!pool->check_since[i])
			pool->check_since[i] = h->at_ns;
		h->items[i].since_ns = pool->check_since[i];
	}
	pthread_mutex_unlock(&pool->stats_mu);
}

int
wp_pool_health(wp_pool *pool, struct wp_health *out)
{
	struct wp_metrics m;

	if (!pool || !out)
		return WP_EINVAL;
	wp__metrics_fill(pool, &m, true);
	wp__health_fill(pool, &m, out);
	return 0;
}

int
wp_pool_health_published(const wp_pool *pool, struct wp_health *out)
{
	wp_pool *p = (wp_pool *)pool;
	int rc = WP_EAGAIN;

	if (!pool || !out)
		return WP_EINVAL;
	pthread_mutex_lock(&p->stats_mu);
	if (p->have_health) {
		*out = p->health_pub;
		rc = 0;
	}
	pthread_mutex_unlock(&p->stats_mu);
	return rc;
}

int
wp_pool_health_take(wp_pool *pool, struct wp_health *out)
{
	int rc = WP_EAGAIN;

	if (!pool || !out)
		return WP_EINVAL;
	pthread_mutex_lock(&pool->stats_mu);
	if (pool->mailbox_full) {
		*out = pool->mailbox;
		pool->mailbox_full = false;
		rc = 0;
	}
	pthread_mutex_unlock(&pool->stats_mu);
	return rc;
}

static void
check(wp_pool *pool)
{
	struct wp_metrics m;
	struct wp_health h;
	int64_t window_ns;
	bool changed;
	unsigned i;

	pthread_mutex_lock(&pool->mu);
	window_ns = (int64_t)pool->cfg.health_error_window_ms * WP__NS_PER_MS;
	pthread_mutex_unlock(&pool->mu);
	wp__metrics_fill(pool, &m, true);
	pthread_mutex_lock(&pool->stats_mu);
	wp__sample_add(pool, m.at_ns, m.completed + m.failed + m.timed_out,
		       m.failed + m.timed_out, window_ns);
	pthread_mutex_unlock(&pool->stats_mu);
	wp__health_fill(pool, &m, &h);

	pthread_mutex_lock(&pool->stats_mu);
	pool->health_pub = h;
	pool->have_health = true;
	if (pool->mailbox_full)
		pool->mailbox_dropped++;
	else
		pool->mailbox = h, pool->mailbox_full = true;
	changed = pool->last_healthy != h.healthy;
	pool->last_healthy = h.healthy;
	pthread_mutex_unlock(&pool->stats_mu);

	if (pool->cfg.on_health && wp__cb_enter(pool)) {
		pool->cfg.on_health(pool->cfg.udata, &h);
		wp__cb_leave(pool);
	}
	if (!changed)
		return;
	if (h.healthy) {
		wp__event(pool, WP_EV_HEALTH, 0, -1, "healthy again");
		return;
	}
	for (i = 0; i < WP_HEALTH_CHECKS; i++)
		if (h.items[i].failing)
			wp__event(pool, WP_EV_HEALTH, 0, -1, "unhealthy: %s",
				  h.items[i].text);
}

void *
wp__health_main(void *arg)
{
	wp_pool *pool = arg;

	wp__self.pool = pool;
	wp__timed_loop(pool, WP_SIG_STOP_HEALTH, &pool->health_cv,
		       WP_OPT_HEALTH_INTERVAL_MS, check);
	wp__aux_exited(pool, WP_THREAD_HEALTH);
	return NULL;
}
