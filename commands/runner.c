/*
 * runner.c - the session's background thread for long commands.
 *
 * DESIGN
 * In async mode (the console) a long command (stop, drain, wait, sleep,
 * quit, a many-task submit) must not freeze the caller's input loop, so
 * cmd_session_exec() hands it, with the commands after it on the same
 * line, to this thread as one batch and returns.  One batch runs at a
 * time.  A new batch while one runs is refused ("busy") unless it starts
 * with a preempting command (stop, drain, quit).  Then the running batch
 * is interrupted (wait, sleep and submit poll the session's interrupt flag
 * and end early) and the preempting command runs at once on a helper
 * thread ("wp-cmd-stop"): it must not wait behind a submit that is blocked
 * in the pool waiting for room, since only the stop's closing of
 * admission wakes that submit.  The stop is safe to run beside it (the
 * pool is thread-safe and nothing replaces the pool while busy); the rest
 * of its line queues behind the interrupted batch.
 *
 * Threads: the runner thread runs batches, the helper runs one preempting
 * command, any thread submits.  current, pending and preempting are
 * protected by runner.mu.  The runner starts on the first batch and is
 * joined by cmd_runner_shutdown(), which also joins the helper, drops
 * pending batches and interrupts the current one.  The interrupt flag is
 * cleared when work is queued on an idle runner and when a preempting
 * batch's remainder starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

void
cmd_runner_init(struct cmd_runner *r)
{
	memset(r, 0, sizeof *r);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cond, NULL);
}

void
cmd_batch_free(struct cmd_batch *b)
{
	int i;

	if (b == NULL)
		return;
	if (b->ctx != NULL) {
		for (i = 0; i < b->n; i++)
			cmd_ctx_free(&b->ctx[i]);
		free(b->ctx);
	}
	cmd_list_free(&b->list);
	free(b);
}

static bool
closing(struct cmd_session *s)
{
	bool exit;

	pthread_mutex_lock(&s->runner.mu);
	exit = s->runner.exit;
	pthread_mutex_unlock(&s->runner.mu);
	return exit;
}

void
cmd_batch_run(struct cmd_session *s, struct cmd_batch *b)
{
	for (; b->next < b->n; b->next++) {
		cmd_ctx_run(&b->ctx[b->next]);
		if (atomic_load(&s->quit) || closing(s))
			break;
		if (cmd_interrupted(s) && b->next + 1 < b->n) {
			cmd_sink_line(s, CMD_PROGRESS,
				      "interrupted: the rest of the line (%d "
				      "command%s) is skipped",
				      b->n - b->next - 1,
				      b->n - b->next - 1 == 1 ? "" : "s");
			break;
		}
	}
}

/* Whether a preempting batch waits in the FIFO.  runner.mu held. */
static bool
preempt_waiting(const struct cmd_runner *r)
{
	const struct cmd_batch *b;

	for (b = r->pending; b != NULL; b = b->link)
		if (b->preempt)
			return true;
	return false;
}

static void *
runner_main(void *arg)
{
	struct cmd_session *s = arg;
	struct cmd_runner *r = &s->runner;
	struct cmd_batch *b;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (!r->exit && r->pending == NULL)
			pthread_cond_wait(&r->cond, &r->mu);
		if (r->exit)
			break;
		r->current = r->pending;
		r->pending = r->current->link;
		r->current->link = NULL;
		r->npending--;
		/* An interrupt that came after the batch was queued stands;
		 * a preempting batch starts clean unless another waits. */
		if (preempt_waiting(r))
			atomic_store(&s->interrupt, true);
		else if (r->current->preempt)
			atomic_store(&s->interrupt, false);
		pthread_mutex_unlock(&r->mu);

		cmd_batch_run(s, r->current);

		pthread_mutex_lock(&r->mu);
		b = r->current;
		r->current = NULL;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->mu);
		cmd_batch_free(b);
		pthread_mutex_lock(&r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Runs a preempting batch's first command now, then queues the rest. */
static void *
helper_main(void *arg)
{
	struct cmd_session *s = arg;
	struct cmd_runner *r = &s->runner;
	struct cmd_batch *b, **tail;

	pthread_mutex_lock(&r->mu);
	b = r->preempting;
	pthread_mutex_unlock(&r->mu);

	cmd_ctx_run(&b->ctx[b->next]);
	b->next++;

	pthread_mutex_lock(&r->mu);
	r->preempting = NULL;
	if (b->next < b->n && !r->exit && !atomic_load(&s->quit)) {
		b->link = NULL;
		for (tail = &r->pending; *tail != NULL; tail = &(*tail)->link)
			;
		*tail = b;
		r->npending++;
		b = NULL;
	}
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
	cmd_batch_free(b);
	return NULL;
}

int
cmd_runner_submit(struct cmd_session *s, struct cmd_batch *b, bool preempt,
		  char *err, size_t errlen)
{
	struct cmd_runner *r = &s->runner;
	const struct cmd_batch *run;
	struct cmd_batch **tail;
	pthread_t old;
	bool busy, join;

	pthread_mutex_lock(&r->mu);
	if (r->exit) {
		pthread_mutex_unlock(&r->mu);
		snprintf(err, errlen, "the session is closing");
		return -1;
	}
	if (!r->started) {
		if (cmd_thread_start(&r->thread, "wp-cmd-runner", runner_main,
				     s) != 0) {
			pthread_mutex_unlock(&r->mu);
			snprintf(err, errlen, "cannot start the runner thread");
			return -1;
		}
		r->started = true;
	}
	busy = r->current != NULL || r->pending != NULL ||
	       r->preempting != NULL;
	b->preempt = preempt;
	b->link = NULL;
	if (!busy) {
		tail = &r->pending;
		*tail = b;
		r->npending++;
		atomic_store(&s->interrupt, false);
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->mu);
		return 0;
	}
	if (!preempt || r->preempting != NULL || r->idle_running ||
	    r->npending >= 4) {
		run = r->preempting ? r->preempting
				    : r->current ? r->current : r->pending;
		snprintf(err, errlen,
			 "busy: '%s' is still running (interrupt it, or use "
			 "stop)",
			 run->ctx[run->next < run->n ? run->next : run->n - 1]
				 .entry->name);
		pthread_mutex_unlock(&r->mu);
		return -1;
	}
	/* The previous helper has finished its command: reap it. */
	join = r->helper_started;
	old = r->helper;
	r->helper_started = false;
	pthread_mutex_unlock(&r->mu);
	if (join)
		pthread_join(old, NULL);

	pthread_mutex_lock(&r->mu);
	if (r->preempting != NULL || r->exit) {
		pthread_mutex_unlock(&r->mu);
		snprintf(err, errlen, "busy: a stop is already running");
		return -1;
	}
	atomic_store(&s->interrupt, true);
	r->preempting = b;
	if (cmd_thread_start(&r->helper, "wp-cmd-stop", helper_main, s) != 0) {
		r->preempting = NULL;
		pthread_mutex_unlock(&r->mu);
		snprintf(err, errlen, "cannot start a thread for the stop");
		return -1;
	}
	r->helper_started = true;
	pthread_mutex_unlock(&r->mu);
	return 0;
}

int
cmd_runner_idle_enter(struct cmd_session *s)
{
	struct cmd_runner *r = &s->runner;
	int rc = 0;

	pthread_mutex_lock(&r->mu);
	if (r->preempting != NULL || r->idle_running)
		rc = -1;
	else
		r->idle_running = true;
	pthread_mutex_unlock(&r->mu);
	return rc;
}

void
cmd_runner_idle_leave(struct cmd_session *s)
{
	struct cmd_runner *r = &s->runner;

	pthread_mutex_lock(&r->mu);
	r->idle_running = false;
	pthread_mutex_unlock(&r->mu);
}

bool
cmd_runner_busy(const struct cmd_session *s)
{
	struct cmd_runner *r = (struct cmd_runner *)&s->runner;
	bool busy;

	pthread_mutex_lock(&r->mu);
	busy = r->current != NULL || r->pending != NULL ||
	       r->preempting != NULL;
	pthread_mutex_unlock(&r->mu);
	return busy;
}

void
cmd_runner_close(struct cmd_session *s)
{
	struct cmd_runner *r = &s->runner;
	struct cmd_batch *pending, *next;

	pthread_mutex_lock(&r->mu);
	r->exit = true;
	pending = r->pending;
	r->pending = NULL;
	r->npending = 0;
	atomic_store(&s->interrupt, true);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
	for (; pending != NULL; pending = next) {
		next = pending->link;
		cmd_batch_free(pending);
	}
}

void
cmd_runner_shutdown(struct cmd_session *s)
{
	struct cmd_runner *r = &s->runner;
	struct cmd_batch *pending, *next;
	bool started, helper;

	pthread_mutex_lock(&r->mu);
	r->exit = true;
	pending = r->pending;
	r->pending = NULL;
	r->npending = 0;
	started = r->started;
	helper = r->helper_started;
	r->helper_started = false;
	atomic_store(&s->interrupt, true);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
	for (; pending != NULL; pending = next) {
		next = pending->link;
		cmd_batch_free(pending);
	}
	/* A stop that is running finishes (it is bounded); with exit set it
	 * drops the rest of its line. */
	if (helper)
		pthread_join(r->helper, NULL);
	if (started)
		pthread_join(r->thread, NULL);
	pthread_mutex_lock(&r->mu);
	r->started = false;
	pthread_mutex_unlock(&r->mu);
}
