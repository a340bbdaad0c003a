/*
 * wpool.h - the one public header of libwpool.
 *
 * libwpool is a bounded worker pool that implements the layered-shutdown
 * standard described in docs/design.md: three layers of stop signals
 * (L1 system cancel; L2 business shutdown, monitor stop, health stop;
 * L3 closing the task, result and error queues), an ordered stop that runs
 * once and waits with a bound, three classes of thread (active workers,
 * passive result/error handlers, timed monitor/health checker), per-task
 * timeouts through a hand-off, panic and crash containment, metrics, health
 * checks and an event stream.
 *
 * Conventions:
 * - Every function that can fail returns 0 or a negative WP_E* code.
 * - Out-parameters are written only on success.
 * - A pool is a handle (wp_pool *); pools never share state.
 * - Callbacks are never called with a pool lock held.
 * - All functions are thread-safe unless a comment says otherwise.
 */
#ifndef WPOOL_H
#define WPOOL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WP_VERSION_MAJOR 0
#define WP_VERSION_MINOR 1
#define WP_VERSION_PATCH 0
#define WP_VERSION_STRING "0.1.0"

/* Static string, do not free. */
const char *wp_version(void);

/* ------------------------------------------------------------------------
 * Error codes: one table, negative values.  wp_strerror() and
 * wp_err_name() are generated from it.
 */
#define WP_ERRNO_MAP(X)                                                        \
	X(EINVAL, -1, "invalid argument")                                      \
	X(ENOMEM, -2, "out of memory")                                         \
	X(EFULL, -3, "task queue full")                                        \
	X(ECLOSED, -4, "pool closed to new tasks")                             \
	X(ETIMEDOUT, -5, "timed out")                                          \
	X(ESELF, -6, "refused: would wait on the calling pool thread itself")  \
	X(EWOULDDEADLOCK, -7,                                                  \
	  "blocking submit from this pool's own worker with the queue full")   \
	X(ESTATE, -8, "operation not valid in the pool's current state")       \
	X(EALREADY, -9, "signal already fired")                                \
	X(ECANCELED, -10, "cancelled")                                         \
	X(EPANIC, -11, "task panicked")                                        \
	X(ECRASH, -12, "task crashed (fault signal contained)")                \
	X(EFAILED, -13, "task failed")                                         \
	X(EFORCED, -14, "stop hit its bound and was forced")                   \
	X(ERANGE, -15, "value out of range")                                   \
	X(ENOENT, -16, "no such entry")                                        \
	X(EAGAIN, -17, "nothing available now")                                \
	X(ESYS, -18, "system call failed")

enum wp_errno {
	WP_OK = 0,
#define WP_ERR_ENUM(name, val, msg) WP_##name = val,
	WP_ERRNO_MAP(WP_ERR_ENUM)
#undef WP_ERR_ENUM
};

/* Static strings, do not free.  Unknown codes give "unknown error". */
const char *wp_strerror(int err);
/* "WP_EFULL", ... ; "WP_OK" for 0; "WP_E?" for unknown codes. */
const char *wp_err_name(int err);

/* ------------------------------------------------------------------------
 * Opaque handles.
 */
typedef struct wp_pool wp_pool;
typedef struct wp_ctx wp_ctx;

/* ------------------------------------------------------------------------
 * Results, errors, events: plain values handed to callbacks and readers.
 */
enum wp_outcome {
	WP_OUTCOME_NONE = 0, /* not final yet (queued or running) */
	WP_OUTCOME_COMPLETED,
	WP_OUTCOME_FAILED, /* returned non-zero, panicked or crashed */
	WP_OUTCOME_TIMED_OUT,
	WP_OUTCOME_CANCELLED,
};
#define WP_OUTCOME_COUNT 5
/* "completed", "failed", "timed-out", "cancelled", "none". */
const char *wp_outcome_name(enum wp_outcome o);

#define WP_KIND_MAX 24 /* bytes kept of a task's kind label, with NUL */
#define WP_MSG_MAX 96  /* bytes kept of a result/error message, with NUL */
#define WP_NAME_MAX 16 /* thread names, with NUL (Linux limit) */

/* The final word on one task.  Handed to the result callback (borrowed for
 * the duration of the call) and kept nowhere else. */
struct wp_result {
	uint64_t id;
	enum wp_outcome outcome;
	int code;          /* 0 when completed; task's code or WP_E* otherwise */
	bool panicked;     /* failed through wp_panic() */
	bool crashed;      /* failed through a contained fault signal */
	bool never_ran;    /* cancelled before it started */
	int priority;
	int worker;        /* slot index that ran it, -1 if it never ran */
	uint64_t value;    /* set by wp_ctx_set_value(); 0 otherwise */
	int64_t queued_ns; /* time spent queued */
	int64_t run_ns;    /* time spent running (to the outcome) */
	char kind[WP_KIND_MAX];
	char msg[WP_MSG_MAX];
};

/* One entry of the error queue: a failed, panicked, crashed or timed-out
 * task, or a fault of the pool itself.  Borrowed during the callback. */
struct wp_error {
	uint64_t task_id; /* 0 for pool-level errors */
	enum wp_outcome outcome;
	int code;
	int worker;
	int64_t at_ns; /* CLOCK_MONOTONIC */
	char kind[WP_KIND_MAX];
	char msg[WP_MSG_MAX];
};

enum wp_event_type {
	WP_EV_STARTED,
	WP_EV_SIGNAL,        /* a layer signal fired: text names it */
	WP_EV_STOP_PHASE,    /* the ordered stop entered a phase */
	WP_EV_STOP_PROGRESS, /* bounded wait progress (every check interval) */
	WP_EV_STOP_DONE,     /* the stop finished (clean or forced) */
	WP_EV_TIMEOUT,       /* a task timed out; its worker was handed off */
	WP_EV_ORPHAN,        /* a thread was left running a timed-out task */
	WP_EV_ORPHAN_BACK,   /* an orphan returned; its late result dropped */
	WP_EV_PANIC,         /* a task panicked (wp_panic) */
	WP_EV_CRASH,         /* a task crashed (fault signal contained) */
	WP_EV_FAILED,        /* a task returned a failure code */
	WP_EV_PAUSE,
	WP_EV_RESUME,
	WP_EV_RESIZE,
	WP_EV_OPTION,        /* a setting changed */
	WP_EV_HEALTH,        /* overall health changed */
	WP_EV_THREAD_EXIT,   /* a pool thread exited */
	WP_EV_DRAIN,         /* drain progress */
	WP_EV_NOTE,          /* free text from wp_pool_note() */
};
#define WP_EV_TYPE_COUNT 19
const char *wp_event_type_name(enum wp_event_type t); /* static string */

#define WP_EVENT_TEXT_MAX 120
struct wp_event {
	uint64_t seq;    /* 1, 2, 3, ... per pool */
	int64_t at_ns;   /* CLOCK_MONOTONIC */
	int64_t wall_ms; /* CLOCK_REALTIME, milliseconds */
	enum wp_event_type type;
	uint64_t task_id; /* 0 if none */
	int worker;       /* slot index, -1 if none */
	char text[WP_EVENT_TEXT_MAX];
};

/* ------------------------------------------------------------------------
 * Configuration.  wp_config_init() fills the standard's defaults; every
 * field is then the caller's to change.  Zero in a size field means "derive
 * from workers" as documented.  wp_pool_create() validates.
 */
struct wp_metrics;
struct wp_health;

typedef void (*wp_result_cb)(void *udata, const struct wp_result *r);
typedef void (*wp_error_cb)(void *udata, const struct wp_error *e);
typedef void (*wp_event_cb)(void *udata, const struct wp_event *ev);
typedef void (*wp_metrics_cb)(void *udata, const struct wp_metrics *m);
typedef void (*wp_health_cb)(void *udata, const struct wp_health *h);

/* Workers hand results to the result handler through per-worker lanes and
 * wake a sleeping handler once this many (or three quarters of a lane)
 * wait, when one has waited 1 ms, or when the worker goes idle: not once
 * per result.  on_result runs on the handler's thread, "wp-results", one
 * call at a time, under SCHED_BATCH (threads it starts inherit that);
 * a worker whose lane is full delivers that lane itself (still one call
 * at a time, in order), as the workers do once the handler is gone. */
#define WP_RESULT_BATCH 64

struct wp_config {
	unsigned workers;           /* 0: the CPUs the process may run on */
	unsigned task_queue_cap;    /* 0: 2 x workers */
	unsigned result_queue_cap;  /* 0: 1024 x workers; shared among the
				       workers' lanes, at least 1 each */
	unsigned error_queue_cap;   /* 0: workers */
	unsigned event_ring_cap;    /* 0: 1024 */
	uint64_t task_timeout_ms;   /* 0: no timeout (tasks run directly) */
	uint64_t monitor_interval_ms; /* 5000 */
	uint64_t health_interval_ms;  /* 10000 */
	uint64_t stop_timeout_ms;     /* 10000: the bound of the ordered stop */
	uint64_t stop_check_ms;       /* 100: progress interval while waiting */
	unsigned orphan_cap;          /* 0: workers; max threads left behind */
	bool contain_crashes;         /* opt-in SIGSEGV/BUS/FPE/ILL/ABRT */
	/* An idle worker watches the queue (one at a time) for up to this
	 * long before it parks: 50 us at least, longer when tasks keep
	 * arriving just after it parks.  It trades a core's time, while tasks
	 * come sparsely, for a start within a microsecond instead of a
	 * wake-up.  500: default; 0: never spin, always park. */
	uint64_t idle_spin_us;

	/* Health thresholds (S7.2). */
	uint64_t health_heap_bytes;      /* 200 MB */
	unsigned health_threads_factor;  /* 5: threads > 5 x workers */
	unsigned health_backlog_factor;  /* 5: queued+blocked > 5 x workers */
	unsigned health_error_permille;  /* 100: error rate > 10 % */
	uint64_t health_error_window_ms; /* 60000: sliding window */
	unsigned health_error_min_samples; /* 20 */
	uint64_t health_stuck_ms;        /* 30000: a task running longer */

	/* Callbacks (all optional).  results/errors run on the passive
	 * threads, one call at a time; metrics on the monitor; health on the
	 * health checker; events on whichever thread produced the event (keep
	 * it short and thread-safe).  udata is passed through untouched.
	 * The passive threads, the monitor and the health checker run under
	 * SCHED_BATCH (their wake-ups never preempt a worker): threads these
	 * callbacks start inherit that policy. */
	wp_result_cb on_result;
	wp_error_cb on_error;
	wp_event_cb on_event;
	wp_metrics_cb on_metrics;
	wp_health_cb on_health;
	void *udata;
};

/* Fills every field with its default.  cfg must not be NULL. */
void wp_config_init(struct wp_config *cfg);
/* 0 if cfg is valid; otherwise WP_EINVAL or WP_ERANGE and, if field is not
 * NULL, *field points at the static name of the first bad field. */
int wp_config_validate(const struct wp_config *cfg, const char **field);

#define WP_WORKERS_MAX 1024
#define WP_QUEUE_CAP_MAX (1u << 24)
#define WP_INTERVAL_MIN_MS 1
#define WP_INTERVAL_MAX_MS (24ull * 3600 * 1000)

/* ------------------------------------------------------------------------
 * Lifecycle.
 */
enum wp_pool_state {
	WP_STATE_CREATED,  /* created, not started: submit queues */
	WP_STATE_RUNNING,
	WP_STATE_PAUSED,   /* workers take no new task; submit queues */
	WP_STATE_DRAINING, /* tasks closed: queued work finishes */
	WP_STATE_STOPPING, /* the ordered stop is running */
	WP_STATE_STOPPED,  /* stopped cleanly */
	WP_STATE_FORCED,   /* stopped after the bound: threads left behind */
};
const char *wp_pool_state_name(enum wp_pool_state s); /* static string */

/* Creates a pool from cfg (NULL: defaults).  The pool copies cfg.  Caller
 * owns *out and must wp_pool_destroy() it. */
int wp_pool_create(const struct wp_config *cfg, wp_pool **out);
/* Launches workers, the watchdog, result and error handlers, monitor and
 * health checker (S6.1).  Once only: WP_ESTATE after that. */
int wp_pool_start(wp_pool *pool);
/* Stops (as wp_pool_stop) if needed, then frees everything.  After a forced
 * stop, memory that a stuck thread can still touch is handed to that thread
 * and freed when it returns.  Once it returns no callback starts (it waits
 * up to a second for callbacks still running in threads left behind).  The
 * pool must not be used afterwards, and must not be destroyed from one of
 * its own threads (WP_ESELF). */
int wp_pool_destroy(wp_pool *pool);

enum wp_pool_state wp_pool_state(const wp_pool *pool);
bool wp_pool_is_accepting(const wp_pool *pool);

/* Pause: workers finish their current task and take no new one; submit
 * still queues.  Resume undoes it.  WP_ESTATE when stopping or stopped. */
int wp_pool_pause(wp_pool *pool);
int wp_pool_resume(wp_pool *pool);

/* Waits until no task is queued or running and every outcome has been
 * delivered, without stopping.  timeout_ms 0: check once.  WP_ETIMEDOUT
 * when the time ran out; WP_ESELF from one of the pool's own threads. */
int wp_pool_wait_idle(wp_pool *pool, uint64_t timeout_ms);

/* ------------------------------------------------------------------------
 * The seven layer signals.  Each fires once (WP_EALREADY after), from any
 * thread, at any time after start (WP_ESTATE before).  Effects per thread
 * class are in docs/design.md.
 */
enum wp_signal {
	WP_SIG_CANCEL,        /* L1: root context cancelled */
	WP_SIG_SHUTDOWN,      /* L2: business shutdown of the workers */
	WP_SIG_STOP_MONITOR,  /* L2: monitor's own stop */
	WP_SIG_STOP_HEALTH,   /* L2: health checker's own stop */
	WP_SIG_CLOSE_TASKS,   /* L3: task queue closed */
	WP_SIG_CLOSE_RESULTS, /* L3: result queue closed */
	WP_SIG_CLOSE_ERRORS,  /* L3: error queue closed */
};
#define WP_SIG_COUNT 7
/* "cancel", "shutdown", "stop-monitor", "stop-health", "close-tasks",
 * "close-results", "close-errors". */
const char *wp_signal_name(enum wp_signal s);
/* 1, 2 or 3. */
int wp_signal_layer(enum wp_signal s);

int wp_pool_signal(wp_pool *pool, enum wp_signal sig);
int wp_pool_cancel(wp_pool *pool);
int wp_pool_shutdown(wp_pool *pool);
int wp_pool_stop_monitor(wp_pool *pool);
int wp_pool_stop_health(wp_pool *pool);
int wp_pool_close_tasks(wp_pool *pool);
int wp_pool_close_results(wp_pool *pool);
int wp_pool_close_errors(wp_pool *pool);

/* When each signal fired: at_ns is CLOCK_MONOTONIC, 0 if not fired. */
struct wp_signal_state {
	bool fired;
	int64_t at_ns;
};
void wp_pool_signals(const wp_pool *pool,
		     struct wp_signal_state out[WP_SIG_COUNT]);

/* ------------------------------------------------------------------------
 * The ordered stop (S1.2) and its report.
 */
enum wp_stop_phase {
	WP_PHASE_CLOSED,       /* admission closed, blocked submitters woken */
	WP_PHASE_SHUTDOWN,     /* business signal: workers stop, queue cancelled */
	WP_PHASE_MONITOR,      /* monitor stopped */
	WP_PHASE_HEALTH,       /* health checker stopped */
	WP_PHASE_CANCEL,       /* root context cancelled (safety net) */
	WP_PHASE_WAIT,         /* active and timed threads gone (or bound) */
	WP_PHASE_CLOSE_QUEUES, /* task, result, error queues closed */
	WP_PHASE_PASSIVE,      /* result/error handlers drained and gone */
	WP_PHASE_DONE,
};
#define WP_PHASE_COUNT 9
const char *wp_stop_phase_name(enum wp_stop_phase p); /* static string */

enum wp_thread_class {
	WP_THREAD_WORKER,  /* active */
	WP_THREAD_WATCHDOG, /* active: deadlines, hand-off, reaping */
	WP_THREAD_RESULTS, /* passive */
	WP_THREAD_ERRORS,  /* passive */
	WP_THREAD_MONITOR, /* timed */
	WP_THREAD_HEALTH,  /* timed */
	WP_THREAD_ORPHAN,  /* a worker left running a timed-out task */
};
const char *wp_thread_class_name(enum wp_thread_class c);

struct wp_stop_thread {
	char name[WP_NAME_MAX];
	enum wp_thread_class cls;
	int64_t exited_ns; /* since the stop began; -1: still alive */
};

struct wp_stop_report {
	int64_t begin_ns;  /* CLOCK_MONOTONIC when the stop began */
	int64_t begin_wall_ms;
	/* Per phase: ms since begin (fractional), -1 if not reached. */
	double phase_ms[WP_PHASE_COUNT];
	bool phase_already[WP_PHASE_COUNT]; /* signal had fired before */
	double total_ms;
	bool forced;           /* the bound was hit */
	bool drained;          /* this stop was a drain */
	uint64_t bound_ms;
	uint64_t cancelled_queued; /* tasks this stop cancelled unstarted */
	uint64_t cancelled_running; /* running tasks given up when forced */
	unsigned nthreads;
	const struct wp_stop_thread *threads; /* nthreads entries */
	unsigned nalive;                      /* threads left alive */
};

/* The ordered stop: runs once; concurrent callers all wait for the same
 * outcome.  Returns 0 when clean, WP_EFORCED when the bound was hit,
 * WP_ESELF from one of the pool's own threads, WP_ESTATE before start.
 * *report (optional) is borrowed from the pool until wp_pool_destroy(). */
int wp_pool_stop(wp_pool *pool, const struct wp_stop_report **report);
/* Drain: close the task queue, let queued work finish for up to timeout_ms
 * (0: the stop bound), then the ordered stop (whatever is still queued is
 * cancelled).  Same returns as wp_pool_stop. */
int wp_pool_drain(wp_pool *pool, uint64_t timeout_ms,
		  const struct wp_stop_report **report);
/* The last stop's report, or NULL if no stop has finished.  Borrowed. */
const struct wp_stop_report *wp_pool_last_stop(const wp_pool *pool);

/* ------------------------------------------------------------------------
 * Tasks.
 */

/* A task returns 0 (completed) or a non-zero code (failed); a task that
 * returns WP_ECANCELED because the root context was cancelled ends
 * cancelled.  It owns arg once it starts. */
typedef int (*wp_task_fn)(wp_ctx *ctx, void *arg);
/* Called with arg for a task that is accepted but never starts. */
typedef void (*wp_free_fn)(void *arg);

#define WP_PRIORITY_MIN 0
#define WP_PRIORITY_MAX 9
#define WP_TIMEOUT_DEFAULT UINT64_MAX /* use the pool's task timeout */
#define WP_TIMEOUT_NONE 0             /* run directly, no deadline */

struct wp_task_opts {
	int priority;        /* 0..9, higher runs first; FIFO within */
	uint64_t timeout_ms; /* WP_TIMEOUT_DEFAULT, WP_TIMEOUT_NONE, or ms */
	wp_free_fn free_fn;  /* optional */
	const char *kind;    /* optional label, copied (WP_KIND_MAX) */
};
/* priority 0, timeout default, no free_fn, kind "task". */
void wp_task_opts_init(struct wp_task_opts *o);

/* Non-blocking submit.  0 and *id (optional) on success; WP_EFULL,
 * WP_ECLOSED, WP_ENOMEM, WP_EINVAL otherwise.  On any error the pool did
 * not take arg and free_fn is not called.  opts may be NULL. */
int wp_submit(wp_pool *pool, wp_task_fn fn, void *arg,
	      const struct wp_task_opts *opts, uint64_t *id);
/* Blocking submit: waits up to timeout_ms for room (WP_ETIMEDOUT), and
 * wakes at once with WP_ECLOSED if the pool stops.  Room comes back in
 * batches: a waiting submitter is let in once the queue has drained to a
 * mark (a half or a quarter of it, from how fast tasks run; any free
 * place when tasks are long), and within 10 ms of any free place in any
 * case; it tries once more at the deadline.  From one of this
 * pool's own threads (a task, a result or error callback) with the queue
 * full: WP_EWOULDDEADLOCK at once, never a wait. */
int wp_submit_wait(wp_pool *pool, wp_task_fn fn, void *arg,
		   const struct wp_task_opts *opts, uint64_t timeout_ms,
		   uint64_t *id);

/* ------------------------------------------------------------------------
 * Inside a task.  ctx is valid only during the task call, on its thread.
 */
/* True once the task should stop: its deadline passed, the pool's root
 * context was cancelled, or a forced stop gave up on it. */
bool wp_ctx_done(const wp_ctx *ctx);
/* WP_ETIMEDOUT, WP_ECANCELED, or 0 if not done. */
int wp_ctx_err(const wp_ctx *ctx);
/* Sleeps up to ms; returns 0 after the full time, or early with
 * wp_ctx_err() when the context is done. */
int wp_ctx_sleep(wp_ctx *ctx, uint64_t ms);
uint64_t wp_ctx_task_id(const wp_ctx *ctx);
/* CLOCK_MONOTONIC ns of the deadline, 0 if the task has none. */
int64_t wp_ctx_deadline(const wp_ctx *ctx);
int wp_ctx_worker(const wp_ctx *ctx);
wp_pool *wp_ctx_pool(const wp_ctx *ctx);
/* Result payload and message for the wp_result. */
void wp_ctx_set_value(wp_ctx *ctx, uint64_t value);
void wp_ctx_set_message(wp_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Ends the calling task as failed (panicked) with the message; does not
 * return.  Memory the task allocated is not released (document it in your
 * task).  Outside a pool task it prints the message and aborts. */
_Noreturn void wp_panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* The calling thread's task context, or NULL outside a task. */
wp_ctx *wp_ctx_current(void);

/* ------------------------------------------------------------------------
 * Settings at run time.  Each option has a name used by the command
 * language ("task-timeout", ...); values are integers in the unit the
 * name's table entry gives.
 */
enum wp_option {
	WP_OPT_WORKERS,
	WP_OPT_TASK_TIMEOUT_MS,
	WP_OPT_STOP_TIMEOUT_MS,
	WP_OPT_STOP_CHECK_MS,
	WP_OPT_MONITOR_INTERVAL_MS,
	WP_OPT_HEALTH_INTERVAL_MS,
	WP_OPT_TASK_QUEUE_CAP,
	WP_OPT_RESULT_QUEUE_CAP,
	WP_OPT_ERROR_QUEUE_CAP,
	WP_OPT_ORPHAN_CAP,
	WP_OPT_CONTAIN_CRASHES,
	WP_OPT_HEALTH_HEAP_BYTES,
	WP_OPT_HEALTH_THREADS_FACTOR,
	WP_OPT_HEALTH_BACKLOG_FACTOR,
	WP_OPT_HEALTH_ERROR_PERMILLE,
	WP_OPT_HEALTH_ERROR_WINDOW_MS,
	WP_OPT_HEALTH_ERROR_MIN_SAMPLES,
	WP_OPT_HEALTH_STUCK_MS,
	WP_OPT_IDLE_SPIN_US,
};
#define WP_OPT_COUNT 19

enum wp_unit {
	WP_UNIT_COUNT, /* a plain number */
	WP_UNIT_MS,    /* a duration in milliseconds */
	WP_UNIT_BYTES,
	WP_UNIT_BOOL,     /* 0 or 1 */
	WP_UNIT_PERMILLE, /* 100 = 10 % */
	WP_UNIT_US,       /* a duration in microseconds */
};

struct wp_option_info {
	enum wp_option opt;
	const char *name; /* "task-timeout" */
	const char *help; /* one line */
	enum wp_unit unit;
	uint64_t min, max;
	bool runtime; /* can change while the pool runs */
};
/* Static table entry; NULL for an unknown option. */
const struct wp_option_info *wp_option_info(enum wp_option opt);
/* Looks a name up; NULL if unknown. */
const struct wp_option_info *wp_option_find(const char *name);

/* A config's field by its option (for settings kept by name): 0, or
 * WP_EINVAL for NULL or an unknown option.  Set checks the option's range
 * (WP_ERANGE), accepting 0 where the field means "derived" (workers, the
 * queue capacities, the orphan cap); wp_config_validate() checks the
 * whole. */
int wp_config_get(const struct wp_config *cfg, enum wp_option opt,
		  uint64_t *value);
int wp_config_set(struct wp_config *cfg, enum wp_option opt, uint64_t value);

/* WP_ERANGE outside [min, max]; WP_ESTATE for a create-only option after
 * start.  Changing workers resizes the pool (wp_pool_resize). */
int wp_pool_set_option(wp_pool *pool, enum wp_option opt, uint64_t value);
int wp_pool_get_option(const wp_pool *pool, enum wp_option opt,
		       uint64_t *value);
/* Shorthands. */
int wp_pool_set_timeout(wp_pool *pool, uint64_t task_timeout_ms);
int wp_pool_resize(wp_pool *pool, unsigned workers);

/* ------------------------------------------------------------------------
 * Observation.
 */
struct wp_metrics {
	int64_t at_ns;       /* CLOCK_MONOTONIC of the snapshot */
	int64_t uptime_ns;   /* since start (0 before) */
	enum wp_pool_state state;

	/* Conservation: submitted = rejected + accepted;
	 * accepted = completed + failed + timed_out + cancelled + in_flight. */
	uint64_t submitted, rejected, accepted;
	uint64_t completed, failed, timed_out, cancelled;
	uint64_t in_flight; /* accepted, no outcome yet (queued + running) */
	uint64_t rejected_full, rejected_closed, rejected_nomem,
		rejected_timeout, rejected_deadlock;
	uint64_t panics, crashes;
	uint64_t late_discarded;  /* late results of timed-out tasks */
	uint64_t delivered;       /* results handed to the result handler */
	uint64_t results_direct;  /* delivered inline after close-results */
	uint64_t errors_reported, errors_dropped;

	/* Threads of the pool. */
	unsigned workers;       /* target worker count */
	unsigned workers_alive; /* worker threads in a slot */
	unsigned workers_busy;
	unsigned orphans;       /* threads left running a timed-out task */
	unsigned orphan_cap;
	unsigned spares;        /* parked threads ready to take over a slot */
	bool watchdog_alive, results_alive, errors_alive, monitor_alive,
		health_alive;
	unsigned stuck; /* tasks running longer than health_stuck_ms */

	/* Queues. */
	unsigned task_queued, task_cap, task_hwm;
	unsigned result_queued, result_cap, result_hwm;
	unsigned error_queued, error_cap, error_hwm;
	unsigned blocked_submitters;
	int64_t oldest_queued_ns; /* age of the oldest queued task, 0 if none */

	/* Processing time (to outcome) of finished runs, fixed histogram. */
	uint64_t proc_count;
	int64_t proc_avg_ns, proc_last_ns, proc_max_ns;
	int64_t proc_p50_ns, proc_p90_ns, proc_p99_ns;
	double throughput;      /* outcomes per second, last interval */
	double throughput_avg;  /* outcomes per second since start */

	/* Process-wide (not the pool's alone): /proc and mallinfo2. */
	uint64_t proc_rss_bytes;
	uint64_t proc_vm_bytes;
	uint64_t proc_heap_inuse_bytes; /* mallinfo2 uordblks + hblkhd */
	uint64_t proc_heap_free_bytes;  /* mallinfo2 fordblks */
	uint64_t proc_heap_arena_bytes; /* mallinfo2 arena + hblkhd */
	unsigned proc_threads;
};

/* A fresh snapshot computed now (reads /proc).  Never more finished than
 * accepted. */
int wp_pool_metrics(wp_pool *pool, struct wp_metrics *out);
/* The last snapshot the monitor published and when (CLOCK_MONOTONIC);
 * WP_EAGAIN if none yet.  It stops changing when the monitor stops. */
int wp_pool_metrics_published(const wp_pool *pool, struct wp_metrics *out);

#define WP_HEALTH_CHECKS 7
enum wp_health_check {
	WP_CHECK_HEAP,       /* process heap in use > health_heap_bytes */
	WP_CHECK_THREADS,    /* process threads > factor x workers */
	WP_CHECK_BACKLOG,    /* queued + blocked submitters > factor x W */
	WP_CHECK_ERROR_RATE, /* (failed + timed out) / outcomes in window */
	WP_CHECK_ORPHANS,    /* orphans >= orphan cap */
	WP_CHECK_STUCK,      /* tasks running > health_stuck_ms */
	WP_CHECK_WORKERS,    /* fewer live workers than the target */
};
const char *wp_health_check_name(enum wp_health_check c); /* static */

struct wp_health_item {
	enum wp_health_check check;
	bool failing;
	double value, threshold; /* error rate in percent */
	int64_t since_ns;        /* CLOCK_MONOTONIC first failing, 0 if ok */
	char text[96];
};

struct wp_health {
	int64_t at_ns;
	bool healthy;
	unsigned nfailing;
	struct wp_health_item items[WP_HEALTH_CHECKS]; /* every check */
	uint64_t window_samples; /* outcomes in the error-rate window */
};

/* A fresh health check computed now. */
int wp_pool_health(wp_pool *pool, struct wp_health *out);
/* The last one the health checker published; WP_EAGAIN if none yet. */
int wp_pool_health_published(const wp_pool *pool, struct wp_health *out);
/* The capacity-1 health mailbox (S4.1, S7.3): takes the pending snapshot,
 * WP_EAGAIN if empty.  The checker drops a new one while it is full. */
int wp_pool_health_take(wp_pool *pool, struct wp_health *out);

enum wp_worker_state {
	WP_WORKER_IDLE,
	WP_WORKER_BUSY,
	WP_WORKER_EXITED, /* slot without a thread (stopped or retired) */
	WP_WORKER_ORPHANED, /* slot waiting: its thread is past its deadline
			       and the orphan cap forbids a replacement */
};
const char *wp_worker_state_name(enum wp_worker_state s);

struct wp_worker_info {
	int slot; /* -1 for an orphan thread listed after the slots */
	enum wp_worker_state state;
	bool orphan; /* an orphan thread (slot -1) */
	char name[WP_NAME_MAX];
	uint64_t task_id;
	char kind[WP_KIND_MAX];
	int64_t running_ns;
	int64_t timeout_ns; /* 0: no deadline */
	uint64_t tasks_done;
};
/* Fills up to n entries: slots first, then orphan threads.  *count gets the
 * total available (may exceed n). */
int wp_pool_workers(wp_pool *pool, struct wp_worker_info *buf, size_t n,
		    size_t *count);

/* Events with seq > after, oldest first, up to n.  *got gets the number
 * copied; *lost (optional) how many were overwritten before being read. */
int wp_pool_events(const wp_pool *pool, uint64_t after, struct wp_event *buf,
		   size_t n, size_t *got, uint64_t *lost);
/* Adds a WP_EV_NOTE event (e.g. an operator command) to the stream. */
int wp_pool_note(wp_pool *pool, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif /* WPOOL_H */
