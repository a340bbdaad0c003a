/*
 * wpbt.h - helpers for the core behaviour suites (test-submit.c, ...).
 *
 * The behaviour suites drive the pool through the public API only.  This
 * header gives them one generic task (what it does is chosen by its
 * heap-allocated argument), callbacks that record everything the pool
 * hands out, and the invariant checks every suite ends with.  It is
 * header-only (static inline) because the test meson loop builds each
 * suite from its own file plus wptest.c.
 *
 * Threads: tasks and callbacks only record (atomics, or rec->mu); cmocka
 * asserts run on the test thread alone, never with rec->mu held.
 *
 * Ownership: every task argument is malloc'ed by bt_submit() and freed
 * exactly once, by the task when it starts or by bt_free() (the free_fn)
 * when the pool cancels it before it starts.  LeakSanitizer checks that.
 */
#ifndef WPBT_H
#define WPBT_H

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wptest.h"

/* Sanitizers own the fault signals: crash-containment tests skip. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||    \
	__has_feature(memory_sanitizer)
#define BT_SANITIZED 1
#endif
#endif
#ifndef BT_SANITIZED
#define BT_SANITIZED 0
#endif

#if defined(__SANITIZE_THREAD__)
#define BT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BT_TSAN 1
#endif
#endif
#ifndef BT_TSAN
#define BT_TSAN 0
#endif

#define BT_UNUSED __attribute__((unused))
#define BT_TO_DEF WP_TIMEOUT_DEFAULT

/* What the test is doing (pair of signals, seed and iteration...): named
 * in every failure message of these helpers.  Test thread only. */
static char bt_label[160] BT_UNUSED;

/* Polls expr (on the test thread) every millisecond until it holds; fails
 * the test, naming the condition, after the generous ceiling.  Equivalent
 * to wpt_wait_for() without a predicate function per condition. */
#define BT_EVENTUALLY(expr)                                                    \
	do {                                                                   \
		int64_t bt_end_ = wpt_now_ms() + WPT_CEILING_MS;               \
		while (!(expr)) {                                              \
			if (wpt_now_ms() >= bt_end_)                           \
				fail_msg("%s:%d: [%s] still false after %d ms: " \
					 "%s", __FILE__, __LINE__, bt_label,   \
					 WPT_CEILING_MS, #expr);               \
			wpt_sleep_ms(1);                                       \
		}                                                              \
	} while (0)

/* ------------------------------------------------------------------------
 * What a task does.
 */
enum bt_op {
	BT_NOOP,
	BT_SLEEP,  /* wp_ctx_sleep(ms); returns its rc */
	BT_GATE,   /* waits for bt_w.gate, or until its context is done */
	BT_HANG,   /* ignores its context: waits for bt_w.release */
	BT_LATE,   /* waits for its context to end, then for bt_w.release,
		      then returns 0 with value 99 (a late result) */
	BT_FAIL,   /* returns 7 with a message */
	BT_PANIC,  /* wp_panic("x %d", tag) */
	BT_RECORD, /* appends its tag to bt_w.order */
	BT_SEGV,   /* raise(SIGSEGV) */
	BT_NULLW,  /* writes through a NULL volatile pointer */
	BT_FPE,
	BT_BUS,
	BT_ILL,
	BT_ABRT,   /* abort() */
	BT_SELF,   /* stop/drain/wait_idle/destroy on its own pool */
	BT_SUBMIT_SELF, /* after bt_w.go: wp_submit_wait into its own pool */
	BT_CTXINFO, /* records what the ctx accessors say */
	BT_SPIN,   /* busy for ms (not interruptible), then returns 0 */
};

struct bt_arg {
	enum bt_op op;
	unsigned ms;
	int tag;
};

#define BT_ORDER_MAX 1024

/* What tasks observed.  One per suite (each suite is one process); reset
 * by bt_world_reset() at the start of every test. */
struct bt_world {
	atomic_uint started, finished, freed;
	atomic_uint saw_done;        /* tasks that saw wp_ctx_done() */
	atomic_uint saw_timedout;    /* ... with wp_ctx_err() == ETIMEDOUT */
	atomic_uint saw_canceled;    /* ... with wp_ctx_err() == ECANCELED */
	atomic_uint sleep_canceled;  /* wp_ctx_sleep() returned ECANCELED */
	atomic_uint sleep_timedout;  /* wp_ctx_sleep() returned ETIMEDOUT */
	atomic_uint hang_returned;   /* BT_HANG / BT_LATE tasks that returned */
	atomic_int gate, release, go;
	atomic_int running, max_running;
	pthread_mutex_t mu;
	int order[BT_ORDER_MAX]; /* mu */
	unsigned norder;         /* mu */
	/* BT_SELF and BT_SUBMIT_SELF. */
	atomic_int self_stop, self_drain, self_idle, self_destroy,
		self_submit;
	atomic_int self_done;
	/* BT_CTXINFO. */
	atomic_uint_least64_t ci_id, ci_value_deadline;
	atomic_int ci_worker, ci_err, ci_current_ok, ci_pool_ok, ci_done;
	atomic_uintptr_t ci_pool;
};

static struct bt_world bt_w BT_UNUSED = {.mu = PTHREAD_MUTEX_INITIALIZER};

static inline void
bt_world_reset(void)
{
	bt_label[0] = '\0';
	atomic_store(&bt_w.started, 0);
	atomic_store(&bt_w.finished, 0);
	atomic_store(&bt_w.freed, 0);
	atomic_store(&bt_w.saw_done, 0);
	atomic_store(&bt_w.saw_timedout, 0);
	atomic_store(&bt_w.saw_canceled, 0);
	atomic_store(&bt_w.sleep_canceled, 0);
	atomic_store(&bt_w.sleep_timedout, 0);
	atomic_store(&bt_w.hang_returned, 0);
	atomic_store(&bt_w.gate, 0);
	atomic_store(&bt_w.release, 0);
	atomic_store(&bt_w.go, 0);
	atomic_store(&bt_w.running, 0);
	atomic_store(&bt_w.max_running, 0);
	pthread_mutex_lock(&bt_w.mu);
	bt_w.norder = 0;
	pthread_mutex_unlock(&bt_w.mu);
	atomic_store(&bt_w.self_stop, 1);
	atomic_store(&bt_w.self_drain, 1);
	atomic_store(&bt_w.self_idle, 1);
	atomic_store(&bt_w.self_destroy, 1);
	atomic_store(&bt_w.self_submit, 1);
	atomic_store(&bt_w.self_done, 0);
	atomic_store(&bt_w.ci_id, 0);
	atomic_store(&bt_w.ci_value_deadline, 0);
	atomic_store(&bt_w.ci_worker, -2);
	atomic_store(&bt_w.ci_err, 1);
	atomic_store(&bt_w.ci_current_ok, 0);
	atomic_store(&bt_w.ci_pool_ok, 0);
	atomic_store(&bt_w.ci_done, 0);
	atomic_store(&bt_w.ci_pool, 0);
}

static inline const char *
bt_op_name(enum bt_op op)
{
	static const char *const names[] = {
		"noop", "sleep", "gate", "hang", "late", "fail", "panic",
		"record", "segv", "nullw", "fpe", "bus", "ill", "abrt", "self",
		"submit-self", "ctxinfo", "spin",
	};
	return (unsigned)op < sizeof names / sizeof names[0] ? names[op]
							    : "?";
}

/* The free_fn: the pool cancelled the task before it started. */
static inline void
bt_free(void *p)
{
	atomic_fetch_add(&bt_w.freed, 1);
	free(p);
}

static inline void
bt_saw(const wp_ctx *ctx)
{
	int err = wp_ctx_err(ctx);
	atomic_fetch_add(&bt_w.saw_done, 1);
	if (err == WP_ETIMEDOUT)
		atomic_fetch_add(&bt_w.saw_timedout, 1);
	else if (err == WP_ECANCELED)
		atomic_fetch_add(&bt_w.saw_canceled, 1);
}

static inline void
bt_leave(void)
{
	atomic_fetch_sub(&bt_w.running, 1);
	atomic_fetch_add(&bt_w.finished, 1);
}

static int bt_task(wp_ctx *ctx, void *p);

static inline int
bt_submit_opts(wp_pool *p, enum bt_op op, unsigned ms, int tag, int prio,
	       uint64_t timeout_ms, bool wait, uint64_t wait_ms, uint64_t *id)
{
	struct bt_arg *a = malloc(sizeof *a);
	struct wp_task_opts o;
	int rc;

	if (a == NULL)
		return WP_ENOMEM;
	a->op = op;
	a->ms = ms;
	a->tag = tag;
	wp_task_opts_init(&o);
	o.priority = prio;
	o.timeout_ms = timeout_ms;
	o.free_fn = bt_free;
	o.kind = bt_op_name(op);
	if (wait)
		rc = wp_submit_wait(p, bt_task, a, &o, wait_ms, id);
	else
		rc = wp_submit(p, bt_task, a, &o, id);
	if (rc != 0)
		free(a); /* on error the pool did not take it */
	return rc;
}

/* Non-blocking submit with the pool's timeout; returns the rc. */
static inline int
bt_submit(wp_pool *p, enum bt_op op, unsigned ms, int tag, uint64_t *id)
{
	return bt_submit_opts(p, op, ms, tag, 0, BT_TO_DEF, false, 0, id);
}

/* Submit that must succeed; returns the id.  Test thread only. */
static inline uint64_t
bt_go(wp_pool *p, enum bt_op op, unsigned ms)
{
	uint64_t id = 0;
	int rc = bt_submit(p, op, ms, 0, &id);
	if (rc != 0)
		fail_msg("submit %s: %s", bt_op_name(op), wp_err_name(rc));
	return id;
}

static inline uint64_t
bt_go_to(wp_pool *p, enum bt_op op, unsigned ms, uint64_t timeout_ms)
{
	uint64_t id = 0;
	int rc = bt_submit_opts(p, op, ms, 0, 0, timeout_ms, false, 0, &id);
	if (rc != 0)
		fail_msg("submit %s: %s", bt_op_name(op), wp_err_name(rc));
	return id;
}

static int
bt_task(wp_ctx *ctx, void *p)
{
	struct bt_arg a = *(struct bt_arg *)p;
	int rc = 0, r;
	wp_pool *pool;

	free(p); /* the task owns its argument once it starts */
	atomic_fetch_add(&bt_w.started, 1);
	r = atomic_fetch_add(&bt_w.running, 1) + 1;
	for (int m = atomic_load(&bt_w.max_running); r > m;
	     m = atomic_load(&bt_w.max_running))
		if (atomic_compare_exchange_weak(&bt_w.max_running, &m, r))
			break;

	switch (a.op) {
	case BT_NOOP:
		break;
	case BT_SLEEP:
		rc = wp_ctx_sleep(ctx, a.ms);
		if (rc == WP_ECANCELED)
			atomic_fetch_add(&bt_w.sleep_canceled, 1);
		else if (rc == WP_ETIMEDOUT)
			atomic_fetch_add(&bt_w.sleep_timedout, 1);
		break;
	case BT_GATE:
		while (!atomic_load(&bt_w.gate)) {
			if (wp_ctx_done(ctx)) {
				bt_saw(ctx);
				rc = wp_ctx_err(ctx);
				break;
			}
			wpt_sleep_ms(1);
		}
		break;
	case BT_HANG:
		while (!atomic_load(&bt_w.release))
			wpt_sleep_ms(1);
		if (wp_ctx_done(ctx))
			bt_saw(ctx);
		atomic_fetch_add(&bt_w.hang_returned, 1);
		break;
	case BT_LATE:
		while (!wp_ctx_done(ctx))
			wpt_sleep_ms(1);
		bt_saw(ctx);
		while (!atomic_load(&bt_w.release))
			wpt_sleep_ms(1);
		wp_ctx_set_value(ctx, 99);
		wp_ctx_set_message(ctx, "late %d", a.tag);
		atomic_fetch_add(&bt_w.hang_returned, 1);
		break;
	case BT_FAIL:
		wp_ctx_set_message(ctx, "failed %d", a.tag);
		rc = 7;
		break;
	case BT_PANIC:
		bt_leave();
		wp_panic("x %d", a.tag);
	case BT_RECORD:
		pthread_mutex_lock(&bt_w.mu);
		if (bt_w.norder < BT_ORDER_MAX)
			bt_w.order[bt_w.norder++] = a.tag;
		pthread_mutex_unlock(&bt_w.mu);
		break;
	case BT_SEGV:
		bt_leave();
		raise(SIGSEGV);
		break;
	case BT_NULLW: {
		volatile int *volatile np = NULL;
		bt_leave();
		*np = 1;
		break;
	}
	case BT_FPE:
		bt_leave();
		raise(SIGFPE);
		break;
	case BT_BUS:
		bt_leave();
		raise(SIGBUS);
		break;
	case BT_ILL:
		bt_leave();
		raise(SIGILL);
		break;
	case BT_ABRT:
		bt_leave();
		abort();
	case BT_SELF:
		pool = wp_ctx_pool(ctx);
		atomic_store(&bt_w.self_stop, wp_pool_stop(pool, NULL));
		atomic_store(&bt_w.self_drain, wp_pool_drain(pool, 10, NULL));
		atomic_store(&bt_w.self_idle, wp_pool_wait_idle(pool, 10));
		atomic_store(&bt_w.self_destroy, wp_pool_destroy(pool));
		atomic_store(&bt_w.self_done, 1);
		break;
	case BT_SUBMIT_SELF:
		while (!atomic_load(&bt_w.go))
			wpt_sleep_ms(1);
		pool = wp_ctx_pool(ctx);
		/* 60 s: a hang here shows as the test's ceiling failing. */
		atomic_store(&bt_w.self_submit,
			     bt_submit_opts(pool, BT_NOOP, 0, 0, 0, BT_TO_DEF,
					    true, 60000, NULL));
		atomic_store(&bt_w.self_done, 1);
		break;
	case BT_CTXINFO:
		atomic_store(&bt_w.ci_id, wp_ctx_task_id(ctx));
		atomic_store(&bt_w.ci_worker, wp_ctx_worker(ctx));
		atomic_store(&bt_w.ci_err, wp_ctx_err(ctx));
		atomic_store(&bt_w.ci_value_deadline,
			     (uint64_t)wp_ctx_deadline(ctx));
		atomic_store(&bt_w.ci_current_ok, wp_ctx_current() == ctx);
		atomic_store(&bt_w.ci_pool, (uintptr_t)wp_ctx_pool(ctx));
		wp_ctx_set_value(ctx, (uint64_t)a.tag);
		wp_ctx_set_message(ctx, "hello %d", a.tag);
		atomic_store(&bt_w.ci_done, 1);
		break;
	case BT_SPIN: {
		int64_t end = wpt_now_ms() + a.ms;
		while (wpt_now_ms() < end)
			;
		break;
	}
	}
	bt_leave();
	return rc;
}

/* ------------------------------------------------------------------------
 * Recording callbacks.
 */
struct bt_rec {
	pthread_mutex_t mu;
	wp_pool *pool; /* set before start; read by callbacks */
	struct wp_result *res;          /* mu */
	size_t nres, capres;            /* mu */
	uint64_t by_outcome[WP_OUTCOME_COUNT], never_ran, panicked, crashed;
	struct wp_error *errs;          /* mu */
	size_t nerr, caperr;            /* mu */
	struct wp_event *evs;           /* mu */
	size_t nev, capev;              /* mu */
	atomic_uint in_result, in_error;
	atomic_bool overlap_r, overlap_e;
	atomic_uint nmetrics, nhealth;
	unsigned result_sleep_ms; /* set before create */
	unsigned error_sleep_ms;  /* set before create */
	atomic_int want_self_stop; /* 1: next result callback calls stop */
	atomic_int self_stop_rc;   /* what it got (1: not yet) */
};

/* r must be static (zeroed at start): what a failed test left in it is
 * freed here, after bt_teardown() destroyed the pools that wrote it. */
static inline void
bt_rec_init(struct bt_rec *r)
{
	free(r->res);
	free(r->errs);
	free(r->evs);
	memset(r, 0, sizeof *r);
	pthread_mutex_init(&r->mu, NULL);
	atomic_store(&r->self_stop_rc, 1);
}

static inline void
bt_rec_fini(struct bt_rec *r)
{
	free(r->res);
	free(r->errs);
	free(r->evs);
	pthread_mutex_destroy(&r->mu);
	memset(r, 0, sizeof *r);
}

#define BT_APPEND(arr, n, cap, val)                                            \
	do {                                                                   \
		if ((n) == (cap)) {                                            \
			size_t nc_ = (cap) ? 2 * (cap) : 64;                   \
			void *np_ = realloc((arr), nc_ * sizeof *(arr));       \
			if (np_ == NULL)                                       \
				break;                                         \
			(arr) = np_;                                           \
			(cap) = nc_;                                           \
		}                                                              \
		(arr)[(n)++] = (val);                                          \
	} while (0)

static inline void
bt_on_result(void *u, const struct wp_result *res)
{
	struct bt_rec *r = u;
	int one = 1;

	if (atomic_fetch_add(&r->in_result, 1) != 0)
		atomic_store(&r->overlap_r, true);
	if (r->result_sleep_ms)
		wpt_sleep_ms(r->result_sleep_ms);
	pthread_mutex_lock(&r->mu);
	BT_APPEND(r->res, r->nres, r->capres, *res);
	if ((unsigned)res->outcome < WP_OUTCOME_COUNT)
		r->by_outcome[res->outcome]++;
	r->never_ran += res->never_ran;
	r->panicked += res->panicked;
	r->crashed += res->crashed;
	pthread_mutex_unlock(&r->mu);
	if (atomic_compare_exchange_strong(&r->want_self_stop, &one, 0))
		atomic_store(&r->self_stop_rc, wp_pool_stop(r->pool, NULL));
	atomic_fetch_sub(&r->in_result, 1);
}

static inline void
bt_on_error(void *u, const struct wp_error *e)
{
	struct bt_rec *r = u;

	if (atomic_fetch_add(&r->in_error, 1) != 0)
		atomic_store(&r->overlap_e, true);
	if (r->error_sleep_ms)
		wpt_sleep_ms(r->error_sleep_ms);
	pthread_mutex_lock(&r->mu);
	BT_APPEND(r->errs, r->nerr, r->caperr, *e);
	pthread_mutex_unlock(&r->mu);
	atomic_fetch_sub(&r->in_error, 1);
}

static inline void
bt_on_event(void *u, const struct wp_event *ev)
{
	struct bt_rec *r = u;

	pthread_mutex_lock(&r->mu);
	BT_APPEND(r->evs, r->nev, r->capev, *ev);
	pthread_mutex_unlock(&r->mu);
}

static inline void
bt_on_metrics(void *u, const struct wp_metrics *m)
{
	struct bt_rec *r = u;
	(void)m;
	atomic_fetch_add(&r->nmetrics, 1);
}

static inline void
bt_on_health(void *u, const struct wp_health *h)
{
	struct bt_rec *r = u;
	(void)h;
	atomic_fetch_add(&r->nhealth, 1);
}

static inline size_t
bt_nres(struct bt_rec *r)
{
	size_t n;
	pthread_mutex_lock(&r->mu);
	n = r->nres;
	pthread_mutex_unlock(&r->mu);
	return n;
}

static inline size_t
bt_nerr(struct bt_rec *r)
{
	size_t n;
	pthread_mutex_lock(&r->mu);
	n = r->nerr;
	pthread_mutex_unlock(&r->mu);
	return n;
}

static inline uint64_t
bt_nout(struct bt_rec *r, enum wp_outcome o)
{
	uint64_t n;
	pthread_mutex_lock(&r->mu);
	n = r->by_outcome[o];
	pthread_mutex_unlock(&r->mu);
	return n;
}

static inline uint64_t
bt_nnever(struct bt_rec *r)
{
	uint64_t n;
	pthread_mutex_lock(&r->mu);
	n = r->never_ran;
	pthread_mutex_unlock(&r->mu);
	return n;
}

/* Copies the result of task id; returns how many results carried it. */
static inline int
bt_result_of(struct bt_rec *r, uint64_t id, struct wp_result *out)
{
	int n = 0;
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < r->nres; i++)
		if (r->res[i].id == id) {
			if (out != NULL && n == 0)
				*out = r->res[i];
			n++;
		}
	pthread_mutex_unlock(&r->mu);
	return n;
}

/* Copies the first error entry of task id; returns how many there were. */
static inline int
bt_error_of(struct bt_rec *r, uint64_t id, struct wp_error *out)
{
	int n = 0;
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < r->nerr; i++)
		if (r->errs[i].task_id == id) {
			if (out != NULL && n == 0)
				*out = r->errs[i];
			n++;
		}
	pthread_mutex_unlock(&r->mu);
	return n;
}

/* Events the on_event callback saw, of one type. */
static inline unsigned
bt_nevents_cb(struct bt_rec *r, enum wp_event_type t)
{
	unsigned n = 0;
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < r->nev; i++)
		n += r->evs[i].type == t;
	pthread_mutex_unlock(&r->mu);
	return n;
}

/* The test config (wpt_config) with every callback recording into r. */
static inline void
bt_cfg(struct wp_config *cfg, struct bt_rec *r)
{
	wpt_config(cfg);
	cfg->on_result = bt_on_result;
	cfg->on_error = bt_on_error;
	cfg->on_event = bt_on_event;
	cfg->on_metrics = bt_on_metrics;
	cfg->on_health = bt_on_health;
	cfg->udata = r;
}

/*
 * Pools a test created and has not destroyed.  A failed assert jumps out of
 * the test with its pool still running (and calling into the suite's
 * recorder); bt_teardown() releases every blocked task and destroys such
 * pools, so one failure does not cascade into the next test.
 */
#define BT_MAX_POOLS 8
static wp_pool *bt_pools[BT_MAX_POOLS] BT_UNUSED;

static inline void
bt_track(wp_pool *p, bool on)
{
	for (int i = 0; i < BT_MAX_POOLS; i++)
		if (on ? bt_pools[i] == NULL : bt_pools[i] == p) {
			bt_pools[i] = on ? p : NULL;
			return;
		}
}

/* wp_pool_destroy() for a pool made by bt_pool(). */
static inline int
bt_destroy(wp_pool *p)
{
	int rc = wp_pool_destroy(p);
	if (rc == 0)
		bt_track(p, false);
	return rc;
}

static inline int
bt_teardown(void **state)
{
	(void)state;
	atomic_store(&bt_w.gate, 1);
	atomic_store(&bt_w.release, 1);
	atomic_store(&bt_w.go, 1);
	for (int i = 0; i < BT_MAX_POOLS; i++)
		if (bt_pools[i] != NULL) {
			(void)wp_pool_destroy(bt_pools[i]);
			bt_pools[i] = NULL;
		}
	/* Tasks a forced stop left behind must see the release before the
	 * next test resets it. */
	for (int64_t end = wpt_now_ms() + WPT_CEILING_MS;
	     atomic_load(&bt_w.running) > 0 && wpt_now_ms() < end;)
		wpt_sleep_ms(1);
	return 0;
}

#define BT_TEST(f) cmocka_unit_test_teardown(f, bt_teardown)

/* Creates (and, if start, starts) a pool; test thread only. */
static inline wp_pool *
bt_pool(const struct wp_config *cfg, struct bt_rec *r, bool start)
{
	wp_pool *p = NULL;
	int rc = wp_pool_create(cfg, &p);
	if (rc != 0)
		fail_msg("wp_pool_create: %s", wp_err_name(rc));
	assert_non_null(p);
	bt_track(p, true);
	if (r != NULL)
		r->pool = p;
	if (start) {
		rc = wp_pool_start(p);
		if (rc != 0)
			fail_msg("wp_pool_start: %s", wp_err_name(rc));
	}
	return p;
}

static inline struct wp_metrics
bt_m(wp_pool *p)
{
	struct wp_metrics m;
	memset(&m, 0, sizeof m);
	wpt_metrics(p, &m);
	return m;
}

static inline struct wp_health
bt_h(wp_pool *p)
{
	struct wp_health h;
	memset(&h, 0, sizeof h);
	assert_int_equal(wp_pool_health(p, &h), 0);
	return h;
}

static inline bool
bt_failing(wp_pool *p, enum wp_health_check c)
{
	struct wp_health h = bt_h(p);
	return h.items[c].failing;
}

static inline unsigned
bt_started(void)
{
	return atomic_load(&bt_w.started);
}

static inline int
bt_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * The invariants every behaviour test ends with, on a pool at rest (after
 * stop or drain): conservation with nothing in flight, one result per
 * accepted task and per id, per-outcome counts equal to the metrics, one
 * free_fn call per never-run task, result and error callbacks never
 * concurrent.  Returns 0, or -1 with a description in why.  Test thread.
 */
static inline int
bt_verify(wp_pool *p, struct bt_rec *r, char *why, size_t n)
{
	struct wp_metrics m;
	uint64_t *ids = NULL, never, out[WP_OUTCOME_COUNT];
	size_t nres, dup = 0;
	int rc;

	memset(&m, 0, sizeof m);
	rc = wp_pool_metrics(p, &m);
	if (rc != 0) {
		snprintf(why, n, "wp_pool_metrics: %s", wp_err_name(rc));
		return -1;
	}
	pthread_mutex_lock(&r->mu);
	nres = r->nres;
	never = r->never_ran;
	memcpy(out, r->by_outcome, sizeof out);
	ids = malloc((nres + 1) * sizeof *ids);
	for (size_t i = 0; ids != NULL && i < nres; i++)
		ids[i] = r->res[i].id;
	pthread_mutex_unlock(&r->mu);
	if (ids != NULL) {
		qsort(ids, nres, sizeof *ids, bt_cmp_u64);
		for (size_t i = 1; i < nres; i++)
			dup += ids[i] == ids[i - 1];
		free(ids);
	}

#define BT_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			snprintf(why, n, __VA_ARGS__);                         \
			return -1;                                             \
		}                                                              \
	} while (0)
	BT_CHECK(m.submitted == m.rejected + m.accepted,
		 "submitted %llu != rejected %llu + accepted %llu",
		 (unsigned long long)m.submitted,
		 (unsigned long long)m.rejected,
		 (unsigned long long)m.accepted);
	BT_CHECK(m.accepted == m.completed + m.failed + m.timed_out +
				       m.cancelled + m.in_flight,
		 "accepted %llu != c %llu + f %llu + t %llu + x %llu + "
		 "in_flight %llu",
		 (unsigned long long)m.accepted,
		 (unsigned long long)m.completed,
		 (unsigned long long)m.failed,
		 (unsigned long long)m.timed_out,
		 (unsigned long long)m.cancelled,
		 (unsigned long long)m.in_flight);
	BT_CHECK(m.in_flight == 0, "in_flight %llu at rest",
		 (unsigned long long)m.in_flight);
	BT_CHECK(nres == m.accepted,
		 "%zu results delivered for %llu accepted tasks", nres,
		 (unsigned long long)m.accepted);
	BT_CHECK(dup == 0, "%zu task ids delivered more than once", dup);
	BT_CHECK(out[WP_OUTCOME_NONE] == 0, "%llu results without outcome",
		 (unsigned long long)out[WP_OUTCOME_NONE]);
	BT_CHECK(out[WP_OUTCOME_COMPLETED] == m.completed &&
			 out[WP_OUTCOME_FAILED] == m.failed &&
			 out[WP_OUTCOME_TIMED_OUT] == m.timed_out &&
			 out[WP_OUTCOME_CANCELLED] == m.cancelled,
		 "delivered c/f/t/x %llu/%llu/%llu/%llu, metrics say "
		 "%llu/%llu/%llu/%llu",
		 (unsigned long long)out[1], (unsigned long long)out[2],
		 (unsigned long long)out[3], (unsigned long long)out[4],
		 (unsigned long long)m.completed,
		 (unsigned long long)m.failed,
		 (unsigned long long)m.timed_out,
		 (unsigned long long)m.cancelled);
	BT_CHECK(never == atomic_load(&bt_w.freed),
		 "%llu never-ran results but free_fn called %u times",
		 (unsigned long long)never, atomic_load(&bt_w.freed));
	BT_CHECK(!atomic_load(&r->overlap_r),
		 "two result callbacks ran at once");
	BT_CHECK(!atomic_load(&r->overlap_e),
		 "two error callbacks ran at once");
#undef BT_CHECK
	return 0;
}

static inline void
bt_check_final(wp_pool *p, struct bt_rec *r)
{
	char why[256];
	if (bt_verify(p, r, why, sizeof why) != 0)
		fail_msg("[%s] invariant: %s", bt_label, why);
}

/* Stops cleanly (asserting rc 0), checks the invariants, destroys. */
static inline void
bt_finish(wp_pool *p, struct bt_rec *r)
{
	int rc;
	atomic_store(&bt_w.gate, 1);
	rc = wp_pool_stop(p, NULL);
	if (rc != 0)
		fail_msg("[%s] wp_pool_stop: %s", bt_label, wp_err_name(rc));
	bt_check_final(p, r);
	assert_int_equal(bt_destroy(p), 0);
}

/* Reads every event still in the ring (seq > 0), up to n. */
static inline size_t
bt_events(wp_pool *p, struct wp_event *buf, size_t n)
{
	size_t got = 0;
	uint64_t lost = 0;
	assert_int_equal(wp_pool_events(p, 0, buf, n, &got, &lost), 0);
	return got;
}

static inline unsigned
bt_count_events(wp_pool *p, enum wp_event_type t)
{
	static struct wp_event buf[4096];
	size_t got = bt_events(p, buf, 4096);
	unsigned n = 0;
	for (size_t i = 0; i < got; i++)
		n += buf[i].type == t;
	return n;
}

/* The layer signals through their named functions. */
static int (*const bt_sigfn[WP_SIG_COUNT])(wp_pool *) BT_UNUSED = {
	wp_pool_cancel,       wp_pool_shutdown,     wp_pool_stop_monitor,
	wp_pool_stop_health,  wp_pool_close_tasks,  wp_pool_close_results,
	wp_pool_close_errors,
};

/* True if some thread of this process is named name (/proc comm). */
static inline bool
bt_thread_named(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		char path[300], comm[64];
		int fd;
		ssize_t k;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/comm",
			 e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		k = read(fd, comm, sizeof comm - 1);
		close(fd);
		if (k <= 0)
			continue;
		comm[k] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		found = strcmp(comm, name) == 0;
	}
	closedir(d);
	return found;
}

/* A small seeded PRNG (xorshift64*), so failures can be replayed. */
static inline uint64_t
bt_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static inline unsigned
bt_rand_below(uint64_t *s, unsigned n)
{
	return n ? (unsigned)(bt_rand(s) % n) : 0;
}

/* The seed: WP_SEED from the environment, else the clock. */
static inline uint64_t
bt_seed(void)
{
	const char *e = getenv("WP_SEED");
	if (e != NULL && *e != '\0')
		return strtoull(e, NULL, 0);
	return (uint64_t)wpt_now_ms() ^ ((uint64_t)getpid() << 32);
}

static inline pthread_t
bt_spawn(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, fn, arg), 0);
	return t;
}

/* Each suite's recorder and the bracket every test opens and closes with
 * (a suite that needs more defines BT_OWN_BRACKET and writes its own). */
#ifndef BT_OWN_BRACKET
static struct bt_rec R BT_UNUSED;

static inline void
begin(void)
{
	bt_world_reset();
	bt_rec_init(&R);
}

static inline void
end(void)
{
	bt_rec_fini(&R);
}
#endif

#endif /* WPBT_H */
