/*
 * session.c - a command session: one pool, its settings, jobs, kinds and
 * the ring of recent results.
 *
 * DESIGN
 * Threads that touch a session: the caller of cmd_session_exec() (the
 * console's UI thread or main's loop), the runner (runner.c), job threads
 * (jobs.c), and the pool's threads through the callbacks installed here
 * (results thread: on_result; any pool thread: on_event; monitor and health
 * checker: on_metrics, on_health).  The callbacks touch only results_mu,
 * atomics and the sink.  s->pool changes only in cmd_session_restart(),
 * which runs on the exec thread while no long command runs and after every
 * job has been joined, so commands and jobs may use the pool they read
 * without holding s->mu.
 *
 * How it stops: cmd_session_finish() ends the runner, the jobs, then runs
 * the ordered stop; hung demo tasks are released (kinds.c) and given a
 * moment to return; cmd_session_free() destroys the pool.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

#define RELEASE_WAIT_MS 2000

struct cmd_stop_copy {
	struct wp_stop_report r;
	struct wp_stop_thread *threads;
};

int64_t
cmd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
cmd_thread_start(pthread_t *t, const char *name, void *(*fn)(void *),
		 void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return WP_ESYS;
	pthread_setname_np(*t, name);
	return 0;
}

void
cmd_session_opts_init(struct cmd_session_opts *o)
{
	memset(o, 0, sizeof *o);
	wp_config_init(&o->cfg);
}

/* ---- pool callbacks (pool threads) ---- */

static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cmd_guard *kept; /* kept_mu: guards never freed */

struct cmd_session *
cmd_guard_enter(void *udata)
{
	struct cmd_guard *g = udata;
	struct cmd_session *s;

	atomic_fetch_add(&g->inflight, 1);
	s = atomic_load(&g->s);
	if (s == NULL)
		atomic_fetch_sub(&g->inflight, 1);
	return s;
}

void
cmd_guard_leave(void *udata)
{
	struct cmd_guard *g = udata;

	atomic_fetch_sub(&g->inflight, 1);
}

/* Detaches the session from its guard and waits for callbacks inside it
 * (they are short); frees the guard, or keeps it forever when a thread
 * left behind by a forced stop may still call. */
static void
guard_release(struct cmd_guard *g, bool keep)
{
	struct timespec ts = {0, 1000000};

	atomic_store(&g->s, NULL);
	while (atomic_load(&g->inflight) > 0)
		nanosleep(&ts, NULL);
	if (!keep) {
		free(g);
		return;
	}
	pthread_mutex_lock(&kept_mu);
	g->next = kept;
	kept = g;
	pthread_mutex_unlock(&kept_mu);
}

static void
on_result(void *udata, const struct wp_result *r)
{
	struct cmd_session *s = cmd_guard_enter(udata);

	if (s == NULL)
		return;

	pthread_mutex_lock(&s->results_mu);
	if (s->results_cap > 0) {
		s->results[s->results_head] = *r;
		s->results_head = (s->results_head + 1) % s->results_cap;
		if (s->results_len < s->results_cap)
			s->results_len++;
	}
	s->results_total++;
	pthread_mutex_unlock(&s->results_mu);
	if (s->opts.cfg.on_result != NULL)
		s->opts.cfg.on_result(s->opts.cfg.udata, r);
	cmd_guard_leave(udata);
}

static void
on_error(void *udata, const struct wp_error *e)
{
	struct cmd_session *s = cmd_guard_enter(udata);

	if (s == NULL)
		return;

	if (s->opts.cfg.on_error != NULL)
		s->opts.cfg.on_error(s->opts.cfg.udata, e);
	cmd_guard_leave(udata);
}

static void
on_metrics(void *udata, const struct wp_metrics *m)
{
	struct cmd_session *s = cmd_guard_enter(udata);

	if (s == NULL)
		return;

	if (s->sink.published != NULL)
		s->sink.published(s->sink.udata);
	if (s->opts.cfg.on_metrics != NULL)
		s->opts.cfg.on_metrics(s->opts.cfg.udata, m);
	cmd_guard_leave(udata);
}

static void
on_health(void *udata, const struct wp_health *h)
{
	struct cmd_session *s = cmd_guard_enter(udata);

	if (s == NULL)
		return;

	if (s->sink.published != NULL)
		s->sink.published(s->sink.udata);
	if (s->opts.cfg.on_health != NULL)
		s->opts.cfg.on_health(s->opts.cfg.udata, h);
	cmd_guard_leave(udata);
}

void
cmd_session_set_cfg(struct cmd_session *s, enum wp_option opt, uint64_t v)
{
	pthread_mutex_lock(&s->mu);
	wp_config_set(&s->cfg, opt, v);
	pthread_mutex_unlock(&s->mu);
}

/* ---- create and free ---- */

static int
make_pool(struct cmd_session *s, wp_pool **out)
{
	struct wp_config cfg;

	pthread_mutex_lock(&s->mu);
	cfg = s->cfg;
	pthread_mutex_unlock(&s->mu);
	return wp_pool_create(&cfg, out);
}

static void
start_demo(struct cmd_session *s)
{
	struct cmd_job_spec spec;
	unsigned id;

	memset(&spec, 0, sizeof spec);
	spec.kind = cmd_kind_find(s, "mix");
	if (spec.kind == NULL)
		return;
	wp_task_opts_init(&spec.opts);
	spec.opts.kind = "mix";
	snprintf(spec.spec, sizeof spec.spec, "mix (demo) continuous");
	if (cmd_job_start(s, &spec, &id) != 0)
		cmd_sink_line(s, CMD_ERR, "demo: cannot start the demo load");
}

int
cmd_session_new(const struct cmd_session_opts *o, const struct cmd_sink *sink,
		struct cmd_session **out)
{
	struct cmd_session *s;
	wp_pool *pool;
	int rc;

	s = calloc(1, sizeof *s);
	if (s == NULL)
		return WP_ENOMEM;
	s->opts = *o;
	if (sink != NULL)
		s->sink = *sink;
	s->born_ns = cmd_now_ns();
	s->results_cap = o->results_cap ? o->results_cap : 256;
	s->results = calloc(s->results_cap, sizeof *s->results);
	s->guard = calloc(1, sizeof *s->guard);
	if (s->results == NULL || s->guard == NULL) {
		rc = WP_ENOMEM;
		goto err_free;
	}
	atomic_store(&s->guard->s, s);
	pthread_rwlock_init(&s->pool_rw, NULL);
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->jobs_mu, NULL);
	pthread_mutex_init(&s->results_mu, NULL);
	cmd_runner_init(&s->runner);
	s->next_job = 1;
	cmd_kinds_init(s);

	s->cfg = o->cfg;
	s->cfg.on_result = on_result;
	s->cfg.on_error = on_error;
	s->cfg.on_event = cmd_on_event;
	s->cfg.on_metrics = on_metrics;
	s->cfg.on_health = on_health;
	s->cfg.udata = s->guard;

	rc = make_pool(s, &pool);
	if (rc != 0)
		goto err_destroy_locks;
	s->pool = pool;
	if (!o->no_start) {
		rc = wp_pool_start(pool);
		if (rc != 0)
			goto err_destroy_pool;
	}
	if (s->sink.pool_changed != NULL)
		s->sink.pool_changed(s->sink.udata, pool);
	if (o->demo && !o->no_start)
		start_demo(s);
	*out = s;
	return 0;

err_destroy_pool:
	wp_pool_destroy(pool);
err_destroy_locks:
	cmd_kinds_free(s);
	pthread_mutex_destroy(&s->results_mu);
	pthread_mutex_destroy(&s->jobs_mu);
	pthread_mutex_destroy(&s->mu);
	pthread_rwlock_destroy(&s->pool_rw);
	pthread_mutex_destroy(&s->runner.mu);
	pthread_cond_destroy(&s->runner.cond);
err_free:
	free(s->guard);
	free(s->results);
	free(s);
	return rc;
}

/* Lets every hung demo task return, for a moment at most. */
static void
release_hung(void)
{
	int64_t until = cmd_now_ns() + RELEASE_WAIT_MS * 1000000ll;
	struct timespec ts = {0, 5 * 1000000};

	cmd_kinds_release();
	while (cmd_kinds_hanging() > 0 && cmd_now_ns() < until)
		nanosleep(&ts, NULL);
}

/* The ordered stop of the current pool, unless it never started or one
 * has finished.  pool_rw keeps a racing `start` out while it runs. */
static void
finish_stop(struct cmd_session *s)
{
	wp_pool *pool;

	pthread_rwlock_rdlock(&s->pool_rw);
	pool = cmd_session_pool(s);
	if (pool != NULL && wp_pool_state(pool) != WP_STATE_CREATED &&
	    wp_pool_last_stop(pool) == NULL)
		cmd_session_stop(s, false, 0, NULL);
	pthread_rwlock_unlock(&s->pool_rw);
}

int
cmd_session_finish(struct cmd_session *s)
{
	pthread_mutex_lock(&s->mu);
	if (s->finished) {
		pthread_mutex_unlock(&s->mu);
		return cmd_session_exit_code(s);
	}
	s->finished = true;
	pthread_mutex_unlock(&s->mu);

	/* No new work; then the stop, which also wakes a long command that
	 * waits in the pool (a submit waiting for room), so the runner can
	 * be joined; then the jobs; then whatever a racing `start` made. */
	cmd_runner_close(s);
	finish_stop(s);
	cmd_runner_shutdown(s);
	cmd_jobs_kill_all(s);
	finish_stop(s);
	release_hung();
	return cmd_session_exit_code(s);
}

static void
stop_copy_free(struct cmd_stop_copy *c)
{
	if (c == NULL)
		return;
	free(c->threads);
	free(c);
}

void
cmd_session_free(struct cmd_session *s)
{
	if (s == NULL)
		return;
	cmd_session_finish(s);
	if (s->pool != NULL) {
		if (s->sink.pool_changed != NULL)
			s->sink.pool_changed(s->sink.udata, NULL);
		wp_pool_destroy(s->pool);
		s->pool = NULL;
	}
	guard_release(s->guard, s->left_behind);
	stop_copy_free(s->last_stop);
	cmd_kinds_free(s);
	pthread_mutex_destroy(&s->results_mu);
	pthread_mutex_destroy(&s->jobs_mu);
	pthread_mutex_destroy(&s->mu);
	pthread_rwlock_destroy(&s->pool_rw);
	pthread_mutex_destroy(&s->runner.mu);
	pthread_cond_destroy(&s->runner.cond);
	free(s->results);
	free(s);
}

/* ---- small accessors ---- */

bool
cmd_session_busy(const struct cmd_session *s)
{
	return cmd_runner_busy(s);
}

void
cmd_session_interrupt(struct cmd_session *s)
{
	atomic_store(&s->interrupt, true);
}

bool
cmd_interrupted(const struct cmd_session *s)
{
	return atomic_load(&s->interrupt);
}

bool
cmd_session_quit_requested(const struct cmd_session *s)
{
	return atomic_load(&s->quit);
}

wp_pool *
cmd_session_pool(struct cmd_session *s)
{
	wp_pool *p;

	pthread_mutex_lock(&s->mu);
	p = s->pool;
	pthread_mutex_unlock(&s->mu);
	return p;
}

wp_pool *
cmd_pool(struct cmd_ctx *c)
{
	return cmd_session_pool(c->s);
}

int
cmd_session_exit_code(const struct cmd_session *s)
{
	if (atomic_load(&s->failed))
		return CMD_EXIT_FAILED;
	if (atomic_load(&s->forced))
		return CMD_EXIT_FORCED;
	return CMD_EXIT_OK;
}

size_t
cmd_session_results(struct cmd_session *s, struct wp_result *buf, size_t n)
{
	size_t k, first, i;

	pthread_mutex_lock(&s->results_mu);
	k = s->results_len < n ? s->results_len : n;
	/* The newest k, oldest first. */
	first = (s->results_head + s->results_cap - k) % s->results_cap;
	for (i = 0; i < k; i++)
		buf[i] = s->results[(first + i) % s->results_cap];
	pthread_mutex_unlock(&s->results_mu);
	return k;
}

bool
cmd_session_sleep(struct cmd_session *s, uint64_t ms)
{
	int64_t until = cmd_now_ns() + (int64_t)ms * 1000000;
	int64_t left;
	struct timespec ts;

	for (;;) {
		if (cmd_interrupted(s))
			return true;
		left = until - cmd_now_ns();
		if (left <= 0)
			return false;
		if (left > 20 * 1000000)
			left = 20 * 1000000;
		ts.tv_sec = 0;
		ts.tv_nsec = left;
		nanosleep(&ts, NULL);
	}
}

/* ---- stops and restarts ---- */

static struct cmd_stop_copy *
stop_copy(const struct wp_stop_report *r)
{
	struct cmd_stop_copy *c;

	c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->r = *r;
	if (r->nthreads > 0 && r->threads != NULL) {
		c->threads = calloc(r->nthreads, sizeof *c->threads);
		if (c->threads == NULL) {
			free(c);
			return NULL;
		}
		memcpy(c->threads, r->threads,
		       r->nthreads * sizeof *c->threads);
	} else {
		c->r.nthreads = 0;
	}
	c->r.threads = c->threads;
	return c;
}

void
cmd_session_keep_stop(struct cmd_session *s, wp_pool *pool)
{
	const struct wp_stop_report *r = wp_pool_last_stop(pool);
	struct cmd_stop_copy *c, *old;

	if (r == NULL)
		return;
	c = stop_copy(r);
	if (c == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	old = s->last_stop;
	s->last_stop = c;
	pthread_mutex_unlock(&s->mu);
	stop_copy_free(old);
}

const struct wp_stop_report *
cmd_session_last_stop(struct cmd_session *s)
{
	const struct wp_stop_report *r = NULL;
	wp_pool *pool = cmd_session_pool(s);

	if (pool != NULL)
		r = wp_pool_last_stop(pool);
	if (r == NULL) {
		pthread_mutex_lock(&s->mu);
		if (s->last_stop != NULL)
			r = &s->last_stop->r;
		pthread_mutex_unlock(&s->mu);
	}
	return r;
}

int
cmd_session_stop(struct cmd_session *s, bool drain, uint64_t drain_ms,
		 const struct wp_stop_report **report)
{
	wp_pool *pool = cmd_session_pool(s);
	int rc;

	if (pool == NULL)
		return WP_ESTATE;
	if (drain)
		rc = wp_pool_drain(pool, drain_ms, report);
	else
		rc = wp_pool_stop(pool, report);
	if (rc == 0) {
		atomic_store(&s->forced, false);
	} else if (rc == WP_EFORCED) {
		atomic_store(&s->forced, true);
		pthread_mutex_lock(&s->mu);
		s->left_behind = true;
		pthread_mutex_unlock(&s->mu);
	}
	return rc;
}

int
cmd_session_restart(struct cmd_session *s)
{
	wp_pool *old, *pool;
	int rc;

	rc = make_pool(s, &pool);
	if (rc != 0)
		return rc;
	cmd_jobs_kill_all(s);
	pthread_mutex_lock(&s->mu);
	old = s->pool;
	pthread_mutex_unlock(&s->mu);
	if (old != NULL) {
		cmd_session_keep_stop(s, old);
		if (s->sink.pool_changed != NULL)
			s->sink.pool_changed(s->sink.udata, NULL);
	}
	pthread_rwlock_wrlock(&s->pool_rw);
	pthread_mutex_lock(&s->mu);
	s->pool = NULL;
	pthread_mutex_unlock(&s->mu);
	if (old != NULL) {
		release_hung();
		wp_pool_destroy(old);
	}
	atomic_store(&s->event_seq, 0);
	rc = wp_pool_start(pool);
	pthread_mutex_lock(&s->mu);
	s->pool = pool;
	pthread_mutex_unlock(&s->mu);
	pthread_rwlock_unlock(&s->pool_rw);
	if (s->sink.pool_changed != NULL)
		s->sink.pool_changed(s->sink.udata, pool);
	return rc;
}
