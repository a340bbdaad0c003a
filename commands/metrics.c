/*
 * metrics.c - the names of struct wp_metrics, as a table.
 *
 * `metrics` prints every entry (text grouped, JSON under the same names)
 * and `expect` looks names up here, so a new field needs one line.  The
 * first names are the fixed JSON keys scripts rely on (submitted, ...,
 * queued, in_flight, orphans, threads, workers).  Names are matched with
 * '-' and '_' alike.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

#define M(name, group, type, field) \
	{name, group, type, offsetof(struct wp_metrics, field)}

const struct cmd_metric cmd_metrics[] = {
	M("submitted", "tasks", CMD_M_U64, submitted),
	M("rejected", "tasks", CMD_M_U64, rejected),
	M("accepted", "tasks", CMD_M_U64, accepted),
	M("completed", "tasks", CMD_M_U64, completed),
	M("failed", "tasks", CMD_M_U64, failed),
	M("timed_out", "tasks", CMD_M_U64, timed_out),
	M("cancelled", "tasks", CMD_M_U64, cancelled),
	M("in_flight", "tasks", CMD_M_U64, in_flight),
	M("queued", "queues", CMD_M_UINT, task_queued),
	M("orphans", "threads", CMD_M_UINT, orphans),
	M("threads", "process", CMD_M_UINT, proc_threads),
	M("workers", "threads", CMD_M_UINT, workers),
	M("workers_alive", "threads", CMD_M_UINT, workers_alive),
	M("workers_busy", "threads", CMD_M_UINT, workers_busy),
	M("orphan_cap", "threads", CMD_M_UINT, orphan_cap),
	M("spares", "threads", CMD_M_UINT, spares),
	M("stuck", "threads", CMD_M_UINT, stuck),
	M("watchdog_alive", "threads", CMD_M_BOOL, watchdog_alive),
	M("results_alive", "threads", CMD_M_BOOL, results_alive),
	M("errors_alive", "threads", CMD_M_BOOL, errors_alive),
	M("monitor_alive", "threads", CMD_M_BOOL, monitor_alive),
	M("health_alive", "threads", CMD_M_BOOL, health_alive),
	M("rejected_full", "tasks", CMD_M_U64, rejected_full),
	M("rejected_closed", "tasks", CMD_M_U64, rejected_closed),
	M("rejected_nomem", "tasks", CMD_M_U64, rejected_nomem),
	M("rejected_timeout", "tasks", CMD_M_U64, rejected_timeout),
	M("rejected_deadlock", "tasks", CMD_M_U64, rejected_deadlock),
	M("panics", "tasks", CMD_M_U64, panics),
	M("crashes", "tasks", CMD_M_U64, crashes),
	M("late_discarded", "tasks", CMD_M_U64, late_discarded),
	M("delivered", "tasks", CMD_M_U64, delivered),
	M("results_direct", "tasks", CMD_M_U64, results_direct),
	M("errors_reported", "tasks", CMD_M_U64, errors_reported),
	M("errors_dropped", "tasks", CMD_M_U64, errors_dropped),
	M("task_cap", "queues", CMD_M_UINT, task_cap),
	M("task_hwm", "queues", CMD_M_UINT, task_hwm),
	M("result_queued", "queues", CMD_M_UINT, result_queued),
	M("result_cap", "queues", CMD_M_UINT, result_cap),
	M("result_hwm", "queues", CMD_M_UINT, result_hwm),
	M("error_queued", "queues", CMD_M_UINT, error_queued),
	M("error_cap", "queues", CMD_M_UINT, error_cap),
	M("error_hwm", "queues", CMD_M_UINT, error_hwm),
	M("blocked_submitters", "queues", CMD_M_UINT, blocked_submitters),
	M("oldest_queued", "queues", CMD_M_NS, oldest_queued_ns),
	M("proc_count", "latency", CMD_M_U64, proc_count),
	M("proc_avg", "latency", CMD_M_NS, proc_avg_ns),
	M("proc_last", "latency", CMD_M_NS, proc_last_ns),
	M("proc_max", "latency", CMD_M_NS, proc_max_ns),
	M("proc_p50", "latency", CMD_M_NS, proc_p50_ns),
	M("proc_p90", "latency", CMD_M_NS, proc_p90_ns),
	M("proc_p99", "latency", CMD_M_NS, proc_p99_ns),
	M("throughput", "latency", CMD_M_DBL, throughput),
	M("throughput_avg", "latency", CMD_M_DBL, throughput_avg),
	M("uptime", "process", CMD_M_NS, uptime_ns),
	M("rss_bytes", "process", CMD_M_U64, proc_rss_bytes),
	M("vm_bytes", "process", CMD_M_U64, proc_vm_bytes),
	M("heap_inuse_bytes", "process", CMD_M_U64, proc_heap_inuse_bytes),
	M("heap_free_bytes", "process", CMD_M_U64, proc_heap_free_bytes),
	M("heap_arena_bytes", "process", CMD_M_U64, proc_heap_arena_bytes),
};
const size_t cmd_metrics_count = sizeof cmd_metrics / sizeof cmd_metrics[0];

/* Names that are not fields of struct wp_metrics (expect.c computes). */
static const char *const extra_names[] = {
	"state", "health", "healthy", "failing", "forced", "alive",
	"jobs", "results", "stop_ms", "uptime_ms",
};

static bool
same_name(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

const struct cmd_metric *
cmd_metric_find(const char *name)
{
	size_t i;

	for (i = 0; i < cmd_metrics_count; i++)
		if (same_name(cmd_metrics[i].name, name))
			return &cmd_metrics[i];
	return NULL;
}

size_t
cmd_expect_names(const char **buf, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < cmd_metrics_count && k < n; i++)
		buf[k++] = cmd_metrics[i].name;
	for (i = 0; i < sizeof extra_names / sizeof extra_names[0] && k < n;
	     i++)
		buf[k++] = extra_names[i];
	return k;
}

int
cmd_metric_value(const struct cmd_metric *cm, const struct wp_metrics *m,
		 double *num, char *text, size_t len)
{
	const char *base = (const char *)m + cm->off;
	uint64_t u;
	unsigned ui;
	int64_t ns;
	double d;
	bool b;

	switch (cm->type) {
	case CMD_M_U64:
		memcpy(&u, base, sizeof u);
		*num = (double)u;
		if (cm->name[strlen(cm->name) - 1] == 's' &&
		    strstr(cm->name, "_bytes") != NULL)
			cmd_fmt_bytes(u, text, len);
		else
			snprintf(text, len, "%" PRIu64, u);
		return 0;
	case CMD_M_UINT:
		memcpy(&ui, base, sizeof ui);
		*num = ui;
		snprintf(text, len, "%u", ui);
		return 0;
	case CMD_M_NS:
		memcpy(&ns, base, sizeof ns);
		*num = (double)ns / 1e6;
		cmd_fmt_ns(ns, text, len);
		return 0;
	case CMD_M_DBL:
		memcpy(&d, base, sizeof d);
		*num = d;
		snprintf(text, len, "%.2f", d);
		return 0;
	case CMD_M_BOOL:
		memcpy(&b, base, sizeof b);
		*num = b;
		snprintf(text, len, "%s", b ? "true" : "false");
		return 0;
	}
	return -1;
}

bool
cmd_metric_name_eq(const char *a, const char *b)
{
	return same_name(a, b);
}
