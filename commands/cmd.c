/*
 * cmd.c - the command table and the executor.
 *
 * cmd_session_exec() checks a line, tokenizes it, looks every command up
 * and checks its arguments before anything runs (a usage error anywhere in
 * the line runs nothing, as in tmux), notes the line in the pool's event
 * stream, then runs the commands in order.  In async mode the first long
 * command and everything after it go to the runner as one batch, so
 * "stop; start" keeps its order without blocking the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

const struct cmd_entry *const cmd_table[] = {
	/* Work. */
	&cmd_submit_entry,
	&cmd_jobs_entry,
	&cmd_kill_job_entry,
	&cmd_kinds_entry,
	/* Settings. */
	&cmd_timeout_entry,
	&cmd_stop_timeout_entry,
	&cmd_resize_entry,
	&cmd_set_entry,
	&cmd_get_entry,
	&cmd_config_entry,
	/* Layers. */
	&cmd_cancel_entry,
	&cmd_shutdown_entry,
	&cmd_stop_monitor_entry,
	&cmd_stop_health_entry,
	&cmd_close_entry,
	&cmd_stop_entry,
	&cmd_drain_entry,
	&cmd_pause_entry,
	&cmd_resume_entry,
	&cmd_start_entry,
	/* Looking. */
	&cmd_status_entry,
	&cmd_metrics_entry,
	&cmd_health_entry,
	&cmd_workers_entry,
	&cmd_events_entry,
	&cmd_timeline_entry,
	&cmd_results_entry,
	&cmd_help_entry,
	/* Scripts. */
	&cmd_wait_entry,
	&cmd_sleep_entry,
	&cmd_expect_entry,
	&cmd_echo_entry,
	&cmd_quit_entry,
	NULL,
};

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *const *e;
	int i;

	for (e = cmd_table; *e != NULL; e++) {
		if (strcmp((*e)->name, name) == 0)
			return *e;
		for (i = 0; i < 3 && (*e)->alias[i] != NULL; i++)
			if (strcmp((*e)->alias[i], name) == 0)
				return *e;
	}
	return NULL;
}

size_t
cmd_names(const char **buf, size_t n)
{
	const struct cmd_entry *const *e;
	size_t k = 0;
	int i;

	for (e = cmd_table; *e != NULL; e++) {
		if (k < n)
			buf[k++] = (*e)->name;
		for (i = 0; i < 3 && (*e)->alias[i] != NULL; i++)
			if (k < n)
				buf[k++] = (*e)->alias[i];
	}
	return k;
}

/* An error that belongs to no command (a bad line). */
void
cmd_line_error(struct cmd_session *s, const char *fmt, ...)
{
	struct cmd_ctx c;
	va_list ap;
	char *msg;

	memset(&c, 0, sizeof c);
	c.s = s;
	c.name = NULL;
	c.json = s->opts.json;
	cmd_json_init(&c.reply, false);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	c.error = msg ? msg : strdup("out of memory");
	if (c.json) {
		cmd_finish(&c, CMD_RETURN_ERROR);
	} else {
		atomic_store(&s->failed, true);
		cmd_sink_line(s, CMD_ERR, "error: %s",
			      c.error ? c.error : "failed");
	}
	cmd_ctx_free(&c);
}

int
cmd_ctx_parse(struct cmd_session *s, struct cmd_words *w, struct cmd_ctx *c)
{
	const char *names[128];
	char err[512], q[64], sug[160];
	size_t n;

	memset(c, 0, sizeof *c);
	c->s = s;
	c->words = w;
	c->name = w->argv[0];
	c->ignore = w->ignore;
	c->json = s->opts.json;
	cmd_json_init(&c->reply, false);
	c->entry = cmd_find(w->argv[0]);
	if (c->entry == NULL) {
		n = cmd_names(names, sizeof names / sizeof names[0]);
		cmd_suggest(w->argv[0], names, n, sug, sizeof sug);
		cmd_error(c, "unknown command '%s'%s (try 'help')",
			  cmd_quote(w->argv[0], q, sizeof q), sug);
		return -1;
	}
	if (cmd_args_parse(c->entry, w, &c->args, err, sizeof err) != 0) {
		cmd_usage(c, "%s", err);
		return -1;
	}
	if (c->args.json)
		c->json = true;
	if (c->args.help)
		return 0;
	if (c->entry->prepare != NULL &&
	    c->entry->prepare(c) != CMD_RETURN_NORMAL)
		return -1;
	return 0;
}

static bool
ctx_is_long(const struct cmd_ctx *c)
{
	if (c->args.help)
		return false;
	return (c->entry->flags & CMD_LONG) || c->is_long;
}

enum cmd_retval
cmd_ctx_run(struct cmd_ctx *c)
{
	enum cmd_retval rv;
	bool is_long = ctx_is_long(c);

	if (c->args.help) {
		cmd_help_one(c, c->entry);
		cmd_finish(c, CMD_RETURN_NORMAL);
		return CMD_RETURN_NORMAL;
	}
	if ((c->entry->flags & CMD_IDLE) && cmd_runner_idle_enter(c->s) != 0) {
		cmd_error(c, "busy: a stop is running");
		cmd_finish(c, CMD_RETURN_ERROR);
		return CMD_RETURN_ERROR;
	}
	if (is_long)
		cmd_sink_busy(c->s, true, c->entry->name);
	/* start replaces the pool (taking pool_rw exclusively inside);
	 * everything else keeps it alive while it runs. */
	if (!(c->entry->flags & CMD_IDLE))
		pthread_rwlock_rdlock(&c->s->pool_rw);
	rv = c->entry->exec(c);
	if (!(c->entry->flags & CMD_IDLE))
		pthread_rwlock_unlock(&c->s->pool_rw);
	if (c->entry->flags & CMD_IDLE)
		cmd_runner_idle_leave(c->s);
	if (rv != CMD_RETURN_NORMAL && c->error == NULL)
		cmd_error(c, "failed");
	cmd_finish(c, rv);
	if (is_long)
		cmd_sink_busy(c->s, false, c->entry->name);
	return rv;
}

/* Operator commands show in the pool's event stream (and the console's
 * events pane) as "op: LINE".  pool_rw keeps a `start` running in a batch
 * on the runner's thread from destroying the pool under the note. */
static void
note(struct cmd_session *s, const char *line)
{
	wp_pool *pool;

	pthread_rwlock_rdlock(&s->pool_rw);
	pthread_mutex_lock(&s->mu);
	pool = s->pool;
	pthread_mutex_unlock(&s->mu);
	if (pool != NULL)
		wp_pool_note(pool, "op: %.100s", line);
	pthread_rwlock_unlock(&s->pool_rw);
}

int
cmd_session_exec(struct cmd_session *s, const char *line)
{
	struct cmd_batch *b;
	struct cmd_list list;
	struct cmd_ctx *ctx;
	char err[256];
	int i, j, failed = 0;

	if (line == NULL)
		return 0;
	if (cmd_check_line(line, strlen(line), err, sizeof err) != 0) {
		cmd_line_error(s, "%s", err);
		return 1;
	}
	if (cmd_tokenize(line, &list, err, sizeof err) != 0) {
		cmd_line_error(s, "%s", err);
		return 1;
	}
	if (list.n == 0)
		return 0;
	ctx = calloc((size_t)list.n, sizeof *ctx);
	if (ctx == NULL) {
		cmd_list_free(&list);
		cmd_line_error(s, "out of memory");
		return 1;
	}
	for (i = 0; i < list.n; i++) {
		if (cmd_ctx_parse(s, &list.cmds[i], &ctx[i]) != 0) {
			cmd_finish(&ctx[i], CMD_RETURN_ERROR);
			failed = 1;
			i++;
			goto out;
		}
	}
	note(s, line);

	for (i = 0; i < list.n; i++) {
		if (s->opts.async && (ctx[i].entry->flags & CMD_IDLE) &&
		    cmd_runner_busy(s)) {
			cmd_error(&ctx[i], "busy: a long command is running "
				  "(wait for it, or interrupt it)");
			cmd_finish(&ctx[i], CMD_RETURN_ERROR);
			failed = 1;
			i++;
			goto out;
		}
		if (s->opts.async && ctx_is_long(&ctx[i])) {
			b = calloc(1, sizeof *b);
			if (b == NULL) {
				cmd_error(&ctx[i], "out of memory");
				cmd_finish(&ctx[i], CMD_RETURN_ERROR);
				failed = 1;
				i++;
				goto out;
			}
			b->ctx = ctx;
			b->n = list.n;
			b->next = i;
			b->list = list;
			if (cmd_runner_submit(s, b,
					      ctx[i].entry->flags & CMD_PREEMPT,
					      err, sizeof err) != 0) {
				b->list.n = 0;
				b->list.cmds = NULL;
				b->ctx = NULL;
				cmd_batch_free(b);
				cmd_error(&ctx[i], "%s", err);
				cmd_finish(&ctx[i], CMD_RETURN_ERROR);
				failed = 1;
				i++;
				goto out;
			}
			/* The batch owns the rest: the ctx array and words.
			 * Commands before i ran and are freed by it too. */
			return failed;
		}
		if (cmd_ctx_run(&ctx[i]) != CMD_RETURN_NORMAL)
			failed = 1;
		if (atomic_load(&s->quit))
			break;
		/* Headless, a signal ends the whole line.  (In async mode
		 * only short commands run here; the flag is the runner's.) */
		if (!s->opts.async && cmd_interrupted(s) && i + 1 < list.n) {
			cmd_sink_line(s, CMD_PROGRESS,
				      "interrupted: the rest of the line (%d "
				      "command%s) is skipped",
				      list.n - i - 1,
				      list.n - i - 1 == 1 ? "" : "s");
			break;
		}
	}
out:
	for (j = 0; j < list.n; j++)
		cmd_ctx_free(&ctx[j]);
	free(ctx);
	cmd_list_free(&list);
	return failed;
}
