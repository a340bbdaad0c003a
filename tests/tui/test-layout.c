/*
 * test-layout.c - tui/layout.c: every size gets a layout whose panes stay
 * inside the screen, never overlap, and collapse in the documented order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define WPTUI_INTERNAL
#include "tui.h"

static bool
shown(const struct tui_layout *l, enum tui_pane p)
{
	return l->r[p].h > 0;
}

/* Every pane inside the screen; no two panes share a cell. */
static void
check_sane(const struct tui_layout *l)
{
	for (int a = 0; a < TUI_P_COUNT; a++) {
		const struct tui_rect *r = &l->r[a];
		if (r->h == 0)
			continue;
		assert_true(r->y >= 0 && r->x >= 0);
		assert_true(r->y + r->h <= l->lines);
		assert_true(r->x + r->w <= l->cols);
		for (int b = a + 1; b < TUI_P_COUNT; b++) {
			const struct tui_rect *s = &l->r[b];
			if (s->h == 0)
				continue;
			bool apart = r->y + r->h <= s->y || s->y + s->h <= r->y ||
				     r->x + r->w <= s->x || s->x + s->w <= r->x;
			if (!apart)
				fail_msg("%s overlaps %s", tui_pane_name(a),
					 tui_pane_name(b));
		}
	}
	/* The prompt is always the last line. */
	assert_int_equal(l->r[TUI_P_PROMPT].y, l->lines - 1);
	assert_int_equal(l->r[TUI_P_PROMPT].h, 1);
}

static void
test_80x24_shows_everything(void **state)
{
	struct tui_layout_want want = {.health = 2, .workers = 4};
	struct tui_layout l;

	(void)state;
	tui_layout_compute(&l, 80, 24, &want);
	check_sane(&l);
	assert_false(l.too_small);
	assert_true(l.split);
	assert_int_equal(l.r[TUI_P_HEADER].h, 1);
	assert_int_equal(l.r[TUI_P_LAYERS].h, 3);
	assert_true(shown(&l, TUI_P_WORKERS));
	assert_false(shown(&l, TUI_P_STOP));
	assert_int_equal(l.r[TUI_P_METRICS].h, 10);
	assert_int_equal(l.r[TUI_P_HEALTH].h, 3);
	assert_true(l.r[TUI_P_EVENTS].h >= 3);
	assert_int_equal(l.r[TUI_P_BAR].y, 22);
	/* Every line is used. */
	assert_int_equal(l.r[TUI_P_EVENTS].y + l.r[TUI_P_EVENTS].h, 22);
}

static void
test_stop_view_replaces_workers(void **state)
{
	struct tui_layout_want want = {.stop = true, .workers = 4};
	struct tui_layout l;

	(void)state;
	tui_layout_compute(&l, 80, 24, &want);
	check_sane(&l);
	assert_true(shown(&l, TUI_P_STOP));
	assert_false(shown(&l, TUI_P_WORKERS));
	assert_true(shown(&l, TUI_P_METRICS));
	/* One column: the stop view takes the middle. */
	tui_layout_compute(&l, 60, 24, &want);
	check_sane(&l);
	assert_true(shown(&l, TUI_P_STOP));
	assert_false(shown(&l, TUI_P_METRICS));
}

static void
test_bigger_grows_workers_and_events(void **state)
{
	struct tui_layout_want want = {.workers = 16};
	struct tui_layout small, big;

	(void)state;
	tui_layout_compute(&small, 80, 24, &want);
	tui_layout_compute(&big, 120, 40, &want);
	check_sane(&big);
	assert_true(big.r[TUI_P_WORKERS].h > small.r[TUI_P_WORKERS].h);
	assert_true(big.r[TUI_P_WORKERS].w > small.r[TUI_P_WORKERS].w);
	assert_true(big.r[TUI_P_EVENTS].h > small.r[TUI_P_EVENTS].h);
	assert_true(big.r[TUI_P_METRICS].w > small.r[TUI_P_METRICS].w);
}

static void
test_collapse_order(void **state)
{
	struct tui_layout_want want = {.health = 3, .workers = 4};
	struct tui_layout l;

	(void)state;
	/* Narrow: the workers column goes first. */
	tui_layout_compute(&l, 79, 24, &want);
	check_sane(&l);
	assert_false(l.split);
	assert_false(shown(&l, TUI_P_WORKERS));
	assert_true(shown(&l, TUI_P_METRICS));
	assert_true(shown(&l, TUI_P_EVENTS));
	/* Shorter: the events go before health and metrics shrink. */
	tui_layout_compute(&l, 80, 19, &want);
	check_sane(&l);
	assert_false(shown(&l, TUI_P_EVENTS));
	assert_int_equal(l.r[TUI_P_METRICS].h, 10);
	assert_true(l.r[TUI_P_HEALTH].h > 1);
	/* Shorter still: health detail, then metrics detail, then layers. */
	tui_layout_compute(&l, 80, 15, &want);
	check_sane(&l);
	assert_int_equal(l.r[TUI_P_HEALTH].h, 1);
	assert_int_equal(l.r[TUI_P_LAYERS].h, 3);
	assert_true(l.r[TUI_P_METRICS].h < 10);
	tui_layout_compute(&l, 80, TUI_MIN_LINES, &want);
	check_sane(&l);
	assert_false(l.too_small);
	assert_true(l.r[TUI_P_LAYERS].h < 3);
	assert_true(shown(&l, TUI_P_HEADER));
	/* Every height from the minimum up is a sane layout. */
	for (int h = TUI_MIN_LINES; h < 60; h++)
		for (int w = TUI_MIN_COLS; w < 200; w += 7) {
			tui_layout_compute(&l, w, h, &want);
			assert_false(l.too_small);
			check_sane(&l);
		}
}

static void
test_too_small_keeps_the_prompt(void **state)
{
	struct tui_layout_want want = {0};
	struct tui_layout l;

	(void)state;
	tui_layout_compute(&l, TUI_MIN_COLS - 1, 24, &want);
	assert_true(l.too_small);
	check_sane(&l);
	assert_true(shown(&l, TUI_P_SMALL));
	assert_false(shown(&l, TUI_P_METRICS));
	tui_layout_compute(&l, 80, TUI_MIN_LINES - 1, &want);
	assert_true(l.too_small);
	check_sane(&l);
	assert_int_equal(l.r[TUI_P_PROMPT].w, 80);
	tui_layout_compute(&l, 10, 1, &want);
	assert_true(l.too_small);
	assert_int_equal(l.r[TUI_P_PROMPT].y, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_80x24_shows_everything),
		cmocka_unit_test(test_stop_view_replaces_workers),
		cmocka_unit_test(test_bigger_grows_workers_and_events),
		cmocka_unit_test(test_collapse_order),
		cmocka_unit_test(test_too_small_keeps_the_prompt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
