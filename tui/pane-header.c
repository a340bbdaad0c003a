/*
 * pane-header.c - the top line: who, how long, what state, the settings
 * that shape a stop, and overall health.
 *
 * Items have a long and a short form and a priority; when the line is
 * too wide the least important items take their short form first, then
 * go, so 80 columns say "HEALTH 1 FAILING" and 40 columns still show the
 * state and health.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define WPTUI_INTERNAL
#include "tui.h"

enum { H_NAME, H_PID, H_UP, H_STATE, H_WORKERS, H_TIMEOUT, H_STOP,
       H_REFRESH, H_HEALTH, H_COUNT };


/* Lower is kept longer. */
static const int prio[H_COUNT] = {
	[H_STATE] = 0, [H_HEALTH] = 1, [H_NAME] = 2, [H_UP] = 3,
	[H_WORKERS] = 4, [H_TIMEOUT] = 5, [H_STOP] = 6, [H_PID] = 7,
	[H_REFRESH] = 8,
};

struct hitem {
	char lng[48], shrt[32];
	enum tui_style st;
};

static void
ms_text(char *buf, size_t n, uint64_t ms)
{
	if (ms == 0)
		snprintf(buf, n, "none");
	else
		tui_fmt_dur(buf, n, (int64_t)ms * 1000000);
}

static void
build(const struct tui_view *v, struct hitem it[H_COUNT])
{
	const struct tui_snap *s = v->snap;
	char a[24];

	memset(it, 0, sizeof(struct hitem) * H_COUNT);
	for (int i = 0; i < H_COUNT; i++)
		it[i].st = TUI_S_HEAD;
	snprintf(it[H_NAME].lng, 48, "wpool %s", wp_version());
	snprintf(it[H_NAME].shrt, 32, "wpool");
	snprintf(it[H_PID].lng, 48, "pid %d", s->pid);
	snprintf(it[H_PID].shrt, 32, "pid %d", s->pid);
	if (!s->have_pool) {
		snprintf(it[H_STATE].lng, 48, "NO POOL");
		snprintf(it[H_STATE].shrt, 32, "NO POOL");
		it[H_STATE].st = TUI_S_WARN;
		return;
	}
	if (s->have_live && s->live.uptime_ns > 0) {
		tui_fmt_dur(a, sizeof(a), s->live.uptime_ns / 1000000000 *
						  1000000000);
		snprintf(it[H_UP].lng, 48, "up %s", a);
		snprintf(it[H_UP].shrt, 32, "up %s", a);
	}
	snprintf(it[H_STATE].lng, 48, "%s", tui_state_label(s->state));
	snprintf(it[H_STATE].shrt, 32, "%s", tui_state_label(s->state));
	switch (s->state) {
	case WP_STATE_PAUSED:
	case WP_STATE_DRAINING:
	case WP_STATE_STOPPING:
		it[H_STATE].st = TUI_S_WARN;
		break;
	case WP_STATE_FORCED:
		it[H_STATE].st = TUI_S_FAIL;
		break;
	default:
		break;
	}
	snprintf(it[H_WORKERS].lng, 48, "workers %" PRIu64, s->workers_opt);
	snprintf(it[H_WORKERS].shrt, 32, "w%" PRIu64, s->workers_opt);
	ms_text(a, sizeof(a), s->task_timeout_ms);
	snprintf(it[H_TIMEOUT].lng, 48, "task-timeout %s", a);
	snprintf(it[H_TIMEOUT].shrt, 32, "t/o %s", a);
	ms_text(a, sizeof(a), s->stop_timeout_ms);
	snprintf(it[H_STOP].lng, 48, "stop-bound %s", a);
	snprintf(it[H_STOP].shrt, 32, "stop %s", a);
	tui_fmt_dur(a, sizeof(a), (int64_t)v->refresh_ms * 1000000);
	snprintf(it[H_REFRESH].lng, 48, "refresh %s", a);
	snprintf(it[H_REFRESH].shrt, 32, "r %s", a);

	if (!s->have_health) {
		snprintf(it[H_HEALTH].lng, 48, "HEALTH pending");
		snprintf(it[H_HEALTH].shrt, 32, "H:?");
	} else if (s->health.healthy) {
		snprintf(it[H_HEALTH].lng, 48, "HEALTH ok%s",
			 s->health_frozen ? " (frozen)" : "");
		snprintf(it[H_HEALTH].shrt, 32, "H:ok%s",
			 s->health_frozen ? "*" : "");
	} else {
		snprintf(it[H_HEALTH].lng, 48, "HEALTH %u FAILING%s",
			 s->health.nfailing,
			 s->health_frozen ? " (frozen)" : "");
		snprintf(it[H_HEALTH].shrt, 32, "H:%uFAIL%s",
			 s->health.nfailing, s->health_frozen ? "*" : "");
		it[H_HEALTH].st = TUI_S_FAIL;
	}
}

/* 0: dropped, 1: short form, 2: long form. */
static int
total(const struct hitem *it, const int *form)
{
	int n = 2;

	for (int i = 0; i < H_COUNT; i++) {
		const char *t = form[i] == 2 ? it[i].lng : it[i].shrt;
		if (form[i] == 0 || t[0] == '\0')
			continue;
		n += (int)strlen(t) + 2;
	}
	return n - 2;
}

uint64_t
tui_header_sig(const struct tui_view *v)
{
	struct hitem it[H_COUNT];

	build(v, it);
	return tui_hash(TUI_HASH_INIT, it, sizeof(it));
}

void
tui_header_draw(WINDOW *w, const struct tui_view *v)
{
	struct hitem it[H_COUNT];
	int form[H_COUNT];
	int width = getmaxx(w), x = 1;

	build(v, it);
	for (int i = 0; i < H_COUNT; i++)
		form[i] = 2;
	/* Too wide: the least important items take their short form
	 * first, then go, until the line fits. */
	for (int step = 2; step > 0 && total(it, form) > width; step--)
		for (int p = H_COUNT - 1; p >= 0 && total(it, form) > width;
		     p--)
			for (int i = 0; i < H_COUNT; i++)
				if (prio[i] == p && form[i] == step &&
				    (step == 2 || p > 0))
					form[i] = step - 1;
	wbkgdset(w, ' ' | tui_attr(TUI_S_HEAD));
	werase(w);
	for (int i = 0; i < H_COUNT; i++) {
		const char *t = form[i] == 2 ? it[i].lng : it[i].shrt;
		if (form[i] == 0 || t[0] == '\0')
			continue;
		if (i == H_HEALTH) {
			/* Health sits at the right edge when there is room. */
			int len = (int)strlen(t);
			if (width - 1 - len > x)
				x = width - 1 - len;
		}
		x += tui_put(w, 0, x, width - x, it[i].st, t);
		x += 2;
	}
}
