/*
 * errors.c - error codes and the names of every public enum.
 *
 * Every word libwpool shows a person lives here: the error messages and
 * code names come from the one WP_ERRNO_MAP table, and each enum has one
 * designated-initialiser table of names.  The console, the event stream and
 * the generated docs all print through these functions, so a name is
 * spelled the same way everywhere.  A value outside its enum gives
 * "unknown" instead of reading past a table.
 */
#include "wp-internal.h"

#include <assert.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const outcome_names[] = {
	[WP_OUTCOME_NONE] = "none",
	[WP_OUTCOME_COMPLETED] = "completed",
	[WP_OUTCOME_FAILED] = "failed",
	[WP_OUTCOME_TIMED_OUT] = "timed-out",
	[WP_OUTCOME_CANCELLED] = "cancelled",
};
static_assert(NELEM(outcome_names) == WP_OUTCOME_COUNT,
	      "one name per outcome");

static const char *const event_names[] = {
	[WP_EV_STARTED] = "started",
	[WP_EV_SIGNAL] = "signal",
	[WP_EV_STOP_PHASE] = "stop-phase",
	[WP_EV_STOP_PROGRESS] = "stop-progress",
	[WP_EV_STOP_DONE] = "stop-done",
	[WP_EV_TIMEOUT] = "timeout",
	[WP_EV_ORPHAN] = "orphan",
	[WP_EV_ORPHAN_BACK] = "orphan-back",
	[WP_EV_PANIC] = "panic",
	[WP_EV_CRASH] = "crash",
	[WP_EV_FAILED] = "failed",
	[WP_EV_PAUSE] = "pause",
	[WP_EV_RESUME] = "resume",
	[WP_EV_RESIZE] = "resize",
	[WP_EV_OPTION] = "option",
	[WP_EV_HEALTH] = "health",
	[WP_EV_THREAD_EXIT] = "thread-exit",
	[WP_EV_DRAIN] = "drain",
	[WP_EV_NOTE] = "note",
};
static_assert(NELEM(event_names) == WP_EV_TYPE_COUNT,
	      "one name per event type");

/* wpool.h has no count macro for pool states: the last state bounds it. */
static const char *const state_names[] = {
	[WP_STATE_CREATED] = "created",
	[WP_STATE_RUNNING] = "running",
	[WP_STATE_PAUSED] = "paused",
	[WP_STATE_DRAINING] = "draining",
	[WP_STATE_STOPPING] = "stopping",
	[WP_STATE_STOPPED] = "stopped",
	[WP_STATE_FORCED] = "forced",
};
static_assert(NELEM(state_names) == WP_STATE_FORCED + 1,
	      "one name per pool state");

static const char *const signal_names[] = {
	[WP_SIG_CANCEL] = "cancel",
	[WP_SIG_SHUTDOWN] = "shutdown",
	[WP_SIG_STOP_MONITOR] = "stop-monitor",
	[WP_SIG_STOP_HEALTH] = "stop-health",
	[WP_SIG_CLOSE_TASKS] = "close-tasks",
	[WP_SIG_CLOSE_RESULTS] = "close-results",
	[WP_SIG_CLOSE_ERRORS] = "close-errors",
};
static_assert(NELEM(signal_names) == WP_SIG_COUNT, "one name per signal");

/* The layer of each signal (S1.1): system, functional, channel. */
static const int signal_layers[] = {
	[WP_SIG_CANCEL] = 1,
	[WP_SIG_SHUTDOWN] = 2,
	[WP_SIG_STOP_MONITOR] = 2,
	[WP_SIG_STOP_HEALTH] = 2,
	[WP_SIG_CLOSE_TASKS] = 3,
	[WP_SIG_CLOSE_RESULTS] = 3,
	[WP_SIG_CLOSE_ERRORS] = 3,
};
static_assert(NELEM(signal_layers) == WP_SIG_COUNT, "one layer per signal");

static const char *const phase_names[] = {
	[WP_PHASE_CLOSED] = "closed",
	[WP_PHASE_SHUTDOWN] = "shutdown",
	[WP_PHASE_MONITOR] = "monitor",
	[WP_PHASE_HEALTH] = "health",
	[WP_PHASE_CANCEL] = "cancel",
	[WP_PHASE_WAIT] = "wait",
	[WP_PHASE_CLOSE_QUEUES] = "close-queues",
	[WP_PHASE_PASSIVE] = "passive",
	[WP_PHASE_DONE] = "done",
};
static_assert(NELEM(phase_names) == WP_PHASE_COUNT,
	      "one name per stop phase");

static const char *const class_names[] = {
	[WP_THREAD_WORKER] = "worker",
	[WP_THREAD_WATCHDOG] = "watchdog",
	[WP_THREAD_RESULTS] = "results",
	[WP_THREAD_ERRORS] = "errors",
	[WP_THREAD_MONITOR] = "monitor",
	[WP_THREAD_HEALTH] = "health",
	[WP_THREAD_ORPHAN] = "orphan",
};
static_assert(NELEM(class_names) == WP_THREAD_ORPHAN + 1,
	      "one name per thread class");

static const char *const check_names[] = {
	[WP_CHECK_HEAP] = "heap",
	[WP_CHECK_THREADS] = "threads",
	[WP_CHECK_BACKLOG] = "backlog",
	[WP_CHECK_ERROR_RATE] = "error-rate",
	[WP_CHECK_ORPHANS] = "orphans",
	[WP_CHECK_STUCK] = "stuck",
	[WP_CHECK_WORKERS] = "workers",
};
static_assert(NELEM(check_names) == WP_HEALTH_CHECKS,
	      "one name per health check");

static const char *const worker_state_names[] = {
	[WP_WORKER_IDLE] = "idle",
	[WP_WORKER_BUSY] = "busy",
	[WP_WORKER_EXITED] = "exited",
	[WP_WORKER_ORPHANED] = "orphaned",
};
static_assert(NELEM(worker_state_names) == WP_WORKER_ORPHANED + 1,
	      "one name per worker state");

/* Indexed by the WP__REJ_* reasons, the order of counters.rejected[]. */
static const char *const rej_names[] = {
	[WP__REJ_FULL] = "full",
	[WP__REJ_CLOSED] = "closed",
	[WP__REJ_NOMEM] = "nomem",
	[WP__REJ_TIMEOUT] = "timeout",
	[WP__REJ_DEADLOCK] = "deadlock",
};
static_assert(NELEM(rej_names) == WP__REJ_DEADLOCK + 1,
	      "one name per rejection reason");
static_assert(NELEM(rej_names) ==
		      NELEM(((struct wp__counters *)0)->rejected),
	      "one rejection counter per reason");

/* The entry for v, or "unknown" when v is outside the table. */
static const char *
name_of(const char *const *table, size_t n, long v)
{
	if (v < 0 || (unsigned long)v >= n || table[v] == NULL)
		return "unknown";
	return table[v];
}

const char *
wp_version(void)
{
	return WP_VERSION_STRING;
}

const char *
wp_strerror(int err)
{
	switch (err) {
	case WP_OK:
		return "success";
#define MSG(name, val, msg)                                                    \
	case WP_##name:                                                        \
		return msg;
		WP_ERRNO_MAP(MSG)
#undef MSG
	}
	return "unknown error";
}

const char *
wp_err_name(int err)
{
	switch (err) {
	case WP_OK:
		return "WP_OK";
#define NAME(name, val, msg)                                                   \
	case WP_##name:                                                        \
		return "WP_" #name;
		WP_ERRNO_MAP(NAME)
#undef NAME
	}
	return "WP_E?";
}

const char *
wp_outcome_name(enum wp_outcome o)
{
	return name_of(outcome_names, NELEM(outcome_names), (long)o);
}

const char *
wp_event_type_name(enum wp_event_type t)
{
	return name_of(event_names, NELEM(event_names), (long)t);
}

const char *
wp_pool_state_name(enum wp_pool_state s)
{
	return name_of(state_names, NELEM(state_names), (long)s);
}

const char *
wp_signal_name(enum wp_signal s)
{
	return name_of(signal_names, NELEM(signal_names), (long)s);
}

/* 1, 2 or 3; 0 for a value that is not a signal. */
int
wp_signal_layer(enum wp_signal s)
{
	if ((unsigned long)s >= NELEM(signal_layers))
		return 0;
	return signal_layers[s];
}

const char *
wp_stop_phase_name(enum wp_stop_phase p)
{
	return name_of(phase_names, NELEM(phase_names), (long)p);
}

const char *
wp_thread_class_name(enum wp_thread_class c)
{
	return name_of(class_names, NELEM(class_names), (long)c);
}

const char *
wp_health_check_name(enum wp_health_check c)
{
	return name_of(check_names, NELEM(check_names), (long)c);
}

const char *
wp_worker_state_name(enum wp_worker_state s)
{
	return name_of(worker_state_names, NELEM(worker_state_names), (long)s);
}

const char *
wp__rej_name(int r)
{
	return name_of(rej_names, NELEM(rej_names), r);
}
