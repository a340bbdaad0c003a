/*
 * pane-health.c - every failing check, as the health checker last
 * published it:
 *
 *   -- HEALTH 2 FAILING ------------------------- checked 12:03:05 --
 *   [FAIL] backlog     41 > 20        since 12:03:01 (4s)
 *   [FAIL] error-rate  12.5% > 10.0%  since 12:02:50 (15s)
 *
 * When everything passes the pane is its title line.  When the health
 * checker is stopped the title becomes a FROZEN banner, like the metrics
 * panel's.
 */
#include <stdio.h>
#include <string.h>

#define WPTUI_INTERNAL
#include "tui.h"

unsigned
tui_health_failing(const struct tui_snap *s)
{
	unsigned n = 0;

	if (!s->have_health)
		return 0;
	for (int i = 0; i < WP_HEALTH_CHECKS; i++)
		n += s->health.items[i].failing;
	return n;
}

static void
value_text(char *buf, size_t n, const struct wp_health_item *it)
{
	char a[16], b[16];

	switch (it->check) {
	case WP_CHECK_HEAP:
		tui_fmt_bytes(a, sizeof(a), (uint64_t)it->value);
		tui_fmt_bytes(b, sizeof(b), (uint64_t)it->threshold);
		snprintf(buf, n, "%s > %s", a, b);
		break;
	case WP_CHECK_ERROR_RATE:
		snprintf(buf, n, "%.1f%% > %.1f%%", it->value, it->threshold);
		break;
	case WP_CHECK_ORPHANS:
		snprintf(buf, n, "%.0f >= %.0f", it->value, it->threshold);
		break;
	case WP_CHECK_WORKERS:
		snprintf(buf, n, "%.0f < %.0f", it->value, it->threshold);
		break;
	default:
		snprintf(buf, n, "%.0f > %.0f", it->value, it->threshold);
		break;
	}
}

static void
item(WINDOW *w, int y, const struct tui_snap *s,
     const struct wp_health_item *it, enum tui_style dim)
{
	int width = getmaxx(w), x = 1;
	char val[48], when[16], ago[16];

	value_text(val, sizeof(val), it);
	x += tui_put(w, y, x, -1, dim == TUI_S_NORMAL ? TUI_S_FAIL : dim,
		     "[FAIL]");
	x += tui_putf(w, y, x + 1, -1, dim, "%-11s %-16s",
		      wp_health_check_name(it->check), val) + 1;
	if (it->since_ns > 0) {
		tui_fmt_clock(when, sizeof(when),
			      tui_mono_to_wall(it->since_ns, s->now_ns,
					       s->wall_ms));
		tui_fmt_dur(ago, sizeof(ago),
			    (s->health.at_ns - it->since_ns) / 1000000000 *
				    1000000000);
		x += tui_putf(w, y, x + 1, -1, dim, "since %s (%s)", when, ago) +
		     1;
	}
	if (it->text[0] != '\0' && width - x > 20)
		tui_putf(w, y, x + 2, width - x - 3, TUI_S_DIM, "%s", it->text);
}

uint64_t
tui_health_sig(const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	uint64_t h = TUI_HASH_INIT;
	int64_t sec = s->health_frozen
			      ? (s->now_ns - s->health_frozen_ns) / 1000000000
			      : 0;

	h = tui_hash(h, &s->have_health, sizeof(s->have_health));
	h = tui_hash(h, &s->health, sizeof(s->health));
	h = tui_hash(h, &s->health_frozen, sizeof(s->health_frozen));
	h = tui_hash(h, &s->have_pool, sizeof(s->have_pool));
	return tui_hash(h, &sec, sizeof(sec));
}

void
tui_health_draw(WINDOW *w, const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	int rows = getmaxy(w) - 1, y = 1;
	unsigned nfail = tui_health_failing(s), shown = 0;
	enum tui_style dim = s->health_frozen ? TUI_S_DIM : TUI_S_NORMAL;
	char t[96], r[48], when[16], ago[16];

	werase(w);
	r[0] = '\0';
	if (!s->have_pool || !s->have_health) {
		tui_rule(w, 0, TUI_S_TITLE,
			 s->have_pool ? "HEALTH waiting for the checker"
				      : "HEALTH",
			 TUI_S_DIM, "");
		return;
	}
	tui_fmt_clock(when, sizeof(when),
		      tui_mono_to_wall(s->health.at_ns, s->now_ns, s->wall_ms));
	if (s->health_frozen) {
		tui_fmt_clock(when, sizeof(when),
			      tui_mono_to_wall(s->health_frozen_ns, s->now_ns,
					       s->wall_ms));
		tui_fmt_dur(ago, sizeof(ago),
			    (s->now_ns - s->health_frozen_ns) / 1000000000 *
				    1000000000);
		snprintf(t, sizeof(t), "HEALTH FROZEN since %s (%s ago): %s",
			 when, ago, nfail ? "was FAILING" : "was ok");
		tui_rule(w, 0, TUI_S_FROZEN, t, TUI_S_FROZEN,
			 s->sig[WP_SIG_STOP_HEALTH].fired ? "checker stopped"
							  : "checker gone");
	} else if (nfail == 0) {
		snprintf(t, sizeof(t), "HEALTH ok: %d checks pass",
			 WP_HEALTH_CHECKS);
		snprintf(r, sizeof(r), "checked %s", when);
		tui_rule(w, 0, TUI_S_OK, t, TUI_S_DIM, r);
	} else {
		snprintf(t, sizeof(t), "HEALTH %u FAILING", nfail);
		snprintf(r, sizeof(r), "checked %s", when);
		tui_rule(w, 0, TUI_S_FAIL, t, TUI_S_DIM, r);
	}
	for (int i = 0; i < WP_HEALTH_CHECKS && y <= rows; i++) {
		const struct wp_health_item *it = &s->health.items[i];
		if (!it->failing)
			continue;
		if (y == rows && nfail - shown > 1) {
			tui_putf(w, y, 1, -1, TUI_S_DIM, "+%u more failing",
				 nfail - shown);
			break;
		}
		item(w, y++, s, it, dim);
		shown++;
	}
}
