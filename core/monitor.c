/*
 * monitor.c - the timed monitor thread and metrics snapshots (S7.1, S7.3).
 *
 * DESIGN
 * "wp-monitor" wakes every cfg.monitor_interval_ms (its own ticker), builds
 * a snapshot, publishes it (the console draws from it), hands it to
 * cfg.on_metrics, records an error-rate sample and looks for leaks.  It
 * exits on its own stop signal (L2 stop-monitor) or the root cancel (L1);
 * its last snapshot stays published, frozen, which is how an operator sees
 * that the monitor layer was stopped.
 *
 * A snapshot is consistent where it matters: outcome counters are read
 * before `accepted`, and each outcome is counted after its task was
 * accepted, so finished never exceeds accepted; submitted is defined as
 * accepted + rejected.  Processing times come from a fixed histogram, so
 * memory stays constant however many tasks run (the Go code kept every
 * duration in a growing slice).
 */
#include "wp-internal.h"

#include <stdio.h>
#include <string.h>

static uint64_t
ld(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_acquire);
}

/* Counters, threads, queues and times.  Everything that moves with the
 * outcome of a task is read under pool->mu, outcomes before `accepted`:
 * each outcome was counted after its task was accepted, so a snapshot
 * never shows more finished than accepted. */
static void
fill_locked(wp_pool *pool, struct wp_metrics *m, struct wp__hist_snap *hs)
{
	struct wp__counters *n = &pool->n;
	struct wp__hist_snap one;
	struct wp__thread *t;
	int64_t stuck_ns, oldest, now_tk = wp__ticks();
	uint64_t w, out[WP_OUTCOME_COUNT];
	int64_t last_end = 0, last_ns = 0;
	int o;

	pthread_mutex_lock(&pool->mu);
	for (o = 0; o < WP_OUTCOME_COUNT; o++)
		out[o] = ld(&n->outcome[o]);
	m->panics = ld(&n->panics);
	m->crashes = ld(&n->crashes);
	m->late_discarded = ld(&n->late_discarded);
	wp__hist_read(&pool->hist, hs);
	stuck_ns = (int64_t)pool->cfg.health_stuck_ms * WP__NS_PER_MS;
	oldest = wp__q_oldest(&pool->tasks);
	m->task_queued = wp__q_len(&pool->tasks);
	for (t = pool->threads; t; t = t->next_all) {
		for (o = 0; o < WP_OUTCOME_COUNT; o++)
			out[o] += ld(&t->cnt.outcome[o]);
		m->panics += ld(&t->cnt.panics);
		m->crashes += ld(&t->cnt.crashes);
		m->late_discarded += ld(&t->cnt.late);
		wp__hist_read(&t->hist, &one);
		wp__hist_merge(hs, &one);
		m->task_queued += wp__batch_len(t, &oldest);
		if (one.count && atomic_load(&t->last_end) > last_end) {
			last_end = atomic_load(&t->last_end);
			last_ns = one.last_ns;
		}
		if (t->role != WP__ROLE_SLOT && t->role != WP__ROLE_ORPHAN)
			continue;
		w = atomic_load(&t->run);
		if ((w & 3) == WP__RUN_IDLE)
			continue;
		if (t->role == WP__ROLE_SLOT && (w & 3) == WP__RUN_ACTIVE)
			m->workers_busy++;
		if (wp__tk2ns(now_tk - atomic_load(&t->started)) > stuck_ns)
			m->stuck++;
	}
	if (last_end)
		hs->last_ns = last_ns;
	m->accepted = atomic_load(&n->next_task_id);
	m->workers = pool->target;
	m->workers_alive = pool->live_workers;
	m->orphans = pool->orphans;
	m->orphan_cap = pool->cfg.orphan_cap;
	m->spares = pool->spares;
	m->watchdog_alive = pool->watchdog_alive;
	m->results_alive = pool->results_alive;
	m->errors_alive = pool->errors_alive;
	m->monitor_alive = pool->monitor_alive;
	m->health_alive = pool->health_alive;
	m->task_cap = atomic_load(&pool->tasks.cap);
	m->task_hwm = WP__MAX(atomic_load(&pool->tasks.hwm), m->task_queued);
	m->blocked_submitters = atomic_load(&pool->blocked);
	m->result_cap = pool->cfg.result_queue_cap;
	pthread_mutex_unlock(&pool->mu);

	m->completed = out[WP_OUTCOME_COMPLETED];
	m->failed = out[WP_OUTCOME_FAILED];
	m->timed_out = out[WP_OUTCOME_TIMED_OUT];
	m->cancelled = out[WP_OUTCOME_CANCELLED];
	m->in_flight = m->accepted - (m->completed + m->failed + m->timed_out +
				      m->cancelled);
	m->oldest_queued_ns = oldest ? wp__tk2ns(now_tk - oldest) : 0;
	m->delivered = ld(&n->delivered);
	m->rejected_full = ld(&n->rejected[WP__REJ_FULL]);
	m->rejected_closed = ld(&n->rejected[WP__REJ_CLOSED]);
	m->rejected_nomem = ld(&n->rejected[WP__REJ_NOMEM]);
	m->rejected_timeout = ld(&n->rejected[WP__REJ_TIMEOUT]);
	m->rejected_deadlock = ld(&n->rejected[WP__REJ_DEADLOCK]);
	m->rejected = m->rejected_full + m->rejected_closed +
		      m->rejected_nomem + m->rejected_timeout +
		      m->rejected_deadlock;
	m->submitted = m->accepted + m->rejected;
	m->results_direct = ld(&n->results_direct);
	m->errors_reported = ld(&n->errors_reported);
	m->errors_dropped = ld(&n->errors_dropped);
}

static void
fill_queues(wp_pool *pool, struct wp_metrics *m)
{
	m->result_queued = wp__results_queued(pool);
	m->result_hwm = WP__MAX(atomic_load(&pool->result_hwm),
				m->result_queued);
	pthread_mutex_lock(&pool->errors.mu);
	m->error_queued = pool->errors.len;
	m->error_cap = pool->errors.cap;
	m->error_hwm = pool->errors.hwm;
	pthread_mutex_unlock(&pool->errors.mu);
}

static void
fill_times(const struct wp__hist_snap *all, struct wp_metrics *m)
{
	m->proc_count = all->count;
	m->proc_avg_ns = all->count ? (int64_t)(all->sum_ns / all->count) : 0;
	m->proc_last_ns = all->last_ns;
	m->proc_max_ns = all->max_ns;
	m->proc_p50_ns = wp__hist_quantile(all, 0.50);
	m->proc_p90_ns = wp__hist_quantile(all, 0.90);
	m->proc_p99_ns = wp__hist_quantile(all, 0.99);
}

void
wp__metrics_fill(wp_pool *pool, struct wp_metrics *m, bool with_proc)
{
	struct wp__procstat ps;
	struct wp__hist_snap hs;
	uint64_t finished;

	memset(m, 0, sizeof *m);
	m->at_ns = wp__now();
	m->state = wp_pool_state(pool);
	fill_locked(pool, m, &hs);
	fill_queues(pool, m);
	fill_times(&hs, m);
	finished = m->completed + m->failed + m->timed_out + m->cancelled;
	if (pool->start_ns) {
		m->uptime_ns = m->at_ns - pool->start_ns;
		if (m->uptime_ns > 0)
			m->throughput_avg = (double)finished * WP__NS_PER_S /
					    (double)m->uptime_ns;
	}
	pthread_mutex_lock(&pool->stats_mu);
	m->throughput = pool->tp_last;
	pthread_mutex_unlock(&pool->stats_mu);
	if (with_proc && wp__procstat_read(&ps) == 0) {
		m->proc_rss_bytes = ps.rss_bytes;
		m->proc_vm_bytes = ps.vm_bytes;
		m->proc_heap_inuse_bytes = ps.heap_inuse;
		m->proc_heap_free_bytes = ps.heap_free;
		m->proc_heap_arena_bytes = ps.heap_arena;
		m->proc_threads = ps.threads;
	}
}

int
wp_pool_metrics(wp_pool *pool, struct wp_metrics *out)
{
	if (!pool || !out)
		return WP_EINVAL;
	wp__metrics_fill(pool, out, true);
	return 0;
}

int
wp_pool_metrics_published(const wp_pool *pool, struct wp_metrics *out)
{
	wp_pool *p = (wp_pool *)pool;
	int rc = WP_EAGAIN;

	if (!pool || !out)
		return WP_EINVAL;
	pthread_mutex_lock(&p->stats_mu);
	if (p->have_published) {
		*out = p->published;
		rc = 0;
	}
	pthread_mutex_unlock(&p->stats_mu);
	return rc;
}

/* Samples are kept at least window/64 apart, so the ring of WP__SAMPLES
 * always reaches back a whole window whatever the tick rate. */
void
wp__sample_add(wp_pool *pool, int64_t now, uint64_t outcomes, uint64_t bad,
	       int64_t window_ns)
{
	struct wp__sample *s = &pool->samples[pool->sample_head];
	const struct wp__sample *last;

	if (pool->nsamples) {
		last = &pool->samples[(pool->sample_head + WP__SAMPLES - 1) %
				      WP__SAMPLES];
		if (now - last->at_ns < window_ns / (WP__SAMPLES / 2))
			return;
	}

	s->at_ns = now;
	s->outcomes = outcomes;
	s->bad = bad;
	pool->sample_head = (pool->sample_head + 1) % WP__SAMPLES;
	if (pool->nsamples < WP__SAMPLES)
		pool->nsamples++;
}

/* The Go code's checkMemoryLeak, made useful: heap in use that grew on
 * every one of the last few ticks, by a tenth or more, is reported. */
static void
check_leak(wp_pool *pool, const struct wp_metrics *m)
{
	enum { TICKS = 5 };
	uint64_t heap = m->proc_heap_inuse_bytes;

	if (heap > pool->leak_last)
		pool->leak_rising++;
	else
		pool->leak_rising = 0, pool->leak_base = heap;
	pool->leak_last = heap;
	if (pool->leak_rising == TICKS && pool->leak_base &&
	    heap > pool->leak_base + pool->leak_base / 10)
		wp__event(pool, WP_EV_NOTE, 0, -1,
			  "monitor: heap in use grew %llu -> %llu KB over %d "
			  "ticks (possible leak)",
			  (unsigned long long)(pool->leak_base / 1024),
			  (unsigned long long)(heap / 1024), TICKS);
}

static void
tick(wp_pool *pool)
{
	struct wp_metrics m;
	uint64_t outcomes;
	int64_t window_ns;

	pthread_mutex_lock(&pool->mu);
	window_ns = (int64_t)pool->cfg.health_error_window_ms * WP__NS_PER_MS;
	pthread_mutex_unlock(&pool->mu);
	wp__clock_refine();
	wp__metrics_fill(pool, &m, true);
	outcomes = m.completed + m.failed + m.timed_out + m.cancelled;
	pthread_mutex_lock(&pool->stats_mu);
	if (m.at_ns > pool->tp_last_ns && pool->tp_last_ns)
		pool->tp_last = (double)(outcomes - pool->tp_last_outcomes) *
				WP__NS_PER_S / (double)(m.at_ns - pool->tp_last_ns);
	pool->tp_last_ns = m.at_ns;
	pool->tp_last_outcomes = outcomes;
	m.throughput = pool->tp_last;
	wp__sample_add(pool, m.at_ns, m.completed + m.failed + m.timed_out,
		       m.failed + m.timed_out, window_ns);
	pool->published = m;
	pool->have_published = true;
	pthread_mutex_unlock(&pool->stats_mu);
	if (pool->cfg.on_metrics && wp__cb_enter(pool)) {
		pool->cfg.on_metrics(pool->cfg.udata, &m);
		wp__cb_leave(pool);
	}
	check_leak(pool, &m);
}

/* The ticker loop shared by the two timed threads: runs fn every
 * interval until `stop` or the root cancel fires. */
void
wp__timed_loop(wp_pool *pool, enum wp_signal stop, pthread_cond_t *cv,
	       enum wp_option interval, void (*fn)(wp_pool *))
{
	int64_t last;

	/* A tick can wait for a CPU to be free; a worker need not stop for
	 * it, nor the stopper when the stop signal wakes this thread. */
	wp__thread_background();
	fn(pool);
	last = wp__now();
	pthread_mutex_lock(&pool->mu);
	for (;;) {
		int64_t next;

		if (atomic_load(&pool->sig[stop]) ||
		    atomic_load(&pool->sig[WP_SIG_CANCEL]))
			break;
		next = last + (int64_t)wp__config_get(&pool->cfg, interval) *
				      WP__NS_PER_MS;
		if (wp__now() < next) {
			wp__cond_wait_until(cv, &pool->mu, next);
			continue;
		}
		pthread_mutex_unlock(&pool->mu);
		fn(pool);
		last = wp__now();
		pthread_mutex_lock(&pool->mu);
	}
	pthread_mutex_unlock(&pool->mu);
}

void *
wp__monitor_main(void *arg)
{
	wp_pool *pool = arg;

	wp__self.pool = pool;
	wp__timed_loop(pool, WP_SIG_STOP_MONITOR, &pool->monitor_cv,
		       WP_OPT_MONITOR_INTERVAL_MS, tick);
	wp__aux_exited(pool, WP_THREAD_MONITOR);
	return NULL;
}

/* Copies a thread's current run for display (mu held): a seqlock read of
 * the owner's published fields, retried if the run changed meanwhile. */
static void
read_run(const struct wp__thread *t, struct wp_worker_info *w, int64_t now)
{
	uint64_t r1, r2, kw[3];
	int64_t started, dl;

	do {
		r1 = atomic_load(&t->run);
		w->task_id = atomic_load_explicit(&t->cur_task_id,
						  memory_order_relaxed);
		for (int i = 0; i < 3; i++)
			kw[i] = atomic_load_explicit(&t->kindw[i],
						     memory_order_relaxed);
		started = atomic_load_explicit(&t->started,
					       memory_order_relaxed);
		dl = atomic_load_explicit(&t->deadline, memory_order_relaxed);
		r2 = atomic_load(&t->run);
	} while (r1 != r2);
	w->running_ns = wp__tk2ns(now - started);
	w->timeout_ns = dl == WP__NEVER ? 0 : wp__tk2ns(dl - started);
	memcpy(w->kind, kw, sizeof w->kind);
	w->kind[sizeof w->kind - 1] = '\0';
	if (!w->kind[0])
		memcpy(w->kind, "task", 5);
	if ((r1 & 3) == WP__RUN_IDLE) {
		w->task_id = 0;
		w->kind[0] = '\0';
		w->running_ns = 0;
		w->timeout_ns = 0;
	}
}

int
wp_pool_workers(wp_pool *pool, struct wp_worker_info *buf, size_t n,
		size_t *count)
{
	struct wp__thread *t;
	size_t k = 0;
	int64_t now = wp__ticks();
	unsigned i, top;

	if (!pool || !count || (!buf && n))
		return WP_EINVAL;
	pthread_mutex_lock(&pool->mu);
	top = pool->target;
	for (i = pool->target; i < WP_WORKERS_MAX; i++)
		if (pool->slots[i].thread)
			top = i + 1;
	for (i = 0; i < top; i++, k++) {
		struct wp_worker_info w;

		if (k >= n)
			continue;
		memset(&w, 0, sizeof w);
		w.slot = (int)i;
		t = pool->slots[i].thread;
		if (!t) {
			w.state = WP_WORKER_EXITED;
			snprintf(w.name, sizeof w.name, "wp-worker-%u", i % 10000);
		} else {
			memcpy(w.name, t->name, sizeof w.name);
			w.tasks_done = atomic_load_explicit(
				&t->tasks_done, memory_order_relaxed);
			read_run(t, &w, now);
			w.state = pool->slots[i].waiting_orphan
					  ? WP_WORKER_ORPHANED
				  : w.task_id ? WP_WORKER_BUSY
					      : WP_WORKER_IDLE;
		}
		buf[k] = w;
	}
	for (t = pool->threads; t; t = t->next_all) {
		struct wp_worker_info w;

		if (t->role != WP__ROLE_ORPHAN)
			continue;
		if (k < n) {
			memset(&w, 0, sizeof w);
			w.slot = -1;
			w.orphan = true;
			w.state = WP_WORKER_BUSY;
			memcpy(w.name, t->name, sizeof w.name);
			w.tasks_done = atomic_load_explicit(
				&t->tasks_done, memory_order_relaxed);
			read_run(t, &w, now);
			buf[k] = w;
		}
		k++;
	}
	pthread_mutex_unlock(&pool->mu);
	*count = k;
	return 0;
}
