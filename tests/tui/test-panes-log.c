/*
 * test-panes-log.c - tui/pane-events.c (and the log ring of snap.c),
 * pane-stop.c, pane-bar.c and draw.c, rendered with no terminal.
 */
#include "tuitest.h"

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
		cmocka_unit_test(test_events_scroll),
		cmocka_unit_test(test_stop_view),
		cmocka_unit_test(test_bar_and_small),
		cmocka_unit_test(test_draw_primitives),
	};
	return cmocka_run_group_tests(tests, tt_setup, tt_teardown);
}
