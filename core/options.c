/*
 * options.c - the pool's settings: defaults, validation, and the option
 * table that names each one.
 *
 * The standard fixes the numbers (S4.1 queue sizes, S6.2 stop bound and
 * check interval, S2.3 timer periods, S7.2 health thresholds); this file is
 * the one place they are written down.  The table gives every run-time
 * setting a name ("task-timeout"), a unit, a range and a line of help, so
 * the command language's `set`, its help and completion, and
 * wp_pool_set_option() all check and describe values the same way.
 *
 * A table entry's [min, max] is the range a running pool accepts.  In a
 * wp_config some fields also accept 0, meaning "derive from workers" (or
 * from the CPUs, for workers itself); wp__config_resolve() replaces those
 * zeros before a pool uses them.  Everything here is immutable or works on
 * the caller's struct: no locks, no global state.
 */
#include "wp-internal.h"

#include <assert.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#define MB (1024ull * 1024)
#define IMIN WP_INTERVAL_MIN_MS
#define IMAX WP_INTERVAL_MAX_MS
#define FACTOR_MAX 1000u
#define SAMPLES_MAX 1000000u
#define EVENT_RING_DEFAULT 1024u
#define IDLE_SPIN_MAX_US 1000000u

struct option {
	struct wp_option_info info; /* first: handed out by address */
	bool zero_derived;          /* a wp_config may hold 0 (derived) */
};

#define RUNTIME true
#define CREATE_ONLY false
#define DERIVED true
#define PLAIN false

#define OPT(id, nm, u, lo, hi, rt, zero, text)                                 \
	[id] = {.info = {.opt = id,                                            \
			 .name = nm,                                           \
			 .help = text,                                         \
			 .unit = u,                                            \
			 .min = lo,                                            \
			 .max = hi,                                            \
			 .runtime = rt},                                       \
		.zero_derived = zero}

static const struct option options[] = {
	OPT(WP_OPT_WORKERS, "workers", WP_UNIT_COUNT, 1, WP_WORKERS_MAX,
	    RUNTIME, DERIVED,
	    "worker threads; changing it resizes the pool "
	    "(config 0: online CPUs)"),
	OPT(WP_OPT_TASK_TIMEOUT_MS, "task-timeout", WP_UNIT_MS, 0, IMAX,
	    RUNTIME, PLAIN,
	    "default per-task deadline; 0 runs tasks directly, without one"),
	OPT(WP_OPT_STOP_TIMEOUT_MS, "stop-timeout", WP_UNIT_MS, IMIN, IMAX,
	    RUNTIME, PLAIN,
	    "bound of the ordered stop's wait before it is forced"),
	OPT(WP_OPT_STOP_CHECK_MS, "stop-check", WP_UNIT_MS, IMIN, IMAX,
	    RUNTIME, PLAIN,
	    "progress report interval while the stop waits "
	    "(at most stop-timeout)"),
	OPT(WP_OPT_MONITOR_INTERVAL_MS, "monitor-interval", WP_UNIT_MS, IMIN,
	    IMAX, RUNTIME, PLAIN,
	    "period of the monitor's metrics snapshot"),
	OPT(WP_OPT_HEALTH_INTERVAL_MS, "health-interval", WP_UNIT_MS, IMIN,
	    IMAX, RUNTIME, PLAIN,
	    "period of the health checker"),
	OPT(WP_OPT_TASK_QUEUE_CAP, "task-queue", WP_UNIT_COUNT, 1,
	    WP_QUEUE_CAP_MAX, RUNTIME, DERIVED,
	    "task queue capacity (config 0: 2 x workers)"),
	OPT(WP_OPT_RESULT_QUEUE_CAP, "result-queue", WP_UNIT_COUNT, 1,
	    WP_QUEUE_CAP_MAX, RUNTIME, DERIVED,
	    "result queue capacity (config 0: 1024 x workers)"),
	OPT(WP_OPT_ERROR_QUEUE_CAP, "error-queue", WP_UNIT_COUNT, 1,
	    WP_QUEUE_CAP_MAX, RUNTIME, DERIVED,
	    "error queue capacity; errors past it are dropped "
	    "(config 0: workers)"),
	OPT(WP_OPT_ORPHAN_CAP, "orphan-cap", WP_UNIT_COUNT, 1, WP_WORKERS_MAX,
	    RUNTIME, DERIVED,
	    "most threads left running timed-out tasks (config 0: workers)"),
	OPT(WP_OPT_CONTAIN_CRASHES, "contain-crashes", WP_UNIT_BOOL, 0, 1,
	    CREATE_ONLY, PLAIN,
	    "turn fault signals in tasks into failed results "
	    "(set at create only)"),
	OPT(WP_OPT_HEALTH_HEAP_BYTES, "health-heap", WP_UNIT_BYTES, 1,
	    UINT64_MAX, RUNTIME, PLAIN,
	    "unhealthy when the process heap in use exceeds this"),
	OPT(WP_OPT_HEALTH_THREADS_FACTOR, "health-threads-factor",
	    WP_UNIT_COUNT, 1, FACTOR_MAX, RUNTIME, PLAIN,
	    "unhealthy when process threads exceed this x workers"),
	OPT(WP_OPT_HEALTH_BACKLOG_FACTOR, "health-backlog-factor",
	    WP_UNIT_COUNT, 1, FACTOR_MAX, RUNTIME, PLAIN,
	    "unhealthy when queued tasks and blocked submitters exceed "
	    "this x workers"),
	OPT(WP_OPT_HEALTH_ERROR_PERMILLE, "health-error-rate",
	    WP_UNIT_PERMILLE, 0, 1000, RUNTIME, PLAIN,
	    "unhealthy when failed and timed-out tasks exceed this share "
	    "of outcomes (100 = 10 %)"),
	OPT(WP_OPT_HEALTH_ERROR_WINDOW_MS, "health-error-window", WP_UNIT_MS,
	    IMIN, IMAX, RUNTIME, PLAIN,
	    "sliding window of the error rate"),
	OPT(WP_OPT_HEALTH_ERROR_MIN_SAMPLES, "health-error-min-samples",
	    WP_UNIT_COUNT, 1, SAMPLES_MAX, RUNTIME, PLAIN,
	    "outcomes the window needs before the error rate counts"),
	OPT(WP_OPT_HEALTH_STUCK_MS, "health-stuck", WP_UNIT_MS, IMIN, IMAX,
	    RUNTIME, PLAIN,
	    "unhealthy when a task has been running longer than this"),
	OPT(WP_OPT_IDLE_SPIN_US, "idle-spin", WP_UNIT_US, 0, IDLE_SPIN_MAX_US,
	    RUNTIME, PLAIN,
	    "longest an idle worker watches the queue before it sleeps "
	    "(0: never)"),
};
static_assert(sizeof(options) / sizeof(options[0]) == WP_OPT_COUNT,
	      "one table entry per option");
static_assert(offsetof(struct option, info) == 0, "info comes first");

static bool
known(enum wp_option opt)
{
	/* A negative value converts to a huge one and fails too. */
	return (unsigned long)opt < WP_OPT_COUNT;
}

/* Static table entry, do not free. */
const struct wp_option_info *
wp_option_info(enum wp_option opt)
{
	return known(opt) ? &options[opt].info : NULL;
}

/* Static table entry, do not free; name is borrowed for the call. */
const struct wp_option_info *
wp_option_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < WP_OPT_COUNT; i++)
		if (strcmp(options[i].info.name, name) == 0)
			return &options[i].info;
	return NULL;
}

/* The standard's defaults; the "derived" sizes stay 0 until resolved. */
void
wp_config_init(struct wp_config *cfg)
{
	if (cfg == NULL)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->event_ring_cap = EVENT_RING_DEFAULT;
	cfg->monitor_interval_ms = 5000;
	cfg->health_interval_ms = 10000;
	cfg->stop_timeout_ms = 10000;
	cfg->stop_check_ms = 100;
	cfg->contain_crashes = false;
	cfg->health_heap_bytes = 200 * MB;
	cfg->health_threads_factor = 5;
	cfg->health_backlog_factor = 5;
	cfg->health_error_permille = 100;
	cfg->health_error_window_ms = 60000;
	cfg->health_error_min_samples = 20;
	cfg->health_stuck_ms = 30000;
	cfg->idle_spin_us = WP__IDLE_SPIN_US;
}

static int
bad(const char **field, const char *name)
{
	if (field != NULL)
		*field = name;
	return WP_ERANGE;
}

/* Checks every option against its range (0 allowed where it means
 * "derived"), then the one field outside the table and the one rule that
 * ties two fields together.  Reports the first bad field in table order. */
int
wp_config_validate(const struct wp_config *cfg, const char **field)
{
	const struct wp_option_info *in;
	uint64_t v;
	size_t i;

	if (cfg == NULL) {
		if (field != NULL)
			*field = "config";
		return WP_EINVAL;
	}
	for (i = 0; i < WP_OPT_COUNT; i++) {
		in = &options[i].info;
		v = wp__config_get(cfg, in->opt);
		if (v == 0 && options[i].zero_derived)
			continue;
		if (v < in->min || v > in->max)
			return bad(field, in->name);
	}
	if (cfg->event_ring_cap > WP_QUEUE_CAP_MAX)
		return bad(field, "event-ring");
	if (cfg->stop_check_ms > cfg->stop_timeout_ms)
		return bad(field, options[WP_OPT_STOP_CHECK_MS].info.name);
	return 0;
}

/* The field behind opt, widened; 0 for an unknown option. */
uint64_t
wp__config_get(const struct wp_config *cfg, enum wp_option opt)
{
	switch (opt) {
	case WP_OPT_WORKERS:
		return cfg->workers;
	case WP_OPT_TASK_TIMEOUT_MS:
		return cfg->task_timeout_ms;
	case WP_OPT_STOP_TIMEOUT_MS:
		return cfg->stop_timeout_ms;
	case WP_OPT_STOP_CHECK_MS:
		return cfg->stop_check_ms;
	case WP_OPT_MONITOR_INTERVAL_MS:
		return cfg->monitor_interval_ms;
	case WP_OPT_HEALTH_INTERVAL_MS:
		return cfg->health_interval_ms;
	case WP_OPT_TASK_QUEUE_CAP:
		return cfg->task_queue_cap;
	case WP_OPT_RESULT_QUEUE_CAP:
		return cfg->result_queue_cap;
	case WP_OPT_ERROR_QUEUE_CAP:
		return cfg->error_queue_cap;
	case WP_OPT_ORPHAN_CAP:
		return cfg->orphan_cap;
	case WP_OPT_CONTAIN_CRASHES:
		return cfg->contain_crashes;
	case WP_OPT_HEALTH_HEAP_BYTES:
		return cfg->health_heap_bytes;
	case WP_OPT_HEALTH_THREADS_FACTOR:
		return cfg->health_threads_factor;
	case WP_OPT_HEALTH_BACKLOG_FACTOR:
		return cfg->health_backlog_factor;
	case WP_OPT_HEALTH_ERROR_PERMILLE:
		return cfg->health_error_permille;
	case WP_OPT_HEALTH_ERROR_WINDOW_MS:
		return cfg->health_error_window_ms;
	case WP_OPT_HEALTH_ERROR_MIN_SAMPLES:
		return cfg->health_error_min_samples;
	case WP_OPT_HEALTH_STUCK_MS:
		return cfg->health_stuck_ms;
	case WP_OPT_IDLE_SPIN_US:
		return cfg->idle_spin_us;
	}
	return 0;
}

/* Narrows v into an unsigned field; callers check the range first, so the
 * clamp only keeps a broken caller from wrapping. */
static unsigned
narrow(uint64_t v)
{
	assert(v <= UINT_MAX);
	return v > UINT_MAX ? UINT_MAX : (unsigned)v;
}

/* Stores v in the field behind opt, unchecked (see wp_config_validate);
 * an unknown option changes nothing. */
void
wp__config_set(struct wp_config *cfg, enum wp_option opt, uint64_t v)
{
	switch (opt) {
	case WP_OPT_WORKERS:
		cfg->workers = narrow(v);
		break;
	case WP_OPT_TASK_TIMEOUT_MS:
		cfg->task_timeout_ms = v;
		break;
	case WP_OPT_STOP_TIMEOUT_MS:
		cfg->stop_timeout_ms = v;
		break;
	case WP_OPT_STOP_CHECK_MS:
		cfg->stop_check_ms = v;
		break;
	case WP_OPT_MONITOR_INTERVAL_MS:
		cfg->monitor_interval_ms = v;
		break;
	case WP_OPT_HEALTH_INTERVAL_MS:
		cfg->health_interval_ms = v;
		break;
	case WP_OPT_TASK_QUEUE_CAP:
		cfg->task_queue_cap = narrow(v);
		break;
	case WP_OPT_RESULT_QUEUE_CAP:
		cfg->result_queue_cap = narrow(v);
		break;
	case WP_OPT_ERROR_QUEUE_CAP:
		cfg->error_queue_cap = narrow(v);
		break;
	case WP_OPT_ORPHAN_CAP:
		cfg->orphan_cap = narrow(v);
		break;
	case WP_OPT_CONTAIN_CRASHES:
		cfg->contain_crashes = v != 0;
		break;
	case WP_OPT_HEALTH_HEAP_BYTES:
		cfg->health_heap_bytes = v;
		break;
	case WP_OPT_HEALTH_THREADS_FACTOR:
		cfg->health_threads_factor = narrow(v);
		break;
	case WP_OPT_HEALTH_BACKLOG_FACTOR:
		cfg->health_backlog_factor = narrow(v);
		break;
	case WP_OPT_HEALTH_ERROR_PERMILLE:
		cfg->health_error_permille = narrow(v);
		break;
	case WP_OPT_HEALTH_ERROR_WINDOW_MS:
		cfg->health_error_window_ms = v;
		break;
	case WP_OPT_HEALTH_ERROR_MIN_SAMPLES:
		cfg->health_error_min_samples = narrow(v);
		break;
	case WP_OPT_HEALTH_STUCK_MS:
		cfg->health_stuck_ms = v;
		break;
	case WP_OPT_IDLE_SPIN_US:
		cfg->idle_spin_us = v;
		break;
	}
}

/* Derived sizes (S4.1): task queue 2 x W, result queue 1024 x W (see
 * docs/design.md: results travel in per-worker lanes), error queue W, at
 * most WP_QUEUE_CAP_MAX; orphan cap W; event ring 1024. */
void
wp__config_resolve(struct wp_config *cfg)
{
	unsigned w;

	if (cfg->workers == 0)
		cfg->workers = WP__MIN(wp__cpus(), WP_WORKERS_MAX);
	w = cfg->workers;
	if (cfg->task_queue_cap == 0)
		cfg->task_queue_cap = WP__MIN(2 * w, WP_QUEUE_CAP_MAX);
	if (cfg->result_queue_cap == 0)
		cfg->result_queue_cap =
			WP__MIN(WP__RESULTS_PER_WORKER * w, WP_QUEUE_CAP_MAX);
	if (cfg->error_queue_cap == 0)
		cfg->error_queue_cap = WP__MIN(w, WP_QUEUE_CAP_MAX);
	if (cfg->orphan_cap == 0)
		cfg->orphan_cap = WP__MIN(w, WP_WORKERS_MAX);
	if (cfg->event_ring_cap == 0)
		cfg->event_ring_cap = EVENT_RING_DEFAULT;
}

/* The CPUs this process may run on: its affinity mask (taskset, cgroup
 * cpusets), else the online CPUs; at least 1.  Workers beyond these only
 * take turns, and a submitter that watches the queue on the only CPU
 * keeps the workers from it. */
unsigned
wp__cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof set, &set) == 0 &&
	    (n = CPU_COUNT(&set)) >= 1)
		return (unsigned)n;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > UINT_MAX ? UINT_MAX : (unsigned)n;
}

/* ------------------------------------------------------------------------
 * Settings of a live pool: each change takes effect where it is read.
 */
int
wp_pool_set_timeout(wp_pool *pool, uint64_t task_timeout_ms)
{
	return wp_pool_set_option(pool, WP_OPT_TASK_TIMEOUT_MS,
				  task_timeout_ms);
}

int
wp_pool_set_option(wp_pool *pool, enum wp_option opt, uint64_t value)
{
	const struct wp_option_info *info = wp_option_info(opt);

	if (!pool || !info)
		return WP_EINVAL;
	if (value < info->min || value > info->max)
		return WP_ERANGE;
	if (opt == WP_OPT_WORKERS)
		return wp_pool_resize(pool, (unsigned)value);
	pthread_mutex_lock(&pool->mu);
	if (!info->runtime && pool->started) {
		pthread_mutex_unlock(&pool->mu);
		return WP_ESTATE;
	}
	if (opt == WP_OPT_STOP_CHECK_MS &&
	    value > pool->cfg.stop_timeout_ms) {
		pthread_mutex_unlock(&pool->mu);
		return WP_ERANGE;
	}
	if (opt == WP_OPT_STOP_TIMEOUT_MS && value < pool->cfg.stop_check_ms)
		pool->cfg.stop_check_ms = value;
	wp__config_set(&pool->cfg, opt, value);
	switch (opt) {
	case WP_OPT_TASK_TIMEOUT_MS:
		atomic_store(&pool->task_timeout_ns,
			     (int64_t)value * WP__NS_PER_MS);
		break;
	case WP_OPT_TASK_QUEUE_CAP:
		atomic_store(&pool->tasks.cap, (unsigned)value);
		wp__room_wake(pool);
		break;
	case WP_OPT_RESULT_QUEUE_CAP:
		wp__lane_share_update(pool);
		break;
	case WP_OPT_MONITOR_INTERVAL_MS:
		pthread_cond_broadcast(&pool->monitor_cv);
		break;
	case WP_OPT_HEALTH_INTERVAL_MS:
		pthread_cond_broadcast(&pool->health_cv);
		break;
	case WP_OPT_CONTAIN_CRASHES:
		pool->contain = value != 0;
		break;
	case WP_OPT_IDLE_SPIN_US:
		atomic_store(&pool->spin_max_ns,
			     (int64_t)value * WP__NS_PER_US);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&pool->mu);
	/* A new result queue capacity needs nothing more: each producer
	 * reads the share at its next push (lane.c). */
	if (opt == WP_OPT_ERROR_QUEUE_CAP) {
		pthread_mutex_lock(&pool->errors.mu);
		pool->errors.cap = (unsigned)value;
		pthread_mutex_unlock(&pool->errors.mu);
	}
	wp__event(pool, WP_EV_OPTION, 0, -1, "%s = %llu", info->name,
		  (unsigned long long)value);
	return 0;
}

int
wp_pool_get_option(const wp_pool *pool, enum wp_option opt, uint64_t *value)
{
	wp_pool *p = (wp_pool *)pool;

	if (!pool || !value || !wp_option_info(opt))
		return WP_EINVAL;
	pthread_mutex_lock(&p->mu);
	*value = wp__config_get(&p->cfg, opt);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

int
wp_config_get(const struct wp_config *cfg, enum wp_option opt,
	      uint64_t *value)
{
	if (!cfg || !value || !wp_option_info(opt))
		return WP_EINVAL;
	*value = wp__config_get(cfg, opt);
	return 0;
}

int
wp_config_set(struct wp_config *cfg, enum wp_option opt, uint64_t value)
{
	const struct wp_option_info *info = wp_option_info(opt);
	bool derived = opt == WP_OPT_WORKERS || opt == WP_OPT_TASK_QUEUE_CAP ||
		       opt == WP_OPT_RESULT_QUEUE_CAP ||
		       opt == WP_OPT_ERROR_QUEUE_CAP || opt == WP_OPT_ORPHAN_CAP;

	if (!cfg || !info)
		return WP_EINVAL;
	if (value > info->max || (value < info->min && !(derived && !value)))
		return WP_ERANGE;
	wp__config_set(cfg, opt, value);
	return 0;
}
