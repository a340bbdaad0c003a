/*
 * runner.c - the session's background thread for long commands.
 *
 * DESIGN
 * In async mode (the console) a long command (stop, drain, wait, sleep,
 * quit, a many-task submit) must not freeze the caller's input loop, so
 * cmd_session_exec() hands it, with the commands after it on the same
 * line, to this thread as one batch and returns.  One batch runs at a
 * time; one more may wait.  A new batch while one runs is refused ("busy")
 * unless it starts with a preempting command (stop, drain, quit): then the
 * running batch is interrupted (wait, sleep and submit poll the interrupt
 * flag and end early; stop and drain are bounded anyway) and the new batch
 * runs next.
 *
 * Threads: the runner thread runs batches; any thread submits.  current
 * and pending are protected by runner.mu.  The thread starts on the first
 * batch and is joined by cmd_runner_shutdown(), which drops a pending
 * batch and interrupts the current one.
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

void
cmd_batch_run(struct cmd_session *s, struct cmd_batch *b)
{
	for (; b->next < b->n; b->next++) {
		cmd_ctx_run(&b->ctx[b->next]);
		if (atomic_load(&s->quit))
			break;
	}
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
		r->pending = NULL;
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

int
cmd_runner_submit(struct cmd_session *s, struct cmd_batch *b, bool preempt,
		  char *err, size_t errlen)
{
	struct cmd_runner *r = &s->runner;
	const char *what;

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
	if (r->pending != NULL || (r->current != NULL && !preempt)) {
		b = r->pending ? r->pending : r->current;
		what = b->ctx[b->next < b->n ? b->next : b->n - 1].entry->name;
		pthread_mutex_unlock(&r->mu);
		snprintf(err, errlen,
			 "busy: '%s' is still running (interrupt it, or use "
			 "stop)",
			 what);
		return -1;
	}
	if (r->current != NULL)
		atomic_store(&s->interrupt, true);
	r->pending = b;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

bool
cmd_runner_busy(const struct cmd_session *s)
{
	struct cmd_runner *r = (struct cmd_runner *)&s->runner;
	bool busy;

	pthread_mutex_lock(&r->mu);
	busy = r->current != NULL || r->pending != NULL;
	pthread_mutex_unlock(&r->mu);
	return busy;
}

void
cmd_runner_shutdown(struct cmd_session *s)
{
	struct cmd_runner *r = &s->runner;
	struct cmd_batch *pending;
	bool started;

	pthread_mutex_lock(&r->mu);
	r->exit = true;
	pending = r->pending;
	r->pending = NULL;
	started = r->started;
	atomic_store(&s->interrupt, true);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
	cmd_batch_free(pending);
	if (started)
		pthread_join(r->thread, NULL);
	pthread_mutex_lock(&r->mu);
	r->started = false;
	pthread_mutex_unlock(&r->mu);
}
