/*
 * test-panes.c - tui/pane-header.c, pane-layers.c, pane-workers.c,
 * pane-metrics.c and pane-health.c: each pane rendered from a fixed
 * snapshot into curses with no terminal, its text read back.
 */
#include "tuitest.h"

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
	assert_has(row(w, 0), "WORKERS 3, 2 busy, 1 orphaned");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_workers),
		cmocka_unit_test(test_metrics_frozen_and_live),
		cmocka_unit_test(test_health),
	};
	return cmocka_run_group_tests(tests, tt_setup, tt_teardown);
}
