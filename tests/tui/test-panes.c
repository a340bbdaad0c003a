/*
 * test-panes.c - tui/pane-*.c and tui/draw.c: each pane rendered from a
 * fixed snapshot into curses with no terminal (newterm on /dev/null), its
 * text read back with mvwinnstr().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define WPTUI_INTERNAL
#include "tui.h"

#define NOW_NS (1000LL * 1000000000)
#define WALL_MS 1700000000000LL
#define SEC 1000000000LL

static SCREEN *scr;
static FILE *out, *in;
static struct tui_snap snap;
static struct tui_log log_;

static int
setup(void **state)
{
	(void)state;
	setenv("LINES", "60", 1);
	setenv("COLUMNS", "200", 1);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	scr = newterm("xterm", out, in);
	if (scr == NULL)
		scr = newterm("vt100", out, in);
	assert_non_null(scr);
	set_term(scr);
	tui_draw_init(false, false, true);
	return tui_log_init(&log_, 100);
}

static int
teardown(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	tui_log_free(&log_);
	return 0;
}

/* A running pool of four workers: two busy (one near its timeout), one
 * idle, one orphan; the monitor stopped 5 s ago; two checks failing. */
static void
fixture(void)
{
	struct wp_metrics *m;

	memset(&snap, 0, sizeof(snap));
	snap.now_ns = NOW_NS;
	snap.wall_ms = WALL_MS;
	snap.pid = 4121;
	snap.have_pool = true;
	snap.state = WP_STATE_RUNNING;
	snap.accepting = true;
	snap.workers_opt = 4;
	snap.task_timeout_ms = 5000;
	snap.stop_timeout_ms = 2000;
	snap.monitor_ms = 1000;
	snap.sig[WP_SIG_STOP_MONITOR].fired = true;
	snap.sig[WP_SIG_STOP_MONITOR].at_ns = NOW_NS - 5 * SEC;

	snap.have_live = true;
	m = &snap.live;
	m->uptime_ns = 192 * SEC;
	m->workers = 4;
	m->workers_alive = 4;
	m->workers_busy = 2;
	m->results_alive = m->errors_alive = m->health_alive = true;
	m->watchdog_alive = true;
	m->monitor_alive = false;
	m->orphans = 1;
	m->orphan_cap = 4;

	snap.have_pub = true;
	m = &snap.pub;
	m->at_ns = NOW_NS - 6 * SEC;
	m->submitted = 1234;
	m->rejected = 4;
	m->accepted = 1230;
	m->completed = 1200;
	m->failed = 12;
	m->timed_out = 3;
	m->cancelled = 0;
	m->in_flight = 15;
	m->panics = 1;
	m->task_queued = 7;
	m->task_cap = 8;
	m->task_hwm = 8;
	m->result_cap = 8;
	m->error_cap = 4;
	m->oldest_queued_ns = 1200000000;
	m->proc_count = 1215;
	m->proc_p50_ns = 10000000;
	m->proc_p90_ns = 40000000;
	m->proc_p99_ns = 1200000000;
	m->proc_max_ns = 3400000000LL;
	m->throughput = 12.0;
	m->proc_rss_bytes = 12u << 20;
	m->proc_heap_inuse_bytes = 3u << 20;
	m->proc_threads = 14;
	snap.pub_frozen = true;
	snap.pub_frozen_ns = NOW_NS - 5 * SEC;
	snap.nspark = 5;
	for (unsigned i = 0; i < 5; i++)
		snap.spark[i] = i * 3.0;

	snap.have_health = true;
	snap.health.at_ns = NOW_NS - 1 * SEC;
	snap.health.nfailing = 2;
	snap.health.items[WP_CHECK_BACKLOG] = (struct wp_health_item){
		.check = WP_CHECK_BACKLOG, .failing = true, .value = 41,
		.threshold = 20, .since_ns = NOW_NS - 4 * SEC};
	snap.health.items[WP_CHECK_ERROR_RATE] = (struct wp_health_item){
		.check = WP_CHECK_ERROR_RATE, .failing = true, .value = 12.5,
		.threshold = 10, .since_ns = NOW_NS - 15 * SEC};

	snap.nworkers = snap.workers_total = 4;
	snap.workers[0] = (struct wp_worker_info){
		.slot = 0, .state = WP_WORKER_BUSY, .task_id = 12,
		.kind = "sleep", .running_ns = 1200000000,
		.timeout_ns = 5 * SEC};
	snap.workers[1] = (struct wp_worker_info){
		.slot = 1, .state = WP_WORKER_IDLE};
	snap.workers[2] = (struct wp_worker_info){
		.slot = 2, .state = WP_WORKER_BUSY, .task_id = 99,
		.kind = "hang", .running_ns = 4900000000LL,
		.timeout_ns = 5 * SEC};
	snap.workers[3] = (struct wp_worker_info){
		.slot = -1, .state = WP_WORKER_BUSY, .orphan = true,
		.task_id = 7, .kind = "hang", .running_ns = 9 * SEC,
		.timeout_ns = 5 * SEC};
}

static struct tui_view
view(void)
{
	struct tui_view v = {.snap = &snap, .log = &log_, .refresh_ms = 1000,
			     .frame = 7};
	return v;
}

/* Renders pane p into an h x w window at (y, x); returns the window. */
static WINDOW *
render(enum tui_pane p, int h, int w, int x, const struct tui_view *v)
{
	WINDOW *win = newwin(h, w, 0, x);

	assert_non_null(win);
	tui_pane_ops[p].draw(win, v);
	return win;
}

static const char *
row(WINDOW *w, int y)
{
	static char buf[512];
	int n = mvwinnstr(w, y, 0, buf, (int)sizeof(buf) - 1);

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return buf;
}

/* The whole window as one string, rows joined with '\n'. */
static const char *
text(WINDOW *w)
{
	static char all[8192];
	size_t o = 0;

	all[0] = '\0';
	for (int y = 0; y < getmaxy(w); y++)
		o += (size_t)snprintf(all + o, sizeof(all) - o, "%s\n", row(w, y));
	return all;
}

#define assert_has(hay, needle)                                                \
	do {                                                                   \
		if (strstr((hay), (needle)) == NULL)                           \
			fail_msg("\"%s\" not in:\n%s", (needle), (hay));       \
	} while (0)
#define assert_hasnt(hay, needle)                                              \
	do {                                                                   \
		if (strstr((hay), (needle)) != NULL)                           \
			fail_msg("\"%s\" unexpectedly in:\n%s", (needle),      \
				 (hay));                                       \
	} while (0)

static void
test_header(void **state)
{
	struct tui_view v;
	WINDOW *w;

	(void)state;
	fixture();
	v = view();
	w = render(TUI_P_HEADER, 1, 120, 0, &v);
	assert_has(row(w, 0), "wpool " WP_VERSION_STRING);
	assert_has(row(w, 0), "pid 4121");
	assert_has(row(w, 0), "up 3m12s");
	assert_has(row(w, 0), "RUNNING");
	assert_has(row(w, 0), "task-timeout 5s");
	assert_has(row(w, 0), "stop-bound 2s");
	assert_has(row(w, 0), "HEALTH 2 FAILING");
	delwin(w);
	/* 80 columns: short forms, the state and health still there. */
	w = render(TUI_P_HEADER, 1, 80, 0, &v);
	assert_has(row(w, 0), "RUNNING");
	assert_has(row(w, 0), "H:2FAIL");
	delwin(w);
	/* 40 columns: less important items dropped, never the state. */
	w = render(TUI_P_HEADER, 1, 40, 0, &v);
	assert_has(row(w, 0), "RUNNING");
	assert_has(row(w, 0), "H:2FAIL");
	assert_hasnt(row(w, 0), "pid");
	delwin(w);
	snap.state = WP_STATE_FORCED;
	w = render(TUI_P_HEADER, 1, 80, 0, &v);
	assert_has(row(w, 0), "FORCED");
	delwin(w);
}

static void
test_layers(void **state)
{
	struct tui_view v;
	char when[16];
	WINDOW *w;
	const char *t;

	(void)state;
	fixture();
	v = view();
	w = render(TUI_P_LAYERS, 3, 80, 0, &v);
	t = text(w);
	tui_fmt_clock(when, sizeof(when), WALL_MS - 5000);
	assert_has(row(w, 0), "L1 cancel armed");
	assert_has(row(w, 0), "L2 shutdown armed");
	assert_has(row(w, 0), "monitor ");
	assert_has(row(w, 0), when); /* fired, with its time */
	assert_has(row(w, 0), "health armed");
	assert_has(row(w, 1), "L3 tasks armed");
	assert_has(row(w, 1), "results armed");
	assert_has(row(w, 1), "errors armed");
	assert_has(row(w, 1), "admission open");
	assert_has(t, "wrk 4/4 b2");
	assert_has(t, "mon 0");
	assert_has(t, "orph 1/4");
	delwin(w);
	/* Wide: long labels, and the word FIRED as well. */
	w = render(TUI_P_LAYERS, 3, 140, 0, &v);
	t = text(w);
	assert_has(row(w, 0), "monitor FIRED");
	assert_has(t, "workers 4/4 busy 2");
	assert_has(t, "monitor 0");
	assert_has(t, "orphans 1/4");
	delwin(w);
	/* Every signal fired still fits 80 columns. */
	for (int i = 0; i < WP_SIG_COUNT; i++) {
		snap.sig[i].fired = true;
		snap.sig[i].at_ns = NOW_NS - SEC;
	}
	snap.accepting = false;
	w = render(TUI_P_LAYERS, 3, 80, 0, &v);
	assert_has(row(w, 1), "admission CLOSED");
	assert_has(row(w, 1), "errors ");
	assert_hasnt(text(w), "armed");
	delwin(w);
}

static void
test_workers(void **state)
{
	struct tui_view v;
	WINDOW *w;
	const char *t;

	(void)state;
	fixture();
	v = view();
	w = render(TUI_P_WORKERS, 10, 36, 0, &v);
	t = text(w);
	assert_has(row(w, 0), "WORKERS 4, 3 busy");
	assert_has(row(w, 1), "w0");
	assert_has(row(w, 1), "busy");
	assert_has(row(w, 1), "#12");
	assert_has(row(w, 1), "1.2s");
	assert_has(row(w, 1), "[#");
	assert_has(row(w, 2), "idle");
	assert_has(row(w, 3), "#99");
	assert_has(row(w, 4), "ORPH");
	assert_has(row(w, 4), "!"); /* past its deadline */
	assert_hasnt(t, "more");
	delwin(w);
	/* Too few rows: busy first, and a count of the rest. */
	w = render(TUI_P_WORKERS, 3, 36, 0, &v);
	assert_has(row(w, 1), "#12");
	assert_has(row(w, 2), "+3 more");
	delwin(w);
	/* Wide: long state names and kinds. */
	w = render(TUI_P_WORKERS, 10, 60, 0, &v);
	assert_has(row(w, 1), "sleep");
	assert_has(row(w, 4), "ORPHAN");
	delwin(w);
}

static void
test_metrics_frozen_and_live(void **state)
{
	struct tui_view v;
	WINDOW *w;
	const char *t;

	(void)state;
	fixture();
	v = view();
	w = render(TUI_P_METRICS, 10, 44, 36, &v);
	t = text(w);
	assert_has(row(w, 0), "FROZEN: monitor stopped");
	assert_has(row(w, 0), "(5s)");
	assert_has(t, "tasks");
	assert_has(t, "7/8");
	assert_has(t, "hwm 8");
	assert_has(t, "old 1.2s");
	assert_has(t, "submit 1234");
	assert_has(t, "reject 4");
	assert_has(t, "sum    ok");
	assert_has(t, "p99 1.2s");
	assert_has(t, "tput 12.0/s");
	assert_has(t, "rss 12.0M");
	assert_has(row(w, 1), "|"); /* the separator column */
	delwin(w);

	snap.pub_frozen = false;
	w = render(TUI_P_METRICS, 10, 70, 36, &v);
	t = text(w);
	assert_has(row(w, 0), "QUEUES & COUNTERS");
	snap.pub_frozen = true;
	delwin(w);
	w = render(TUI_P_METRICS, 10, 70, 36, &v);
	assert_has(row(w, 0), "METRICS FROZEN since");
	assert_has(row(w, 0), "(5s ago)");
	assert_has(row(w, 0), "monitor stopped");
	snap.pub_frozen = false;
	delwin(w);
	w = render(TUI_P_METRICS, 10, 70, 36, &v);
	assert_has(row(w, 0), "monitor ");
	assert_hasnt(t, "FROZEN");
	assert_has(t, "submitted 1234");
	assert_has(t, "conserved ok");
	delwin(w);

	/* A broken conservation law is shown as such. */
	snap.pub.completed++;
	w = render(TUI_P_METRICS, 10, 70, 36, &v);
	assert_has(text(w), "BROKEN");
	delwin(w);
	/* Short: the gauges stay, the detail goes. */
	w = render(TUI_P_METRICS, 5, 44, 36, &v);
	t = text(w);
	assert_has(t, "errors");
	assert_hasnt(t, "rss");
	delwin(w);
}

static void
test_health(void **state)
{
	struct tui_view v;
	WINDOW *w;

	(void)state;
	fixture();
	v = view();
	w = render(TUI_P_HEALTH, 3, 80, 0, &v);
	assert_has(row(w, 0), "HEALTH 2 FAILING");
	assert_has(row(w, 1), "[FAIL] backlog");
	assert_has(row(w, 1), "41 > 20");
	assert_has(row(w, 1), "since ");
	assert_has(row(w, 2), "error-rate");
	assert_has(row(w, 2), "12.5% > 10.0%");
	delwin(w);
	w = render(TUI_P_HEALTH, 2, 80, 0, &v);
	assert_has(row(w, 1), "+2 more failing");
	delwin(w);
	snap.health_frozen = true;
	snap.health_frozen_ns = NOW_NS - 3 * SEC;
	snap.sig[WP_SIG_STOP_HEALTH].fired = true;
	w = render(TUI_P_HEALTH, 3, 100, 0, &v);
	assert_has(row(w, 0), "HEALTH FROZEN since");
	assert_has(row(w, 0), "checker stopped");
	delwin(w);
	memset(snap.health.items, 0, sizeof(snap.health.items));
	snap.health.healthy = true;
	snap.health_frozen = false;
	w = render(TUI_P_HEALTH, 1, 80, 0, &v);
	assert_has(row(w, 0), "HEALTH ok: 7 checks pass");
	delwin(w);
}

static void
test_events_scroll(void **state)
{
	struct tui_view v;
	WINDOW *w;
	char line[32];

	(void)state;
	fixture();
	tui_log_clear(&log_);
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		tui_log_add(&log_, TUI_LOG_OUT, -1, WALL_MS, line);
	}
	tui_log_add(&log_, TUI_LOG_CMD, -1, WALL_MS, "submit sleep 1s");
	tui_log_add(&log_, TUI_LOG_ERR, -1, WALL_MS, "no such kind");
	tui_log_add(&log_, TUI_LOG_EVENT, WP_EV_TIMEOUT, WALL_MS,
		    "timeout  hang #3 on worker 1\nsecond");
	v = view();
	w = render(TUI_P_EVENTS, 6, 80, 0, &v);
	assert_has(row(w, 0), "EVENTS");
	assert_has(row(w, 2), "> submit sleep 1s");
	assert_has(row(w, 3), "error: no such kind");
	assert_has(row(w, 4), "timeout  hang #3");
	assert_has(row(w, 5), "second");
	delwin(w);
	tui_log_scroll(&log_, 5, 5);
	w = render(TUI_P_EVENTS, 6, 80, 0, &v);
	assert_has(row(w, 0), "SCROLLED: 5 more below");
	assert_has(row(w, 5), "line 28");
	delwin(w);
	/* New lines keep a scrolled reader on the same lines. */
	tui_log_add(&log_, TUI_LOG_OUT, -1, WALL_MS, "newest");
	w = render(TUI_P_EVENTS, 6, 80, 0, &v);
	assert_has(row(w, 5), "line 28");
	delwin(w);
	tui_log_scroll(&log_, -1000, 5);
	assert_int_equal(log_.scroll, 0);
	tui_log_scroll(&log_, 1000, 5);
	assert_int_equal(log_.scroll, log_.n - 5);
	/* The ring keeps the newest cap lines. */
	for (int i = 0; i < 250; i++)
		tui_log_add(&log_, TUI_LOG_OUT, -1, WALL_MS, "x");
	assert_int_equal(log_.n, 100);
	tui_log_clear(&log_);
}

static void
test_stop_view(void **state)
{
	struct tui_view v;
	struct tui_stop_view *st = &snap.stop;
	WINDOW *w;
	const char *t;

	(void)state;
	fixture();
	st->seen = true;
	st->begin_ns = NOW_NS - 1300000000LL;
	st->bound_ms = 2000;
	st->nphases = 3;
	strcpy(st->phase[0].name, "closed");
	st->phase[0].ms = 0.01;
	strcpy(st->phase[1].name, "shutdown");
	st->phase[1].ms = 0.1;
	strcpy(st->phase[2].name, "monitor");
	st->phase[2].already = true;
	st->nalive = 2;
	strcpy(st->alive[0], "wp-worker-1");
	strcpy(st->alive[1], "watchdog");
	v = view();
	w = render(TUI_P_STOP, 10, 36, 0, &v);
	t = text(w);
	assert_has(row(w, 0), "STOP running 1.3s");
	assert_has(row(w, 0), "bound 2s");
	assert_has(t, "closed +0.0ms");
	assert_has(t, "monitor already");
	assert_has(t, "...");
	assert_has(t, "wait [");
	assert_has(t, "1.3s / 2s");
	assert_has(t, "alive 2:");
	assert_has(t, "wp-worker-1");
	delwin(w);

	st->done = true;
	st->forced = true;
	st->total_ms = 2004;
	st->nalive = 1;
	st->cancelled_running = 1;
	w = render(TUI_P_STOP, 10, 36, 0, &v);
	t = text(w);
	assert_has(row(w, 0), "STOP FORCED after 2.0s");
	assert_has(t, "FORCED: 1 left behind");
	assert_has(t, "left 1:");
	assert_has(t, "wp-worker-1");
	delwin(w);

	st->forced = false;
	st->total_ms = 3.2;
	st->nalive = 0;
	st->cancelled_running = 0;
	w = render(TUI_P_STOP, 10, 36, 0, &v);
	t = text(w);
	assert_has(row(w, 0), "STOP CLEAN after 3.2ms");
	assert_has(t, "CLEAN after 3.2ms");
	assert_hasnt(t, "left");
	delwin(w);
}

static void
test_bar_and_small(void **state)
{
	struct tui_view v;
	WINDOW *w;

	(void)state;
	fixture();
	v = view();
	w = render(TUI_P_BAR, 1, 100, 0, &v);
	assert_has(row(w, 0), "F1 help");
	assert_has(row(w, 0), "frame 7"); /* test mode */
	delwin(w);
	v.busy = "stop";
	v.progress = "wait: 2 threads alive";
	w = render(TUI_P_BAR, 1, 100, 0, &v);
	assert_has(row(w, 0), "BUSY stop: wait: 2 threads alive");
	delwin(w);
	v.error = "unknown command 'sumbit'";
	w = render(TUI_P_BAR, 1, 100, 0, &v);
	assert_has(row(w, 0), "ERROR: unknown command 'sumbit'");
	delwin(w);
	v.confirm = "Stop it? [y/N]";
	w = render(TUI_P_BAR, 1, 100, 0, &v);
	assert_has(row(w, 0), "Stop it? [y/N]");
	delwin(w);
	w = render(TUI_P_SMALL, 6, 30, 0, &v);
	assert_has(text(w), "terminal too small");
	assert_has(text(w), "RUNNING");
	delwin(w);
}

static void
test_draw_primitives(void **state)
{
	WINDOW *w = newwin(3, 30, 0, 0);
	double v[4] = {0, 1, 2, 4};

	(void)state;
	tui_bar(w, 0, 0, 12, 0.5, TUI_S_OK);
	assert_string_equal(row(w, 0), "[#####-----]                  ");
	tui_bar(w, 1, 0, 6, 2.0, TUI_S_OK);
	assert_has(row(w, 1), "[####]");
	tui_spark(w, 2, 0, 3, v, 4);
	assert_has(row(w, 2), ",~#"); /* the last three, scaled to 4 */
	werase(w);
	assert_int_equal(tui_put(w, 0, 25, 100, TUI_S_NORMAL, "abcdefghij"),
			 5);
	assert_has(row(w, 0), "abcde");
	tui_rule(w, 1, TUI_S_TITLE, "T", TUI_S_DIM, "R");
	assert_string_equal(row(w, 1), "- T ---------------------- R -");
	delwin(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_workers),
		cmocka_unit_test(test_metrics_frozen_and_live),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_events_scroll),
		cmocka_unit_test(test_stop_view),
		cmocka_unit_test(test_bar_and_small),
		cmocka_unit_test(test_draw_primitives),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
