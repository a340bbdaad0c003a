/*
 * cmd.h - the command language of wpool: one table, one executor.
 *
 * The console's readline pane (tui/) and the headless program (src/) both
 * hand lines to cmd_session_exec().  A line is split into commands
 * (tokenize.c), each looked up in cmd_table[] (cmd.c), its arguments
 * checked against the entry's spec (arguments.c), then run.  Commands
 * never write to a terminal: they write through a struct cmd_sink that the
 * caller renders.  Long commands (stop, drain, wait, sleep, quit ...) run on
 * a session-owned runner thread in async mode (runner.c) and inline
 * otherwise.
 *
 * This is the one internal header of commands/: the first part is the
 * contract the console and src/main.c rely on; the rest is grouped by the
 * file that defines it.
 *
 * Lock order inside a session (take in this order, never the reverse):
 *   pool_rw -> runner.mu -> session.mu -> jobs_mu -> results_mu
 * The sink is never called with any of them held.
 */
#ifndef CMD_H
#define CMD_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wpool.h"

/* ========================================================================
 * The contract (tui/ and src/ use this part only).
 */
struct cmd_session;
struct cmd_ctx;
struct cmd_script;

enum cmd_msg {
	CMD_OUT,      /* a reply line */
	CMD_ERR,      /* an error line (the first one is the one to show) */
	CMD_PROGRESS, /* progress of a long command (status bar) */
	CMD_EVENT,    /* a pool event, formatted (text or one JSON line) */
};

/* Where a session's output goes.  Every member may be called from ANY
 * thread (executor, runner, jobs, pool callbacks), never with a session
 * lock held; the sink serialises as it needs.  Optional members may be
 * NULL.  The sink must outlive the session. */
struct cmd_sink {
	void *udata;
	/* One line, no trailing newline; a JSON reply arrives as one line. */
	void (*line)(void *udata, enum cmd_msg kind, const char *text);
	/* A long command started (busy true) or ended (false). */
	void (*busy)(void *udata, bool busy, const char *what);
	/* The session's pool changes: called with NULL before the old pool
	 * is destroyed, then with the new pool once it runs. */
	void (*pool_changed)(void *udata, wp_pool *pool);
	/* The monitor or health checker published a snapshot (any thread;
	 * keep it short).  Optional. */
	void (*published)(void *udata);
};

struct cmd_session_opts {
	struct wp_config cfg; /* callbacks set here are chained after ours */
	bool json;      /* replies and events as one JSON object per line */
	bool async;     /* long commands on the runner thread (console) */
	bool demo;      /* start the demo load (S: priority 1-5 tasks) */
	bool no_start;  /* create the pool but leave it for `start` */
	unsigned results_cap; /* recent results kept; 0: 256 */
	/* Extra command names offered by cmd_complete() (the console's own
	 * commands: refresh, clear); NULL-terminated, borrowed. */
	const char *const *extra_commands;
};
/* Fills defaults: wp_config_init(), no json, sync, no demo. */
void cmd_session_opts_init(struct cmd_session_opts *o);

/* Creates the session and its pool (started unless o->no_start).  Caller
 * owns *out; the session copies o and *sink. */
int cmd_session_new(const struct cmd_session_opts *o,
		    const struct cmd_sink *sink, struct cmd_session **out);
/* Ends jobs and the runner, stops the pool gracefully (the ordered stop),
 * releases hung demo tasks and frees everything.  NULL is a no-op. */
void cmd_session_free(struct cmd_session *s);
/* The final stop without freeing: what cmd_session_free() does first.
 * Returns cmd_session_exit_code() afterwards.  Idempotent; blocks for at
 * most the stop bound. */
int cmd_session_finish(struct cmd_session *s);
/* Runs one line (commands separated by ';').  0 ok (or handed to the
 * runner), 1 failed (the error already went to the sink).  Never blocks
 * long in async mode.  line is borrowed. */
int cmd_session_exec(struct cmd_session *s, const char *line);
/* A long command is running or queued on the runner. */
bool cmd_session_busy(const struct cmd_session *s);
/* Asks running long commands (wait, sleep, submit) to stop early.  Only an
 * atomic store: safe from a signal handler. */
void cmd_session_interrupt(struct cmd_session *s);
/* `quit` ran (and, in async mode, its stop has finished). */
bool cmd_session_quit_requested(const struct cmd_session *s);
/* The current pool (changes after `start`).  Borrowed. */
wp_pool *cmd_session_pool(struct cmd_session *s);
/* 0 all ok; 1 a command failed or an expect did not hold; 3 the last stop
 * hit its bound and was forced (1 wins over 3). */
int cmd_session_exit_code(const struct cmd_session *s);
#define CMD_EXIT_OK 0
#define CMD_EXIT_FAILED 1
#define CMD_EXIT_USAGE 2
#define CMD_EXIT_FORCED 3

/* Readline completion of the word line[start, end): a NULL-terminated
 * malloc'd array of malloc'd strings, readline's rl_completion_matches()
 * shape (element 0 is the common prefix, the matches follow; a single
 * match comes alone), or NULL.  Caller (readline) frees it all. */
char **cmd_complete(struct cmd_session *s, const char *line, int start,
		    int end);
/* Help through the sink as CMD_OUT lines: the command list, or one
 * command's usage, flags and text.  command NULL: all. */
void cmd_help(struct cmd_session *s, const char *command);
/* Adds a task kind for `submit NAME [ARGS]`.  fn gets arg = a malloc'd copy
 * of the ARGS text (NULL if none) that the task owns and must free().  name:
 * [a-z0-9_-], 1..WP_KIND_MAX-1 bytes; help is copied.  0, WP_EINVAL,
 * WP_EALREADY (name taken), WP_ENOMEM. */
int cmd_kind_register(struct cmd_session *s, const char *name, wp_task_fn fn,
		      const char *help);

/* Panes: copies of the most recent results (oldest first) and of the
 * background jobs.  Return how many were copied. */
size_t cmd_session_results(struct cmd_session *s, struct wp_result *buf,
			   size_t n);
struct cmd_job_info {
	unsigned id;
	char spec[96];      /* "sleep 100ms x50 @20/s" */
	uint64_t submitted; /* accepted by the pool */
	uint64_t rejected;
	uint64_t limit;     /* 0: until killed */
	double rate;        /* per second; 0: as fast as the pool takes */
	int64_t started_ns; /* CLOCK_MONOTONIC */
};
size_t cmd_session_jobs(struct cmd_session *s, struct cmd_job_info *buf,
			size_t n);

/* Scripts: a file or a -c text, one command line at a time (blank lines
 * and '#' comments skipped).  The console runs one line per step when its
 * session is not busy; cmd_script_run() is the headless loop. */
/* 0, or WP_ENOENT / WP_ESYS (errno kept) / WP_ENOMEM.  Caller owns *out. */
int cmd_script_open(const char *path, struct cmd_script **out);
int cmd_script_from_string(const char *name, const char *text,
			   struct cmd_script **out);
/* The next line, or NULL at the end.  Borrowed until the next call. */
const char *cmd_script_next(struct cmd_script *sc);
/* Line number of the line cmd_script_next() returned last. */
unsigned cmd_script_lineno(const struct cmd_script *sc);
const char *cmd_script_name(const struct cmd_script *sc);
void cmd_script_free(struct cmd_script *sc);
/* Runs every line through cmd_session_exec(), waiting while busy, until
 * the end, `quit`, an interrupt, or (stop_on_error) the first failure.
 * trace: each line is first sent as a CMD_OUT line "+ LINE".  Returns
 * the number of failed lines. */
unsigned cmd_script_run(struct cmd_session *s, struct cmd_script *sc,
			bool trace, bool stop_on_error);

/* ========================================================================
 * The table.  One command, one file: commands/cmd-NAME.c exports one
 * struct cmd_entry.
 */
#define CMD_LINE_MAX 4096 /* bytes of one line, without the newline */
#define CMD_WORDS_MAX 64  /* words of one command */
#define CMD_FLAGS_MAX 8   /* flags of one entry */

enum cmd_retval {
	CMD_RETURN_NORMAL = 0,
	CMD_RETURN_ERROR = 1,
};

/* Types of flag values; parsed and range-checked before the command runs. */
enum cmd_arg_type {
	CMD_ARG_BOOL,     /* --flag */
	CMD_ARG_STRING,   /* --flag TEXT */
	CMD_ARG_COUNT,    /* --flag N */
	CMD_ARG_DURATION, /* --flag 250ms|2s|1m|off */
	CMD_ARG_PRIORITY, /* --flag 0..9 */
	CMD_ARG_RATE,     /* --flag 20/s|5/m|20 */
};

struct cmd_flag_spec {
	const char *name; /* without the dashes */
	enum cmd_arg_type type;
	const char *help;
};

enum cmd_complete_type {
	CMD_COMP_NONE,
	CMD_COMP_WORDS,   /* the space-separated words */
	CMD_COMP_COMMAND, /* command names */
	CMD_COMP_KIND,    /* task kinds */
	CMD_COMP_OPTION,  /* setting names */
	CMD_COMP_METRIC,  /* names expect knows */
	CMD_COMP_JOB,     /* job ids */
	CMD_COMP_OP,      /* expect's operators */
};
struct cmd_complete_spec {
	enum cmd_complete_type type;
	const char *words; /* CMD_COMP_WORDS */
};

/* Entry flags. */
#define CMD_LONG 0x1     /* may wait: runs on the runner in async mode */
#define CMD_PREEMPT 0x2  /* interrupts a running long command first */
#define CMD_IDLE 0x4     /* refused while a long command runs */

struct cmd_entry {
	const char *name;
	const char *alias[3]; /* NULL-terminated */
	const char *group;    /* "work", "settings", "layers", ... */
	const char *usage;    /* arguments, after the name */
	const char *summary;  /* one line */
	const char *help;     /* more lines ('\n'), or NULL */
	const char *example;  /* one example line, or NULL */
	struct {
		int lower, upper; /* positional words; -1: no upper bound */
		struct cmd_flag_spec flags[CMD_FLAGS_MAX]; /* name NULL ends */
	} args;
	struct cmd_complete_spec complete[3]; /* per positional word */
	int flags;
	/* Optional: checks positionals before anything runs (synchronously,
	 * even in async mode) and may keep state in ctx->data. */
	enum cmd_retval (*prepare)(struct cmd_ctx *c);
	enum cmd_retval (*exec)(struct cmd_ctx *c);
};

/* NULL-terminated; the order is the order of `help`. */
extern const struct cmd_entry *const cmd_table[];
/* Looks a name or alias up; NULL if unknown. */
const struct cmd_entry *cmd_find(const char *name);

/* ========================================================================
 * Internals, by file.
 */

/* ---- json.c: a JSON text builder (replies and events on one line). */
struct cmd_json {
	char *buf;
	size_t len, cap;
	bool oom;
	int depth;
	bool first[16]; /* per depth: no member written yet */
};
/* open_object true: starts with '{' at depth 1; false: a bare member list
 * that follows existing members (a reply's fields). */
void cmd_json_init(struct cmd_json *j, bool open_object);
void cmd_json_free(struct cmd_json *j);
/* Returns the text (owned by j), "" after an allocation failure. */
const char *cmd_json_text(struct cmd_json *j);
/* key NULL inside arrays. */
void cmd_json_obj_open(struct cmd_json *j, const char *key);
void cmd_json_obj_close(struct cmd_json *j);
void cmd_json_arr_open(struct cmd_json *j, const char *key);
void cmd_json_arr_close(struct cmd_json *j);
void cmd_json_str(struct cmd_json *j, const char *key, const char *val);
void cmd_json_u64(struct cmd_json *j, const char *key, uint64_t v);
void cmd_json_i64(struct cmd_json *j, const char *key, int64_t v);
void cmd_json_dbl(struct cmd_json *j, const char *key, double v);
void cmd_json_bool(struct cmd_json *j, const char *key, bool v);
void cmd_json_null(struct cmd_json *j, const char *key);
/* Appends s as a JSON string literal to a plain buffer (escapes, invalid
 * UTF-8 as U+FFFD). */
void cmd_json_quote(struct cmd_json *j, const char *s);
/* Appends text as is (already JSON). */
void cmd_json_raw(struct cmd_json *j, const char *text);

/* ---- tokenize.c: lines into commands into words. */
struct cmd_words {
	int argc;
	char **argv;  /* malloc'd words */
	bool ignore;  /* the command was written "-name": failures ignored */
};
struct cmd_list {
	int n;
	struct cmd_words *cmds;
};
/* Splits a line: words by blanks, quotes '...' and "..." (with \\ \" \$
 * escapes), commands by unquoted ';', a '#' starting a word ends the
 * line.  0, or -1 with a message in err (size errlen). */
int cmd_tokenize(const char *line, struct cmd_list *out, char *err,
		 size_t errlen);
void cmd_list_free(struct cmd_list *l);
/* Checks a raw line: length and control bytes.  0 or -1 with err. */
int cmd_check_line(const char *line, size_t len, char *err, size_t errlen);
/* Quotes a word for an error message: printable, at most ~40 bytes. */
const char *cmd_quote(const char *word, char *buf, size_t len);

/* ---- units.c: numbers, durations, sizes, rates.  0 or -1 with err. */
int cmd_parse_u64(const char *s, uint64_t max, uint64_t *out, char *err,
		  size_t errlen);
/* "250ms", "2s", "1m", "1h", "1.5s", "1m30s", "0"; allow_off: "off". */
int cmd_parse_duration(const char *s, bool allow_off, uint64_t *ms,
		       char *err, size_t errlen);
/* "200MB", "512KB", "1GB", "4096", "1.5GB" (K/M/G are powers of 1024). */
int cmd_parse_size(const char *s, uint64_t *bytes, char *err, size_t errlen);
/* "20/s", "5/m", "20" (per second). */
int cmd_parse_rate(const char *s, double *per_s, char *err, size_t errlen);
/* "on|off|true|false|yes|no|1|0". */
int cmd_parse_bool(const char *s, bool *out, char *err, size_t errlen);
/* "10%", "12.5%" or a bare permille "100". */
int cmd_parse_permille(const char *s, uint64_t *out, char *err,
		       size_t errlen);
#define CMD_DURATION_MAX_MS (30ull * 24 * 3600 * 1000)
/* The same for a duration kept in microseconds ("250us", "1ms", "off"). */
int cmd_parse_duration_us(const char *s, uint64_t *us, char *err,
			  size_t errlen);
#define CMD_RATE_MAX 100000.0
/* Formatting into buf; returns buf. */
char *cmd_fmt_ms(uint64_t ms, char *buf, size_t len);      /* "2s" */
char *cmd_fmt_ns(int64_t ns, char *buf, size_t len);       /* "1.25ms" */
char *cmd_fmt_bytes(uint64_t b, char *buf, size_t len);    /* "200MB" */
/* An option's value in its unit ("250ms", "off", "on", "10.0%"). */
char *cmd_fmt_option(const struct wp_option_info *oi, uint64_t v, char *buf,
		     size_t len);
/* Parses VALUE for an option by its unit. */
int cmd_parse_option(const struct wp_option_info *oi, const char *s,
		     uint64_t *out, char *err, size_t errlen);

/* ---- arguments.c: flags and positionals against an entry's spec. */
struct cmd_flag_value {
	bool set;
	const char *str; /* the word as typed (borrowed from the words) */
	uint64_t u;      /* COUNT, DURATION (ms), PRIORITY */
	double d;        /* RATE (per second) */
};
struct cmd_args {
	int argc;
	const char **argv; /* positionals, borrowed from the words */
	struct cmd_flag_value flags[CMD_FLAGS_MAX];
	bool json; /* --json (every command) */
	bool help; /* --help (every command) */
};
/* 0, or -1 with a usage message in err. */
int cmd_args_parse(const struct cmd_entry *e, const struct cmd_words *w,
		   struct cmd_args *out, char *err, size_t errlen);
void cmd_args_free(struct cmd_args *a);
bool cmd_args_has(const struct cmd_ctx *c, const char *flag);
uint64_t cmd_args_u64(const struct cmd_ctx *c, const char *flag,
		      uint64_t dflt);
double cmd_args_dbl(const struct cmd_ctx *c, const char *flag, double dflt);
const char *cmd_args_str(const struct cmd_ctx *c, const char *flag);

/* ---- suggest.c: "did you mean" over a word list. */
/* Writes "; did you mean 'x'?" or "; did you mean 'x' or 'y'?" into buf
 * (empty if nothing is close); returns buf. */
char *cmd_suggest(const char *typed, const char *const *cands, size_t n,
		  char *buf, size_t len);
unsigned cmd_distance(const char *a, const char *b);

/* ---- output.c: what commands write.  Text goes to the sink at once in
 * text mode and into the reply in JSON mode. */
struct cmd_ctx {
	struct cmd_session *s;
	const struct cmd_entry *entry;
	const char *name;       /* as typed (name or alias) */
	struct cmd_words *words;
	struct cmd_args args;
	bool json;
	bool ignore;            /* "-name": a failure is reported, not counted */
	struct cmd_json reply;  /* JSON mode: the reply's fields */
	char **text;            /* JSON mode: text lines */
	size_t ntext;
	char *error;            /* the one error */
	bool usage;             /* the error is a usage error */
	bool is_long;           /* prepare() may set: runs on the runner */
	void *data;             /* prepare() -> exec(); freed with free() */
	void (*data_free)(void *);
};
void cmd_print(struct cmd_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cmd_progress(struct cmd_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Records the error (the first one wins); returns CMD_RETURN_ERROR. */
enum cmd_retval cmd_error(struct cmd_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, and the reply shows the usage. */
enum cmd_retval cmd_usage(struct cmd_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "<what>: <wp_strerror> (WP_ENAME)", with the pool state for WP_ESTATE. */
enum cmd_retval cmd_error_wp(struct cmd_ctx *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The reply's field builder (JSON mode; harmless in text mode). */
struct cmd_json *cmd_reply(struct cmd_ctx *c);
/* Sends the finished reply (or error) to the sink. */
void cmd_finish(struct cmd_ctx *c, enum cmd_retval rv);
/* A line straight to the sink, outside any command. */
void cmd_sink_line(struct cmd_session *s, enum cmd_msg kind,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cmd_sink_busy(struct cmd_session *s, bool busy, const char *what);
void cmd_ctx_free(struct cmd_ctx *c);

/* ---- cmd.c: lookup, parse and execute. */
/* Parses one command's words into a ctx (usage errors go into ctx). */
int cmd_ctx_parse(struct cmd_session *s, struct cmd_words *w,
		  struct cmd_ctx *c);
/* Runs a parsed ctx to its end (reply sent); returns its retval. */
enum cmd_retval cmd_ctx_run(struct cmd_ctx *c);
/* Names and aliases, for suggestions and completion. */
size_t cmd_names(const char **buf, size_t n);
/* An error about a whole line (not one command): one CMD_ERR line (a JSON
 * reply in JSON mode); counts as a failure. */
void cmd_line_error(struct cmd_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- session.c: the session object. */
struct cmd_kind {
	struct cmd_kind *next;
	char name[WP_KIND_MAX];
	char help[96];
	wp_task_fn fn;
	bool builtin;
	/* Built-ins: checks and encodes ARGS into the task's arg. */
	int (*prepare)(struct cmd_ctx *c, const char *const *argv, int argc,
		       void **arg_out);
	/* Built-ins: per-task options (mix picks the priority). */
	void (*task_opts)(struct cmd_session *s, void *arg,
			  struct wp_task_opts *o, void **arg_out);
	const char *usage; /* "sleep D" */
};

struct cmd_stop_copy; /* a deep copy of a wp_stop_report */

/* What the pool's callbacks get as udata.  A thread a forced stop left
 * behind may still call back after wp_pool_destroy() returns, so the
 * callbacks reach the session only through this guard: the session is
 * detached (s = NULL) and waited out (inflight) before it is freed, and a
 * guard that such a thread may still hold is never freed. */
struct cmd_guard {
	struct cmd_guard *next;           /* the kept guards */
	_Atomic(struct cmd_session *) s;
	_Atomic unsigned inflight;
};
/* The session for a callback, or NULL (then do nothing); pair with
 * cmd_guard_leave() when not NULL. */
struct cmd_session *cmd_guard_enter(void *udata);
void cmd_guard_leave(void *udata);

struct cmd_runner {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	pthread_t thread;
	bool started;    /* mu */
	bool exit;       /* mu */
	struct cmd_batch *current; /* mu: running */
	struct cmd_batch *pending; /* mu: FIFO waiting for current */
	unsigned npending;         /* mu */
	/* A preempting command (stop, drain, quit) runs at once on its own
	 * thread while current is still ending; the rest of its line then
	 * queues. */
	struct cmd_batch *preempting; /* mu */
	pthread_t helper;
	bool helper_started;          /* mu: joined by the next helper or
					 by shutdown */
	bool idle_running;            /* mu: a CMD_IDLE command (start)
					 runs: no helper may start */
};

struct cmd_session {
	struct cmd_session_opts opts; /* immutable */
	struct cmd_sink sink;         /* immutable */
	int64_t born_ns;              /* immutable */

	/* Held shared by every running command but `start`, and exclusive
	 * by cmd_session_restart() while it swaps and destroys the pool, so
	 * no command ever uses a destroyed pool. */
	pthread_rwlock_t pool_rw;
	pthread_mutex_t mu;
	wp_pool *pool;               /* mu (and pool_rw to replace it) */
	struct wp_config cfg;        /* mu; what the next `start` uses */
	struct cmd_stop_copy *last_stop; /* mu; of a destroyed pool */
	struct cmd_kind *kinds;      /* mu; registered after built-ins */
	bool finished;               /* mu */

	struct cmd_guard *guard; /* immutable; the pool callbacks' udata */
	bool left_behind;        /* mu: a stop of this session was forced */

	_Atomic bool failed;     /* a command failed (exit code 1) */
	_Atomic bool forced;     /* the last stop was forced (exit code 3) */
	_Atomic bool quit;       /* `quit` done */
	_Atomic bool interrupt;  /* long commands stop early */
	_Atomic uint64_t event_seq; /* highest event seq seen on this pool */
	_Atomic uint64_t mix_seq;   /* mix tasks submitted: picks priority */

	pthread_mutex_t jobs_mu;
	struct cmd_job *jobs;  /* jobs_mu */
	unsigned next_job;     /* jobs_mu */

	pthread_mutex_t results_mu;
	struct wp_result *results; /* results_mu; ring */
	size_t results_cap, results_head, results_len; /* results_mu */
	uint64_t results_total;                       /* results_mu */

	struct cmd_runner runner;
};
/* The pool for a command.  Only `start` replaces it, never while busy, and
 * jobs are ended first, so a command may use it until it returns. */
wp_pool *cmd_pool(struct cmd_ctx *c);
/* Keeps the report of pool's last stop (before pool is destroyed) and
 * notes whether it was forced. */
void cmd_session_keep_stop(struct cmd_session *s, wp_pool *pool);
/* The last stop of this session: the pool's, or the kept copy; NULL if
 * none.  Valid while the caller does not run `start`. */
const struct wp_stop_report *cmd_session_last_stop(struct cmd_session *s);
/* Stops pool with the ordered stop (or drain, when drain_ms is not 0
 * or drain is true); records forced.  Returns the wp_pool_stop code. */
int cmd_session_stop(struct cmd_session *s, bool drain, uint64_t drain_ms,
		     const struct wp_stop_report **report);
/* Destroys the current pool (after a stop) and makes and starts a fresh
 * one from s->cfg.  0 or a WP_E code. */
int cmd_session_restart(struct cmd_session *s);
/* Keeps a setting for the next `start`. */
void cmd_session_set_cfg(struct cmd_session *s, enum wp_option opt,
			 uint64_t v);
/* Sleeps up to ms, waking early on interrupt; true if interrupted. */
bool cmd_session_sleep(struct cmd_session *s, uint64_t ms);
bool cmd_interrupted(const struct cmd_session *s);
int64_t cmd_now_ns(void);
/* Starts a named thread with every signal blocked (signals go to the
 * program's main thread).  0 or WP_ESYS. */
int cmd_thread_start(pthread_t *t, const char *name, void *(*fn)(void *),
		     void *arg);

/* ---- events.c: pool events to sink lines. */
void cmd_event_format(struct cmd_session *s, const struct wp_event *ev,
		      bool json, char *buf, size_t len);
void cmd_on_event(void *udata, const struct wp_event *ev);

/* ---- kinds.c: task kinds. */
void cmd_kinds_init(struct cmd_session *s);
void cmd_kinds_free(struct cmd_session *s);
/* Looks a kind up; NULL if unknown (lock held inside). */
const struct cmd_kind *cmd_kind_find(struct cmd_session *s,
				     const char *name);
size_t cmd_kind_names(struct cmd_session *s, const char **buf, size_t n);
/* Bumps the release epoch: every `hang` task running now returns soon. */
void cmd_kinds_release(void);
/* Hang tasks that have not returned yet (process-wide). */
unsigned cmd_kinds_hanging(void);

/* ---- jobs.c: background submission streams (`submit --rate`, demo). */
struct cmd_job_spec {
	const struct cmd_kind *kind;
	void *arg;           /* encoded by the kind (prepare) */
	char *text_arg;      /* registered kinds: the ARGS text, copied */
	struct wp_task_opts opts;
	bool prio_set;
	uint64_t limit;      /* 0: until killed */
	double rate;         /* 0: keep the queue full (blocking submit) */
	char spec[96];
};
/* Starts a job; 0 and *id, or a WP_E code.  Takes spec->text_arg. */
int cmd_job_start(struct cmd_session *s, struct cmd_job_spec *spec,
		  unsigned *id);
/* WP_ENOENT if no such job. */
int cmd_job_kill(struct cmd_session *s, unsigned id);
void cmd_jobs_kill_all(struct cmd_session *s);
/* Submits one task of a kind (used by submit and jobs). */
int cmd_submit_one(struct cmd_session *s, wp_pool *pool,
		   const struct cmd_job_spec *spec, uint64_t wait_ms,
		   uint64_t *id);

/* ---- runner.c: the async runner. */
struct cmd_batch {
	struct cmd_batch *link; /* runner.mu: the pending FIFO */
	bool preempt;           /* starts with stop, drain or quit */
	int n, next;
	struct cmd_ctx *ctx; /* n parsed commands */
	struct cmd_list list;
};
void cmd_runner_init(struct cmd_runner *r);
/* 0 queued; -1 busy (err written). */
int cmd_runner_submit(struct cmd_session *s, struct cmd_batch *b, bool preempt,
		      char *err, size_t errlen);
/* No more batches: drops the pending ones and interrupts the running one,
 * without waiting.  cmd_runner_shutdown() also joins the threads. */
void cmd_runner_close(struct cmd_session *s);
void cmd_runner_shutdown(struct cmd_session *s);
bool cmd_runner_busy(const struct cmd_session *s);
/* Brackets a CMD_IDLE command (start replaces the pool): fails if a
 * preempting command runs beside the runner; while it runs, none starts. */
int cmd_runner_idle_enter(struct cmd_session *s);
void cmd_runner_idle_leave(struct cmd_session *s);
void cmd_batch_free(struct cmd_batch *b);
/* Runs the batch's commands from b->next on the calling thread. */
void cmd_batch_run(struct cmd_session *s, struct cmd_batch *b);

/* ---- metrics.c: the names `metrics` shows and `expect` compares. */
enum cmd_metric_type {
	CMD_M_U64,
	CMD_M_UINT,
	CMD_M_NS,   /* int64 ns, shown as a duration, compared in ms */
	CMD_M_DBL,
	CMD_M_BOOL,
};
struct cmd_metric {
	const char *name;  /* JSON key */
	const char *group;
	enum cmd_metric_type type;
	size_t off;        /* in struct wp_metrics */
};
extern const struct cmd_metric cmd_metrics[];
extern const size_t cmd_metrics_count;
/* Every name expect knows (the metrics, then state, health, ...). */
size_t cmd_expect_names(const char **buf, size_t n);
/* A metric's value as a double (ns as ms) and as text; -1 if unknown. */
int cmd_metric_value(const struct cmd_metric *cm, const struct wp_metrics *m,
		     double *num, char *text, size_t len);
const struct cmd_metric *cmd_metric_find(const char *name);
/* Names equal with '-' and '_' alike. */
bool cmd_metric_name_eq(const char *a, const char *b);

/* ---- options.c: settings through the wp_option table. */
const char *cmd_unit_name(enum wp_unit u);
/* NULL (and a usage error naming close names) if unknown. */
const struct wp_option_info *cmd_option_lookup(struct cmd_ctx *c,
					       const char *name);
enum cmd_retval cmd_option_set(struct cmd_ctx *c,
			       const struct wp_option_info *oi, uint64_t v);
enum cmd_retval cmd_option_parse_set(struct cmd_ctx *c,
				     const struct wp_option_info *oi,
				     const char *value);
enum cmd_retval cmd_option_show(struct cmd_ctx *c,
				const struct wp_option_info *oi);
/* A wp_config field by its option (settings kept for the next start). */

/* ---- signal.c: one layer signal. */
enum cmd_retval cmd_fire(struct cmd_ctx *c, enum wp_signal sig,
			 const char *effect);

/* ---- report.c: stop reports (text lines and reply fields). */
void cmd_report_json(struct cmd_ctx *c, const struct wp_stop_report *r);
void cmd_report_summary(struct cmd_ctx *c, const struct wp_stop_report *r);
void cmd_report_timeline(struct cmd_ctx *c, const struct wp_stop_report *r);
/* Runs the ordered stop (or a drain) with progress; the reply gets the
 * report.  For stop, drain and quit. */
enum cmd_retval cmd_stop_run(struct cmd_ctx *c, bool drain,
			     uint64_t drain_ms);

/* ---- script.c (the rest is in the contract above) */
/* "+ LINE" (or {"trace": LINE}) as a CMD_OUT line: wpool -x. */
void cmd_line_trace(struct cmd_session *s, const char *line);

/* ---- complete.c: cmd_complete(), in the contract above. */

/* ---- help.c */
void cmd_help_one(struct cmd_ctx *c, const struct cmd_entry *e);
void cmd_help_markdown(struct cmd_ctx *c);
/* The `help` command's body (cmd-help.c's entry points at it). */
enum cmd_retval cmd_help_exec(struct cmd_ctx *c);
/* "submit [N] KIND [ARGS] [--timeout D] ..." */
const char *cmd_usage_line(const struct cmd_entry *e, char *buf, size_t len);

/* ---- the entries (cmd-*.c). */
extern const struct cmd_entry cmd_submit_entry;
extern const struct cmd_entry cmd_jobs_entry;
extern const struct cmd_entry cmd_kill_job_entry;
extern const struct cmd_entry cmd_kinds_entry;
extern const struct cmd_entry cmd_timeout_entry;
extern const struct cmd_entry cmd_stop_timeout_entry;
extern const struct cmd_entry cmd_resize_entry;
extern const struct cmd_entry cmd_set_entry;
extern const struct cmd_entry cmd_get_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_cancel_entry;
extern const struct cmd_entry cmd_shutdown_entry;
extern const struct cmd_entry cmd_stop_monitor_entry;
extern const struct cmd_entry cmd_stop_health_entry;
extern const struct cmd_entry cmd_close_entry;
extern const struct cmd_entry cmd_stop_entry;
extern const struct cmd_entry cmd_drain_entry;
extern const struct cmd_entry cmd_pause_entry;
extern const struct cmd_entry cmd_resume_entry;
extern const struct cmd_entry cmd_start_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_metrics_entry;
extern const struct cmd_entry cmd_health_entry;
extern const struct cmd_entry cmd_workers_entry;
extern const struct cmd_entry cmd_events_entry;
extern const struct cmd_entry cmd_timeline_entry;
extern const struct cmd_entry cmd_results_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_wait_entry;
extern const struct cmd_entry cmd_sleep_entry;
extern const struct cmd_entry cmd_expect_entry;
extern const struct cmd_entry cmd_echo_entry;
extern const struct cmd_entry cmd_quit_entry;

#endif /* CMD_H */
