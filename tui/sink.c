/*
 * sink.c - how the command session's threads reach the console.
 *
 * DESIGN: this is the only file of tui/ that runs on threads other than the
 * UI thread.  The session calls the sink from its executor, its runner,
 * its jobs and the pool's callbacks.  None of them may touch curses or
 * readline, so a line becomes a message on a locked list and the UI thread
 * is woken through an eventfd (coalesced by an atomic flag: a burst of
 * messages is one wake-up).  Pool events and published snapshots carry no
 * text the console needs (it reads the pool itself), so they only set a
 * flag and wake.  Progress keeps only its latest text.
 *
 * Pool switch: the session calls pool_changed(NULL) before destroying a
 * pool.  The UI thread reads the pool only between tui_pool_enter() and
 * tui_pool_leave(), with `reading` set; pool_changed() publishes the new
 * pointer and then waits for `reading` to drop.  Both sides use sequential
 * consistency (a Dekker pair), so either the UI sees the new pointer
 * before it reads, or pool_changed() sees it reading and waits: after
 * pool_changed() returns the UI never touches the old pool again.
 *
 * Before tui_run() starts, messages queue; after it returns, reply lines
 * print to stdout and errors to stderr.  State is static: one console per
 * process.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

#define WPTUI_INTERNAL
#include "tui.h"

#define QUEUE_MAX 4096 /* lines kept while nobody reads them */

enum msg_type { M_LINE, M_BUSY };

struct msg {
	struct msg *next;
	enum msg_type type;
	enum cmd_msg kind;
	bool busy;
	char text[];
};

static struct {
	pthread_mutex_t mu;
	struct msg *head, *tail; /* mu */
	unsigned len;            /* mu */
	bool running;            /* mu: tui_run() is between start and stop */
	bool finished;           /* mu: tui_run() has returned */
	int wake_fd;             /* mu: -1 unless running */
	char progress[TUI_LINE_MAX]; /* mu: the latest CMD_PROGRESS */
	bool progress_new;       /* mu */
	atomic_bool wake_pending;
	atomic_bool poke;        /* events or snapshots: gather now */
	_Atomic(wp_pool *) pending;
	atomic_bool pending_set;
	atomic_int reading;
	pthread_t ui_tid;        /* immutable while running */
	atomic_bool on;          /* running, readable without mu */
	atomic_bool capture;     /* set on the UI thread, read anywhere */
	struct tui *t;           /* UI thread only */
} q = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.wake_fd = -1,
};

/* mu held. */
static void
wake(void)
{
	uint64_t one = 1;

	if (q.wake_fd >= 0 && !atomic_exchange(&q.wake_pending, true))
		if (write(q.wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			perror("wpool: console wake-up");
}

static bool
on_ui_thread(void)
{
	return atomic_load(&q.on) && pthread_equal(pthread_self(), q.ui_tid);
}

static void
push(enum msg_type type, enum cmd_msg kind, bool busy, const char *text)
{
	size_t len = text != NULL ? strlen(text) : 0;
	struct msg *m;

	pthread_mutex_lock(&q.mu);
	if (q.finished) {
		pthread_mutex_unlock(&q.mu);
		if (type == M_LINE && kind == CMD_OUT)
			printf("%s\n", text);
		else if (type == M_LINE && kind == CMD_ERR)
			fprintf(stderr, "%s\n", text);
		return;
	}
	if (q.len >= QUEUE_MAX || (m = malloc(sizeof(*m) + len + 1)) == NULL) {
		pthread_mutex_unlock(&q.mu);
		return; /* nobody has read for a long time: drop */
	}
	m->next = NULL;
	m->type = type;
	m->kind = kind;
	m->busy = busy;
	if (len > 0)
		memcpy(m->text, text, len);
	m->text[len] = '\0';
	if (q.tail != NULL)
		q.tail->next = m;
	else
		q.head = m;
	q.tail = m;
	q.len++;
	wake();
	pthread_mutex_unlock(&q.mu);
}

static void
sink_line(void *udata, enum cmd_msg kind, const char *text)
{
	(void)udata;
	if (text == NULL)
		return;
	if (atomic_load(&q.capture) && on_ui_thread() &&
	    (kind == CMD_OUT || kind == CMD_ERR)) {
		tui_log_add(&q.t->help, kind == CMD_OUT ? TUI_LOG_OUT
							: TUI_LOG_ERR,
			    -1, 0, text);
		return;
	}
	switch (kind) {
	case CMD_OUT:
	case CMD_ERR:
		push(M_LINE, kind, false, text);
		break;
	case CMD_PROGRESS:
		pthread_mutex_lock(&q.mu);
		snprintf(q.progress, sizeof(q.progress), "%s", text);
		q.progress_new = true;
		wake();
		pthread_mutex_unlock(&q.mu);
		break;
	case CMD_EVENT:
		/* The console reads wp_pool_events() itself. */
		atomic_store(&q.poke, true);
		pthread_mutex_lock(&q.mu);
		wake();
		pthread_mutex_unlock(&q.mu);
		break;
	}
}

static void
sink_busy(void *udata, bool busy, const char *what)
{
	(void)udata;
	push(M_BUSY, CMD_OUT, busy, what != NULL ? what : "");
}

static void
sink_published(void *udata)
{
	(void)udata;
	atomic_store(&q.poke, true);
	pthread_mutex_lock(&q.mu);
	wake();
	pthread_mutex_unlock(&q.mu);
}

static void
sink_pool_changed(void *udata, wp_pool *pool)
{
	struct timespec ts = {0, 200000};

	(void)udata;
	atomic_store(&q.pending, pool);
	atomic_store(&q.pending_set, true);
	atomic_store(&q.poke, true);
	pthread_mutex_lock(&q.mu);
	wake();
	pthread_mutex_unlock(&q.mu);
	if (on_ui_thread())
		return; /* it is not inside a read now */
	while (atomic_load(&q.reading) != 0)
		nanosleep(&ts, NULL);
}

void
tui_sink(struct cmd_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->line = sink_line;
	sink->busy = sink_busy;
	sink->pool_changed = sink_pool_changed;
	sink->published = sink_published;
}

wp_pool *
tui_pool_enter(struct tui *t)
{
	atomic_store(&q.reading, 1);
	if (atomic_exchange(&q.pending_set, false)) {
		wp_pool *p = atomic_load(&q.pending);
		if (p != t->pool) {
			if (t->pool != NULL || p == NULL)
				tui_log_add(&t->log, TUI_LOG_INFO, -1,
					    t->snap.wall_ms,
					    p != NULL ? "(a new pool)"
						      : "(the pool is gone)");
			t->pool = p;
			tui_gather_reset(&t->g);
		}
	}
	return t->pool;
}

void
tui_pool_leave(struct tui *t)
{
	(void)t;
	atomic_store(&q.reading, 0);
}

void
tui_sink_capture(bool on)
{
	atomic_store(&q.capture, on);
}

int
tui_sink_start(struct tui *t)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0)
		return -1;
	q.t = t;
	q.ui_tid = pthread_self();
	pthread_mutex_lock(&q.mu);
	q.wake_fd = fd;
	q.running = true;
	q.finished = false;
	atomic_store(&q.on, true);
	atomic_store(&q.wake_pending, false);
	wake(); /* whatever queued before we started */
	pthread_mutex_unlock(&q.mu);
	return 0;
}

int
tui_sink_fd(void)
{
	return q.wake_fd;
}

void
tui_sink_drain(struct tui *t)
{
	struct msg *m, *next;
	uint64_t n;

	if (read(q.wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	atomic_store(&q.wake_pending, false);
	pthread_mutex_lock(&q.mu);
	m = q.head;
	q.head = q.tail = NULL;
	q.len = 0;
	if (q.progress_new) {
		snprintf(t->progress, sizeof(t->progress), "%s", q.progress);
		q.progress_new = false;
	}
	pthread_mutex_unlock(&q.mu);
	if (atomic_exchange(&q.poke, false))
		t->gather_now = true;

	for (; m != NULL; m = next) {
		next = m->next;
		if (m->type == M_BUSY) {
			t->busy = m->busy;
			snprintf(t->busy_what, sizeof(t->busy_what), "%s",
				 m->text);
			if (!m->busy)
				t->progress[0] = '\0';
			t->gather_now = true;
		} else if (m->kind == CMD_ERR) {
			tui_log_add(&t->log, TUI_LOG_ERR, -1, t->snap.wall_ms,
				    m->text);
			if (!t->err_seen)
				snprintf(t->error, sizeof(t->error), "%s",
					 m->text);
			t->err_seen = true;
		} else {
			tui_log_add(&t->log, TUI_LOG_OUT, -1, t->snap.wall_ms,
				    m->text);
		}
		free(m);
	}
}

void
tui_sink_stop(struct tui *t)
{
	struct msg *m, *next;

	(void)t;
	pthread_mutex_lock(&q.mu);
	m = q.head;
	q.head = q.tail = NULL;
	q.len = 0;
	q.running = false;
	q.finished = true;
	atomic_store(&q.on, false);
	if (q.wake_fd >= 0)
		close(q.wake_fd);
	q.wake_fd = -1;
	pthread_mutex_unlock(&q.mu);
	atomic_store(&q.capture, false);
	/* The terminal is ours again: what the UI never showed, print. */
	for (; m != NULL; m = next) {
		next = m->next;
		if (m->type == M_LINE && m->kind == CMD_OUT)
			printf("%s\n", m->text);
		else if (m->type == M_LINE && m->kind == CMD_ERR)
			fprintf(stderr, "%s\n", m->text);
		free(m);
	}
	fflush(stdout);
}

void
tui_session_opts(struct cmd_session_opts *o)
{
	static const char *const extra[] = {"refresh", "clear", NULL};

	o->async = true;
	o->extra_commands = extra;
}
