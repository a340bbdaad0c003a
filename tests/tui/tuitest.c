/*
 * tuitest.c - the pane tests' shared screen, fixture and readers.
 */
#include "tuitest.h"

static SCREEN *scr;
static FILE *out, *in;
struct tui_snap snap;
struct tui_log log_;

int
tt_setup(void **state)
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

int
tt_teardown(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	tui_log_free(&log_);
	return 0;
}

void
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

struct tui_view
view(void)
{
	struct tui_view v = {.snap = &snap, .log = &log_, .refresh_ms = 1000,
			     .frame = 7};
	return v;
}

WINDOW *
render(enum tui_pane p, int h, int w, int x, const struct tui_view *v)
{
	WINDOW *win = newwin(h, w, 0, x);

	assert_non_null(win);
	tui_pane_ops[p].draw(win, v);
	return win;
}

const char *
row(WINDOW *w, int y)
{
	static char buf[512];
	int n = mvwinnstr(w, y, 0, buf, (int)sizeof(buf) - 1);

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return buf;
}

const char *
text(WINDOW *w)
{
	static char all[8192];
	size_t o = 0;

	all[0] = '\0';
	for (int y = 0; y < getmaxy(w); y++)
		o += (size_t)snprintf(all + o, sizeof(all) - o, "%s\n", row(w, y));
	return all;
}

