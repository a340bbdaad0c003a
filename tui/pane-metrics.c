/*
 * pane-metrics.c - queues and counters, as the monitor last published
 * them:
 *
 *   tasks   [######----]    4/8   hwm 8  old 1.2s
 *   results [----------]    0/8   hwm 2
 *   errors  [----------]    0/4   hwm 1
 *   submit 1234  reject 0     inflt 16
 *   done   1200  failed 12    t/o   3
 *   cancel 0     panic  1     sum   ok
 *   p50 10ms  p90 40ms  p99 1.2s  max 3.4s
 *   tput 12.0/s ▁▂▃▅▆▇▆▅▃▂▁
 *   rss 12.3M  heap 3.1M  threads 14
 *
 * Everything here comes from wp_pool_metrics_published(): when the
 * operator stops the monitor the title turns into a FROZEN banner that
 * says since when, and the numbers go dim.  That is the lesson this panel
 * exists to teach.  Lines are dropped from the bottom when rows are short.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define WPTUI_INTERNAL
#include "tui.h"

static void
gauge(WINDOW *w, int y, int x, int width, const char *label, unsigned len,
      unsigned cap, unsigned hwm, int64_t oldest_ns, enum tui_style dim)
{
	double f = cap > 0 ? (double)len / cap : 0;
	enum tui_style st = f >= 0.9 ? TUI_S_FAIL : f >= 0.7 ? TUI_S_WARN
							       : TUI_S_OK;
	char rest[64], t[16];
	int barw, n;

	n = snprintf(rest, sizeof(rest), " %3u/%-3u hwm %-3u", len, cap, hwm);
	if (oldest_ns > 0 && n > 0 && (size_t)n < sizeof(rest))
		n += snprintf(rest + n, sizeof(rest) - (size_t)n, " old %s",
			      tui_fmt_dur(t, sizeof(t), oldest_ns));
	/* The same bar width on every gauge line: room for the longest
	 * text after it ("  8/8   hwm 8   old 1.2s"). */
	barw = width - 8 - 27;
	if (barw > 24)
		barw = 24;
	if (barw < 6)
		barw = 6;
	x += tui_putf(w, y, x, 8, dim, "%-8s", label);
	if (dim != TUI_S_NORMAL)
		st = dim;
	tui_bar(w, y, x, barw, f, st);
	tui_put(w, y, x + barw, -1, dim, rest);
}

struct kv {
	const char *lng, *shrt;
	char val[24];
	enum tui_style st;
};

static void
counters(WINDOW *w, int y0, int x0, int width, int rows,
	 const struct wp_metrics *m, enum tui_style dim)
{
	static const char *const lab[9][2] = {
		{"submitted", "submit"}, {"rejected", "reject"},
		{"in flight", "inflt"},  {"completed", "done"},
		{"failed", "failed"},    {"timed out", "t/o"},
		{"cancelled", "cancel"}, {"panics", "panic"},
		{"conserved", "sum"},
	};
	struct kv c[9];
	uint64_t v[8] = {m->submitted, m->rejected, m->in_flight,
			 m->completed, m->failed,   m->timed_out,
			 m->cancelled, m->panics + m->crashes};
	bool ok = m->submitted == m->rejected + m->accepted &&
		  m->accepted == m->completed + m->failed + m->timed_out +
					 m->cancelled + m->in_flight;
	int per = 3, cw = width / per;
	bool lng = cw >= 18;

	for (int i = 0; i < 9; i++) {
		c[i].lng = lab[i][0];
		c[i].shrt = lab[i][1];
	}
	for (int i = 0; i < 8; i++) {
		tui_fmt_count(c[i].val, sizeof(c[i].val), v[i]);
		c[i].st = dim;
	}
	if (dim == TUI_S_NORMAL) {
		if (m->rejected > 0)
			c[1].st = TUI_S_WARN;
		if (m->failed > 0)
			c[4].st = TUI_S_WARN;
		if (m->timed_out > 0)
			c[5].st = TUI_S_WARN;
		if (v[7] > 0)
			c[7].st = TUI_S_WARN;
	}
	snprintf(c[8].val, sizeof(c[8].val), "%s", ok ? "ok" : "BROKEN");
	c[8].st = ok ? (dim == TUI_S_NORMAL ? TUI_S_OK : dim) : TUI_S_FAIL;
	for (int i = 0; i < 9; i++) {
		int r = i / per, x = x0 + (i % per) * cw;
		const char *name = lng ? c[i].lng : c[i].shrt;
		if (r >= rows)
			break;
		x += tui_putf(w, y0 + r, x, cw, dim, "%-*s ", lng ? 9 : 6, name);
		tui_put(w, y0 + r, x, cw - (lng ? 10 : 7), c[i].st, c[i].val);
	}
}

static void
latency(WINDOW *w, int y, int x, const struct wp_metrics *m,
	enum tui_style dim, bool wide)
{
	char a[16], b[16], c[16], d[16], e[16];

	if (m->proc_count == 0) {
		tui_put(w, y, x, -1, TUI_S_DIM, "latency: no finished task yet");
		return;
	}
	tui_fmt_dur(a, sizeof(a), m->proc_p50_ns);
	tui_fmt_dur(b, sizeof(b), m->proc_p90_ns);
	tui_fmt_dur(c, sizeof(c), m->proc_p99_ns);
	tui_fmt_dur(d, sizeof(d), m->proc_max_ns);
	tui_fmt_dur(e, sizeof(e), m->proc_avg_ns);
	if (wide)
		tui_putf(w, y, x, -1, dim,
			 "p50 %s  p90 %s  p99 %s  max %s  avg %s", a, b, c, d,
			 e);
	else
		tui_putf(w, y, x, -1, dim, "p50 %s p90 %s p99 %s max %s", a, b,
			 c, d);
}

static void
memory(WINDOW *w, int y, int x, const struct wp_metrics *m,
       enum tui_style dim, bool wide)
{
	char a[16], b[16], c[16], d[16];

	tui_fmt_bytes(a, sizeof(a), m->proc_rss_bytes);
	tui_fmt_bytes(b, sizeof(b), m->proc_heap_inuse_bytes);
	tui_fmt_bytes(c, sizeof(c), m->proc_heap_free_bytes);
	tui_fmt_bytes(d, sizeof(d), m->proc_vm_bytes);
	if (wide)
		tui_putf(w, y, x, -1, dim,
			 "rss %s  heap %s (free %s)  vm %s  threads %u", a, b,
			 c, d, m->proc_threads);
	else
		tui_putf(w, y, x, -1, dim, "rss %s heap %s threads %u", a, b,
			 m->proc_threads);
}

static void
title(WINDOW *w, const struct tui_snap *s)
{
	char t[96], r[64], when[16], ago[16];
	const char *why;

	if (!s->pub_frozen) {
		r[0] = '\0';
		if (s->have_pub) {
			tui_fmt_clock(when, sizeof(when),
				      tui_mono_to_wall(s->pub.at_ns, s->now_ns,
						       s->wall_ms));
			snprintf(r, sizeof(r), "monitor %s", when);
		}
		tui_rule(w, 0, TUI_S_TITLE, "QUEUES & COUNTERS", TUI_S_DIM, r);
		return;
	}
	tui_fmt_clock(when, sizeof(when),
		      tui_mono_to_wall(s->pub_frozen_ns, s->now_ns, s->wall_ms));
	tui_fmt_dur(ago, sizeof(ago),
		    (s->now_ns - s->pub_frozen_ns) / 1000000000 * 1000000000);
	why = s->sig[WP_SIG_STOP_MONITOR].fired ? "monitor stopped"
						: "monitor gone";
	if (getmaxx(w) >= 64) {
		snprintf(t, sizeof(t), "METRICS FROZEN since %s (%s ago)", when,
			 ago);
		tui_rule(w, 0, TUI_S_FROZEN, t, TUI_S_FROZEN, why);
	} else {
		snprintf(t, sizeof(t), "FROZEN: %s %s (%s)", why, when, ago);
		tui_rule(w, 0, TUI_S_FROZEN, t, TUI_S_FROZEN, NULL);
	}
}

uint64_t
tui_metrics_sig(const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	uint64_t h = TUI_HASH_INIT;
	int64_t sec = s->pub_frozen ? (s->now_ns - s->pub_frozen_ns) /
					      1000000000
				    : 0;

	h = tui_hash(h, &s->have_pub, sizeof(s->have_pub));
	h = tui_hash(h, &s->pub, sizeof(s->pub));
	h = tui_hash(h, &s->pub_frozen, sizeof(s->pub_frozen));
	h = tui_hash(h, &s->pub_frozen_ns, sizeof(s->pub_frozen_ns));
	h = tui_hash(h, &sec, sizeof(sec));
	h = tui_hash(h, &s->nspark, sizeof(s->nspark));
	return tui_hash(h, s->spark, sizeof(s->spark[0]) * s->nspark);
}

void
tui_metrics_draw(WINDOW *w, const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	const struct wp_metrics *m = &s->pub;
	int height = getmaxy(w), width = getmaxx(w), x = 1, y = 1, rows;
	enum tui_style dim = s->pub_frozen ? TUI_S_DIM : TUI_S_NORMAL;
	bool wide;
	char t[24];

	werase(w);
	if (getbegx(w) > 0) {
		x = 2; /* column 0 separates us from the left pane */
		tui_vline(w, 0, 1, height - 1);
	}
	width -= x;
	wide = width >= 56;
	title(w, s);
	if (!s->have_pool)
		return;
	if (!s->have_pub) {
		char iv[16];
		tui_fmt_dur(iv, sizeof(iv), (int64_t)s->monitor_ms * 1000000);
		tui_putf(w, 1, x, width, TUI_S_DIM,
			 "waiting for the monitor (every %s)", iv);
		return;
	}
	rows = height - 1;
	if (y <= rows)
		gauge(w, y++, x, width, "tasks", m->task_queued, m->task_cap,
		      m->task_hwm, m->oldest_queued_ns, dim);
	if (y <= rows)
		gauge(w, y++, x, width, "results", m->result_queued,
		      m->result_cap, m->result_hwm, 0, dim);
	if (y <= rows)
		gauge(w, y++, x, width, "errors", m->error_queued,
		      m->error_cap, m->error_hwm, 0, dim);
	if (y <= rows) {
		int n = rows - y + 1 < 3 ? rows - y + 1 : 3;
		counters(w, y, x, width, n, m, dim);
		y += n;
	}
	if (y <= rows)
		latency(w, y++, x, m, dim, wide);
	if (y <= rows) {
		snprintf(t, sizeof(t), "tput %.1f/s ", m->throughput);
		int k = tui_put(w, y, x, -1, dim, t);
		if (wide) {
			char avg[24];
			snprintf(avg, sizeof(avg), " avg %.1f/s",
				 m->throughput_avg);
			tui_put(w, y, x + width - (int)strlen(avg), -1, dim,
				avg);
			tui_spark(w, y, x + k, width - k - (int)strlen(avg) - 1,
				  s->spark, s->nspark);
		} else {
			tui_spark(w, y, x + k, width - k, s->spark, s->nspark);
		}
		y++;
	}
	if (y <= rows)
		memory(w, y++, x, m, dim, wide);
}
