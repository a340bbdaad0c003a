/*
 * tui.h - the live operator console: an ncurses dashboard over one pool
 * with a GNU readline command pane speaking the language of commands/.
 *
 * The first part is what a program needs to open the console (src/main.c,
 * examples/console-embed.c).  The rest, behind WPTUI_INTERNAL, is the
 * internal header of tui/: a program that embeds the console does not get
 * curses' macros (timeout(), clear(), refresh() ...) in its namespace.
 */
#ifndef WPTUI_H
#define WPTUI_H

#include <stdbool.h>

struct cmd_session;
struct cmd_session_opts;
struct cmd_sink;

struct tui_options {
	unsigned refresh_ms; /* 0: 1000; floor TUI_REFRESH_MIN_MS */
	bool ascii;          /* ASCII glyphs even in a UTF-8 locale */
	bool no_color;       /* also when NO_COLOR is set and not empty */
	const char *script;  /* optional file of command lines to run */
	bool step;           /* script: each line waits at the prompt for Enter */
	int pause_ms;        /* script without step: pause between lines so the
				screen can be watched; < 0: default (1500) */
	bool test_mode;      /* ASCII, no colour, frame counter (also env
				WPOOL_TEST=1): a fixed screen for tests */
	const char *history; /* history file; NULL: XDG state dir */
};

/* Runs the console on the calling thread until the operator quits, the
 * terminal hangs up or a termination signal arrives; returns the exit code
 * (cmd_session_exit_code(), or 128 + signal).  Needs stdin and stdout to be
 * a terminal; returns 1 with a message on stderr otherwise.  The session is
 * borrowed: the caller frees it afterwards.  o may be NULL (defaults). */
int tui_run(struct cmd_session *s, const struct tui_options *o);

/* Fills *sink with the console's sink; pass it to cmd_session_new() for a
 * session that tui_run() will show.  Its callbacks may run on any thread
 * at any time: before tui_run() they queue (shown when it starts), during
 * it they wake the UI thread, after it replies print to stdout and errors
 * to stderr.  The sink refers to static state: one console per process. */
void tui_sink(struct cmd_sink *sink);
/* Sets what the console needs in a session's options (async commands, the
 * console's own command names for completion); call after
 * cmd_session_opts_init(). */
void tui_session_opts(struct cmd_session_opts *o);

#ifdef WPTUI_INTERNAL
struct cmd_script;
#include <curses.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "wpool.h"

#define TUI_REFRESH_DEFAULT_MS 1000
#define TUI_REFRESH_MIN_MS 250
#define TUI_REFRESH_MAX_MS 60000
#define TUI_STOP_TICK_MS 100 /* redraw period while a stop is watched */
#define TUI_GATHER_GAP_MS 50 /* least time between two reads of the pool */
#define TUI_MIN_COLS 40      /* below: "too small", prompt still works */
#define TUI_MIN_LINES 11

#define TUI_WORKERS_MAX 128   /* worker rows kept per snapshot */
#define TUI_SPARK_MAX 96      /* throughput samples kept */
#define TUI_ALIVE_MAX 48      /* thread names listed in the stop view */
#define TUI_LINE_MAX 200      /* one line of the event pane */

/* ------------------------------------------------------------------------
 * fmt.c: text formatting shared by every pane; no curses, no pool calls.
 * Each writes at most n bytes (NUL included) and returns buf.
 */
char *tui_fmt_dur(char *buf, size_t n, int64_t ns);   /* 950us 12ms 1.2s 3m12s */
char *tui_fmt_ms(char *buf, size_t n, double ms);     /* 0.3ms 12.5ms 1.20s */
char *tui_fmt_count(char *buf, size_t n, uint64_t v); /* 999 12.3k 1.21M */
char *tui_fmt_bytes(char *buf, size_t n, uint64_t v); /* 512B 12.3K 4.5M */
char *tui_fmt_clock(char *buf, size_t n, int64_t wall_ms); /* HH:MM:SS */
/* Wall-clock ms of a CLOCK_MONOTONIC instant, given one (mono, wall) pair. */
int64_t tui_mono_to_wall(int64_t at_ns, int64_t now_ns, int64_t now_wall_ms);
/* Parses "250ms", "1s", "1.5s", "2m", a bare number (ms); -1 if invalid. */
int64_t tui_parse_ms(const char *s);
/* Upper-case label of a pool state: RUNNING, PAUSED, ... */
const char *tui_state_label(enum wp_pool_state st);
/* Display columns of a UTF-8 string (wcwidth; control characters 2). */
int tui_text_width(const char *s, size_t len);
/* FNV-1a, to tell whether a pane's inputs changed since it was drawn. */
uint64_t tui_hash(uint64_t h, const void *p, size_t n);
#define TUI_HASH_INIT 14695981039346656037ull

/* ------------------------------------------------------------------------
 * draw.c: glyphs, styles (colour or attributes, plus a text cue in every
 * caller), clipped text, rules, bars, gauges and sparklines.  UI thread.
 */
enum tui_style {
	TUI_S_NORMAL,
	TUI_S_DIM,
	TUI_S_TITLE,
	TUI_S_HEAD,   /* the header bar */
	TUI_S_OK,
	TUI_S_WARN,
	TUI_S_FAIL,   /* failing, fired, forced: reverse + bold without colour */
	TUI_S_INFO,
	TUI_S_FROZEN, /* a panel whose publisher stopped */
	TUI_S_ERRBAR, /* the key bar turned into an error line */
	TUI_S_CMD,    /* an operator command in the event pane */
	TUI_S_COUNT,
};

struct tui_look {
	bool utf8;
	bool color;
	bool test_mode;
};
extern struct tui_look tui_look; /* set once by tui_draw_init; UI thread */

/* After the screen exists: picks glyphs and colour pairs. */
void tui_draw_init(bool utf8, bool color, bool test_mode);
attr_t tui_attr(enum tui_style st);
/* Text clipped to maxw columns at (y, x); returns columns written. */
int tui_put(WINDOW *w, int y, int x, int maxw, enum tui_style st,
	    const char *s);
int tui_putf(WINDOW *w, int y, int x, int maxw, enum tui_style st,
	     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A title rule across the window's row y: "-- TITLE ------ right --". */
void tui_rule(WINDOW *w, int y, enum tui_style st, const char *title,
	      enum tui_style rst, const char *right);
void tui_vline(WINDOW *w, int x, int y0, int h);
/* [####------] of width cells (brackets included); frac clamped to [0,1]. */
void tui_bar(WINDOW *w, int y, int x, int width, double frac,
	     enum tui_style st);
/* Sparkline of the last width values of v[0..n) scaled to their max. */
void tui_spark(WINDOW *w, int y, int x, int width, const double *v,
	       unsigned n);

/* ------------------------------------------------------------------------
 * snap.c: the console's view of one pool, gathered on the UI thread from
 * the pool's thread-safe API.  Panes draw only from these values.
 */
struct tui_phase {
	char name[24];
	double ms; /* since the stop began; -1: not reached */
	bool already;
};

struct tui_stop_view {
	bool seen;    /* a stop or drain has begun on this pool */
	bool done;    /* wp_pool_last_stop() has the report */
	bool drain;
	int64_t begin_ns;
	int64_t begin_wall_ms;
	uint64_t bound_ms;
	unsigned nphases;
	struct tui_phase phase[WP_PHASE_COUNT];
	char progress[WP_EVENT_TEXT_MAX]; /* the last STOP_PROGRESS text */
	unsigned nalive;                  /* threads alive (names below) */
	char alive[TUI_ALIVE_MAX][WP_NAME_MAX + 12];
	/* The verdict, once done. */
	bool forced;
	double total_ms;
	uint64_t cancelled_queued, cancelled_running;
};

struct tui_snap {
	int64_t now_ns;  /* CLOCK_MONOTONIC when gathered */
	int64_t wall_ms; /* CLOCK_REALTIME at the same moment */
	int pid;
	bool have_pool;
	enum wp_pool_state state;
	bool accepting;
	uint64_t workers_opt, task_timeout_ms, stop_timeout_ms;
	uint64_t monitor_ms, health_ms;
	struct wp_signal_state sig[WP_SIG_COUNT];

	bool have_live;         /* a fresh wp_pool_metrics(): threads alive */
	struct wp_metrics live;
	bool have_pub;          /* what the monitor published */
	struct wp_metrics pub;
	bool pub_frozen;        /* the monitor stopped: pub never changes */
	int64_t pub_frozen_ns;  /* since when (CLOCK_MONOTONIC) */
	bool have_health;
	struct wp_health health;
	bool health_frozen;
	int64_t health_frozen_ns;

	size_t nworkers, workers_total;
	struct wp_worker_info workers[TUI_WORKERS_MAX];

	unsigned nspark; /* throughput per published snapshot, oldest first */
	double spark[TUI_SPARK_MAX];

	struct tui_stop_view stop;
};

enum tui_log_kind {
	TUI_LOG_EVENT, /* from wp_pool_events() */
	TUI_LOG_CMD,   /* the operator's command line */
	TUI_LOG_OUT,   /* command output */
	TUI_LOG_ERR,   /* command error */
	TUI_LOG_INFO,  /* the console's own messages */
};

struct tui_logline {
	int64_t wall_ms;
	enum tui_log_kind kind;
	int ev; /* enum wp_event_type, or -1 */
	char text[TUI_LINE_MAX];
};

/* A bounded ring of lines: the event pane and the help pane. */
struct tui_log {
	struct tui_logline *v;
	unsigned cap, head, n; /* head: index of the oldest line */
	unsigned scroll;       /* lines up from the newest (0: follow) */
	uint64_t gen;          /* bumped on every change */
};

/* Per-pool gathering state that persists between snapshots. */
struct tui_gather {
	uint64_t ev_after;   /* last event seq read */
	uint64_t ev_lost;
	int64_t last_pub_ns; /* at_ns of the last published metrics seen */
	unsigned nspark;
	double spark[TUI_SPARK_MAX];
	struct tui_stop_view stop;
	char last_drain[WP_EVENT_TEXT_MAX]; /* the last drain event logged */
};

int tui_log_init(struct tui_log *l, unsigned cap);
void tui_log_free(struct tui_log *l);
void tui_log_clear(struct tui_log *l);
/* Adds text, one line per '\n'-separated piece; tabs become spaces. */
void tui_log_add(struct tui_log *l, enum tui_log_kind kind, int ev,
		 int64_t wall_ms, const char *text);
/* The i-th line, 0 the oldest; NULL past the end. */
const struct tui_logline *tui_log_at(const struct tui_log *l, unsigned i);
void tui_log_scroll(struct tui_log *l, int delta, unsigned page);

void tui_gather_reset(struct tui_gather *g);
/* Fills *s from pool (NULL: no pool) and appends new events to log. */
void tui_gather(struct tui_gather *g, wp_pool *pool, struct tui_snap *s,
		struct tui_log *log);

/* ------------------------------------------------------------------------
 * layout.c: where each pane goes for a terminal size.  Panes collapse in a
 * fixed order as the terminal shrinks: events, then the workers column,
 * then health detail, then metrics detail, then the thread line.
 */
enum tui_pane {
	TUI_P_HEADER,
	TUI_P_LAYERS,
	TUI_P_WORKERS,
	TUI_P_STOP,
	TUI_P_METRICS,
	TUI_P_HEALTH,
	TUI_P_EVENTS,
	TUI_P_SMALL, /* "terminal too small" */
	TUI_P_BAR,
	TUI_P_PROMPT,
	TUI_P_COUNT,
};

struct tui_rect {
	int y, x, h, w; /* h == 0: not shown */
};

struct tui_layout {
	int cols, lines;
	bool too_small;
	bool split; /* two columns in the middle */
	struct tui_rect r[TUI_P_COUNT];
};

struct tui_layout_want {
	bool stop;       /* the stop view is shown */
	unsigned health; /* failing checks to list */
	unsigned workers; /* worker rows wanted */
};

void tui_layout_compute(struct tui_layout *l, int cols, int lines,
			const struct tui_layout_want *want);
const char *tui_pane_name(enum tui_pane p);

/* ------------------------------------------------------------------------
 * The panes (pane-*.c).  Each draws one rectangle from a tui_view and has
 * a signature of the inputs it depends on: a pane is redrawn only when its
 * signature or its rectangle changed.
 */
struct tui_view {
	const struct tui_snap *snap;
	const struct tui_log *log;
	unsigned refresh_ms;
	unsigned long frame;
	/* The key bar: the first non-empty of these wins. */
	const char *confirm; /* a question waiting for y/N */
	const char *error;   /* the last failed command */
	const char *busy;    /* what the session is busy with */
	const char *progress;
	const char *hint;    /* a transient console message */
};

struct tui_pane_ops {
	uint64_t (*sig)(const struct tui_view *v);
	void (*draw)(WINDOW *w, const struct tui_view *v);
};
extern const struct tui_pane_ops tui_pane_ops[TUI_P_COUNT];

/* pane-header.c */
uint64_t tui_header_sig(const struct tui_view *v);
void tui_header_draw(WINDOW *w, const struct tui_view *v);
/* pane-layers.c */
uint64_t tui_layers_sig(const struct tui_view *v);
void tui_layers_draw(WINDOW *w, const struct tui_view *v);
/* pane-workers.c */
uint64_t tui_workers_sig(const struct tui_view *v);
void tui_workers_draw(WINDOW *w, const struct tui_view *v);
/* pane-metrics.c: queues and counters */
uint64_t tui_metrics_sig(const struct tui_view *v);
void tui_metrics_draw(WINDOW *w, const struct tui_view *v);
/* pane-health.c */
uint64_t tui_health_sig(const struct tui_view *v);
void tui_health_draw(WINDOW *w, const struct tui_view *v);
unsigned tui_health_failing(const struct tui_snap *s);
/* pane-events.c: the event pane and the help pane share the log drawer */
uint64_t tui_events_sig(const struct tui_view *v);
void tui_events_draw(WINDOW *w, const struct tui_view *v);
void tui_log_draw(WINDOW *w, const struct tui_log *l, const char *title);
/* pane-stop.c */
uint64_t tui_stop_sig(const struct tui_view *v);
void tui_stop_draw(WINDOW *w, const struct tui_view *v);
/* pane-bar.c: key bar, error line, confirmation; and "too small" */
uint64_t tui_bar_sig(const struct tui_view *v);
void tui_bar_draw(WINDOW *w, const struct tui_view *v);
uint64_t tui_small_sig(const struct tui_view *v);
void tui_small_draw(WINDOW *w, const struct tui_view *v);

/* ------------------------------------------------------------------------
 * term.c: the terminal is always restored.  Signals become bytes on a
 * self-pipe; fault signals restore the tty and re-raise.
 */
int tui_term_init(void);  /* self-pipe + handlers; before newterm() */
void tui_term_fini(void); /* handlers back to what they were */
int tui_term_sigfd(void); /* read end: one byte per signal number */
void tui_term_saved(void); /* call once curses is up: saves its tty mode */
/* Bracketed paste on or off (writes straight to the terminal). */
void tui_term_paste(bool on);
/* Ctrl-Z: leave curses, stop ourselves, come back and repaint. */
void tui_term_suspend(void);
/* endwin() if curses is active; safe to call more than once. */
void tui_term_restore(void);

/* ------------------------------------------------------------------------
 * The console.  One instance per process (tui.c); every field belongs to
 * the UI thread unless its comment says otherwise.
 */
struct tui {
	struct cmd_session *s;
	struct tui_options opt;
	unsigned refresh_ms;
	pthread_t ui_tid; /* immutable while running */

	wp_pool *pool; /* the pool shown; switched in sink.c's protocol */
	struct tui_gather g;
	struct tui_snap snap;
	struct tui_log log;   /* the event pane */
	struct tui_log help;  /* the help pane (F1, `help`) */
	struct tui_log popup; /* completion matches */
	bool help_on, popup_on;

	/* The screen (screen.c). */
	SCREEN *scr;
	struct tui_layout lay;
	WINDOW *win[TUI_P_COUNT];
	WINDOW *overlay;
	uint64_t sig[TUI_P_COUNT];
	bool force; /* redraw every pane on the next frame */
	unsigned long frame;

	/* The key bar. */
	char error[TUI_LINE_MAX];
	char busy_what[64];
	bool busy;
	char progress[TUI_LINE_MAX];
	char hint[TUI_LINE_MAX];
	char confirm[TUI_LINE_MAX]; /* non-empty: y/N owns the keyboard */
	bool err_seen; /* a CMD_ERR line arrived since the last command */

	/* Lifecycle. */
	bool quitting; /* quit confirmed: waiting for the session's stop */
	bool done;
	int signo;   /* the termination signal that ended us, or 0 */
	bool hangup; /* the terminal went away */
	bool gather_now;
	int64_t last_gather_ns, next_gather_ns;

	struct cmd_script *script; /* --script: lines still to run */
	bool step_waiting; /* --step: a script line waits at the prompt */
	int64_t script_next_ns; /* --script: when the next line may run */
};

/* sink.c: the only code other threads run.  Messages queue under a lock
 * and wake the UI thread through an eventfd (a pipe where there is none). */
int tui_sink_start(struct tui *t);   /* UI thread: from now on, wake it */
void tui_sink_stop(struct tui *t);   /* back to printing on stderr */
int tui_sink_fd(void);               /* poll for POLLIN */
void tui_sink_drain(struct tui *t);  /* handle what queued; UI thread */
/* The pool to read, applying a pending switch; pair with pool_leave. */
wp_pool *tui_pool_enter(struct tui *t);
void tui_pool_leave(struct tui *t);
/* While capturing, CMD_OUT/CMD_ERR lines emitted on the UI thread go to
 * the help pane instead (cmd_help()). */
void tui_sink_capture(bool on);

/* screen.c: windows for the layout, frames, overlays. */
void tui_screen_frame(struct tui *t); /* draws what changed */
void tui_screen_resize(struct tui *t);
void tui_screen_free(struct tui *t);
void tui_screen_touch(struct tui *t); /* force a full repaint */

/* line.c: what happens to an entered line. */
void tui_line_run(struct tui *t, const char *line);
void tui_line_quit(struct tui *t); /* Ctrl-D, quit, exit */
void tui_line_help(struct tui *t, const char *topic);
void tui_line_answer(struct tui *t, bool yes);
int64_t tui_mono_ns(void); /* tui.c: CLOCK_MONOTONIC */
void tui_line_script(struct tui *t); /* feeds the next script line */
int tui_script_pause_ms(const struct tui *t);

/* ------------------------------------------------------------------------
 * input.c: readline in callback mode inside curses (tui-anchors.md 1.3).
 */
enum tui_action {
	TUI_ACT_NONE,
	TUI_ACT_REDRAW,  /* Ctrl-L */
	TUI_ACT_SUSPEND, /* Ctrl-Z */
	TUI_ACT_HELP,    /* F1 */
	TUI_ACT_PGUP,
	TUI_ACT_PGDN,
	TUI_ACT_RESIZE,
	TUI_ACT_INTR,    /* Ctrl-C */
	TUI_ACT_ESC,     /* Esc with an overlay open */
	TUI_ACT_YES,     /* y in a confirmation */
	TUI_ACT_NO,
};
/* Before newterm(): readline's setup.  history: NULL for the XDG path. */
int tui_input_init(struct tui *t, const char *history);
void tui_input_fini(void);
/* Drains the terminal: routes keys, feeds readline.  false on hang-up. */
bool tui_input_read(struct tui *t);
void tui_input_clear_line(void);
bool tui_input_empty(void);
void tui_input_prefill(const char *line);
void tui_input_add_history(const char *line);

/* prompt.c: the prompt line (readline's redisplay). */
void tui_input_redisplay(void);
void tui_input_set_window(WINDOW *prompt);
WINDOW *tui_prompt_win(void);

/* tui.c: what input.c hands back, on the UI thread. */
void tui_on_action(struct tui *t, enum tui_action a);

#endif /* WPTUI_INTERNAL */

#endif /* WPTUI_H */
