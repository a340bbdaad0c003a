/*
 * snap.c - the console's view of the pool, and its event log.
 *
 * DESIGN: only the UI thread runs this file.  Once per refresh (and on
 * every wake-up) it reads the pool through the public, thread-safe API into
 * a plain struct tui_snap; the panes draw from that copy and never touch
 * the pool.  The metrics and health panels use what the monitor and the
 * health checker *published*, so when an operator stops one of those
 * threads the panel stops changing, and the snapshot says since when.  The
 * layers pane's thread counts and the worker rows are read fresh, because
 * they must stay true while the pool stops.
 *
 * The stop view is assembled here as well: phases from WP_EV_STOP_PHASE
 * events as they arrive, the bounded wait from WP_EV_STOP_PROGRESS and the
 * threads still alive, then the authoritative wp_pool_last_stop() report.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WPTUI_INTERNAL
#include "tui.h"

/* ------------------------------------------------------------------------
 * The log: a ring of lines shared by the event pane and the help pane.
 */
int
tui_log_init(struct tui_log *l, unsigned cap)
{
	memset(l, 0, sizeof(*l));
	l->v = calloc(cap, sizeof(*l->v));
	if (l->v == NULL)
		return -1;
	l->cap = cap;
	return 0;
}

void
tui_log_free(struct tui_log *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
tui_log_clear(struct tui_log *l)
{
	l->head = l->n = l->scroll = 0;
	l->gen++;
}

static void
add_one(struct tui_log *l, enum tui_log_kind kind, int ev, int64_t wall_ms,
	const char *s, size_t len)
{
	struct tui_logline *d;
	size_t i, o = 0;

	if (l->cap == 0)
		return;
	if (l->n < l->cap) {
		d = &l->v[(l->head + l->n) % l->cap];
		l->n++;
	} else {
		d = &l->v[l->head];
		l->head = (l->head + 1) % l->cap;
	}
	d->wall_ms = wall_ms;
	d->kind = kind;
	d->ev = ev;
	for (i = 0; i < len && o + 1 < sizeof(d->text); i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t')
			c = ' ';
		else if (c < 0x20 || c == 0x7f)
			c = '?';
		d->text[o++] = (char)c;
	}
	d->text[o] = '\0';
	/* Someone reading older lines keeps reading the same lines. */
	if (l->scroll > 0 && l->scroll + 1 < l->n)
		l->scroll++;
}

void
tui_log_add(struct tui_log *l, enum tui_log_kind kind, int ev,
	    int64_t wall_ms, const char *text)
{
	const char *p = text;

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (nl == NULL && len == 0 && p != text)
			break; /* a trailing newline ends the text */
		add_one(l, kind, ev, wall_ms, p, len);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	l->gen++;
}

const struct tui_logline *
tui_log_at(const struct tui_log *l, unsigned i)
{
	if (i >= l->n)
		return NULL;
	return &l->v[(l->head + i) % l->cap];
}

void
tui_log_scroll(struct tui_log *l, int delta, unsigned page)
{
	long s = (long)l->scroll + delta;
	long max = l->n > page ? (long)(l->n - page) : 0;

	if (s > max)
		s = max;
	if (s < 0)
		s = 0;
	if ((unsigned)s != l->scroll) {
		l->scroll = (unsigned)s;
		l->gen++;
	}
}

/* ------------------------------------------------------------------------
 * Gathering.
 */
void
tui_gather_reset(struct tui_gather *g)
{
	memset(g, 0, sizeof(*g));
}

static int64_t
clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A WP_EV_STOP_PHASE event: "NAME at 12.3 ms[ (already fired)]", or
 * "stop begins (bound N ms)" which only marks the beginning. */
static void
phase_add(struct tui_stop_view *st, const char *text, double ms)
{
	char name[sizeof(st->phase[0].name)];
	size_t k = 0;
	double at;

	if (strstr(text, " begins") != NULL)
		return;
	while (text[k] != '\0' && text[k] != ' ' && k + 1 < sizeof(name)) {
		name[k] = text[k];
		k++;
	}
	name[k] = '\0';
	if (sscanf(text + k, " at %lf ms", &at) == 1)
		ms = at;
	for (unsigned i = 0; i < st->nphases; i++)
		if (strcmp(st->phase[i].name, name) == 0)
			return;
	if (st->nphases >= WP_PHASE_COUNT)
		return;
	snprintf(st->phase[st->nphases].name, sizeof(name), "%s", name);
	st->phase[st->nphases].ms = ms;
	st->phase[st->nphases].already = strstr(text, "already") != NULL;
	st->nphases++;
}

static void
stop_begin(struct tui_stop_view *st, const struct wp_event *ev, bool drain)
{
	if (st->seen)
		return;
	st->seen = true;
	st->drain = drain;
	st->begin_ns = ev->at_ns;
	st->begin_wall_ms = ev->wall_ms;
}

static void
stop_event(struct tui_stop_view *st, const struct wp_event *ev)
{
	switch (ev->type) {
	case WP_EV_DRAIN:
		stop_begin(st, ev, true);
		snprintf(st->progress, sizeof(st->progress), "%s", ev->text);
		break;
	case WP_EV_STOP_PHASE:
		stop_begin(st, ev, strncmp(ev->text, "drain ", 6) == 0);
		phase_add(st, ev->text, (double)(ev->at_ns - st->begin_ns) / 1e6);
		break;
	case WP_EV_STOP_PROGRESS:
		stop_begin(st, ev, false);
		snprintf(st->progress, sizeof(st->progress), "%s", ev->text);
		break;
	default:
		break;
	}
}

static void
alive_add(struct tui_stop_view *st, const char *name, const char *what)
{
	if (st->nalive >= TUI_ALIVE_MAX)
		return;
	if (what != NULL)
		snprintf(st->alive[st->nalive], sizeof(st->alive[0]), "%s(%s)",
			 name, what);
	else
		snprintf(st->alive[st->nalive], sizeof(st->alive[0]), "%s",
			 name);
	st->nalive++;
}

/* Threads still alive while the stop runs: worker rows and the
 * auxiliary threads' flags. */
static void
alive_live(struct tui_stop_view *st, const struct tui_snap *s)
{
	st->nalive = 0;
	for (size_t i = 0; i < s->nworkers; i++) {
		const struct wp_worker_info *w = &s->workers[i];
		if (w->state == WP_WORKER_EXITED)
			continue;
		alive_add(st, w->name, w->orphan ? "orphan" : NULL);
	}
	if (!s->have_live)
		return;
	/* libwpool's names for its auxiliary threads. */
	if (s->live.watchdog_alive)
		alive_add(st, "wp-watchdog", NULL);
	if (s->live.monitor_alive)
		alive_add(st, "wp-monitor", NULL);
	if (s->live.health_alive)
		alive_add(st, "wp-health", NULL);
	if (s->live.results_alive)
		alive_add(st, "wp-results", NULL);
	if (s->live.errors_alive)
		alive_add(st, "wp-errors", NULL);
}

static void
stop_report(struct tui_stop_view *st, const struct wp_stop_report *r)
{
	st->seen = true;
	st->done = true;
	st->drain = st->drain || r->drained;
	st->begin_ns = r->begin_ns;
	st->begin_wall_ms = r->begin_wall_ms;
	st->bound_ms = r->bound_ms;
	st->forced = r->forced;
	st->total_ms = r->total_ms;
	st->cancelled_queued = r->cancelled_queued;
	st->cancelled_running = r->cancelled_running;
	st->nphases = 0;
	for (int p = 0; p < WP_PHASE_COUNT; p++) {
		struct tui_phase *ph = &st->phase[st->nphases];
		if (r->phase_ms[p] < 0)
			continue;
		snprintf(ph->name, sizeof(ph->name), "%s",
			 wp_stop_phase_name((enum wp_stop_phase)p));
		ph->ms = r->phase_ms[p];
		ph->already = r->phase_already[p];
		st->nphases++;
	}
	st->nalive = 0;
	for (unsigned i = 0; i < r->nthreads && r->threads != NULL; i++)
		if (r->threads[i].exited_ns < 0)
			alive_add(st, r->threads[i].name,
				  wp_thread_class_name(r->threads[i].cls));
}

static void
read_events(struct tui_gather *g, wp_pool *pool, const struct tui_snap *s,
	    struct tui_log *log)
{
	struct wp_event buf[64];
	size_t got;
	uint64_t lost = 0;

	do {
		char line[TUI_LINE_MAX];

		got = 0;
		if (wp_pool_events(pool, g->ev_after, buf, 64, &got, &lost) != 0)
			return;
		if (lost > 0) {
			snprintf(line, sizeof(line),
				 "(%" PRIu64 " events overwritten before the "
				 "console read them)", lost);
			tui_log_add(log, TUI_LOG_INFO, -1, s->wall_ms, line);
			g->ev_lost += lost;
		}
		for (size_t i = 0; i < got; i++) {
			const struct wp_event *ev = &buf[i];
			g->ev_after = ev->seq;
			stop_event(&g->stop, ev);
			/* The console echoes the commands it runs as they
			 * run, before their output; the session's notes of
			 * the same lines would show them twice. */
			if (ev->type == WP_EV_NOTE &&
			    strncmp(ev->text, "op: ", 4) == 0)
				continue;
			/* Progress comes every check interval; the stop
			 * view and the key bar show the latest, the log
			 * only what changed. */
			if (ev->type == WP_EV_STOP_PROGRESS)
				continue;
			if (ev->type == WP_EV_DRAIN) {
				if (strcmp(ev->text, g->last_drain) == 0)
					continue;
				snprintf(g->last_drain, sizeof(g->last_drain),
					 "%s", ev->text);
			}
			snprintf(line, sizeof(line), "%-8s %s",
				 wp_event_type_name(ev->type), ev->text);
			tui_log_add(log, TUI_LOG_EVENT, (int)ev->type,
				    ev->wall_ms, line);
		}
	} while (got == 64);
}

static void
gather_metrics(struct tui_gather *g, wp_pool *pool, struct tui_snap *s)
{
	const struct wp_signal_state *mon = &s->sig[WP_SIG_STOP_MONITOR];
	const struct wp_signal_state *hc = &s->sig[WP_SIG_STOP_HEALTH];
	bool started = s->state != WP_STATE_CREATED;

	s->have_live = wp_pool_metrics(pool, &s->live) == 0;
	s->have_pub = wp_pool_metrics_published(pool, &s->pub) == 0;
	if (s->have_pub && s->pub.at_ns != g->last_pub_ns) {
		g->last_pub_ns = s->pub.at_ns;
		if (g->nspark == TUI_SPARK_MAX) {
			memmove(g->spark, g->spark + 1,
				sizeof(g->spark[0]) * (TUI_SPARK_MAX - 1));
			g->nspark--;
		}
		g->spark[g->nspark++] = s->pub.throughput;
	}
	/* Frozen: the monitor's own stop fired, or its thread is gone. */
	if (mon->fired) {
		s->pub_frozen = true;
		s->pub_frozen_ns = mon->at_ns;
	} else if (started && s->have_live && !s->live.monitor_alive) {
		s->pub_frozen = true;
		s->pub_frozen_ns = s->have_pub ? s->pub.at_ns : s->now_ns;
	}

	s->have_health = wp_pool_health_published(pool, &s->health) == 0;
	if (hc->fired) {
		s->health_frozen = true;
		s->health_frozen_ns = hc->at_ns;
	} else if (started && s->have_live && !s->live.health_alive) {
		s->health_frozen = true;
		s->health_frozen_ns = s->have_health ? s->health.at_ns
						     : s->now_ns;
	}
}

void
tui_gather(struct tui_gather *g, wp_pool *pool, struct tui_snap *s,
	   struct tui_log *log)
{
	const struct wp_stop_report *r;
	uint64_t v;

	memset(s, 0, sizeof(*s));
	s->now_ns = clock_ns(CLOCK_MONOTONIC);
	s->wall_ms = clock_ns(CLOCK_REALTIME) / 1000000;
	s->pid = (int)getpid();
	s->have_pool = pool != NULL;
	if (pool != NULL) {
		s->state = wp_pool_state(pool);
		s->accepting = wp_pool_is_accepting(pool);
		if (wp_pool_get_option(pool, WP_OPT_WORKERS, &v) == 0)
			s->workers_opt = v;
		if (wp_pool_get_option(pool, WP_OPT_TASK_TIMEOUT_MS, &v) == 0)
			s->task_timeout_ms = v;
		if (wp_pool_get_option(pool, WP_OPT_STOP_TIMEOUT_MS, &v) == 0)
			s->stop_timeout_ms = v;
		if (wp_pool_get_option(pool, WP_OPT_MONITOR_INTERVAL_MS, &v) == 0)
			s->monitor_ms = v;
		if (wp_pool_get_option(pool, WP_OPT_HEALTH_INTERVAL_MS, &v) == 0)
			s->health_ms = v;
		wp_pool_signals(pool, s->sig);
		gather_metrics(g, pool, s);
		if (wp_pool_workers(pool, s->workers, TUI_WORKERS_MAX,
				    &s->workers_total) == 0)
			s->nworkers = s->workers_total < TUI_WORKERS_MAX
					      ? s->workers_total
					      : TUI_WORKERS_MAX;
		read_events(g, pool, s, log);

		/* The stop view belongs to the ordered stop (or a drain): its
		 * own events start it.  Signals fired alone also make the pool
		 * stopping or draining, but there is no bound to show then. */
		r = wp_pool_last_stop(pool);
		if (r != NULL) {
			stop_report(&g->stop, r);
		} else if (g->stop.seen) {
			g->stop.bound_ms = s->stop_timeout_ms;
			alive_live(&g->stop, s);
		}
	}
	s->nspark = g->nspark;
	memcpy(s->spark, g->spark, sizeof(s->spark[0]) * g->nspark);
	s->stop = g->stop;
}
