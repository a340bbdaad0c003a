/*
 * output.c - what a command writes, and how its reply reaches the sink.
 *
 * In text mode cmd_print() lines go to the sink as they are written (a
 * long command's output appears while it runs) and an error becomes one
 * CMD_ERR line at the end: "name: problem[; usage: name ARGS]".  In JSON
 * mode nothing is sent until the command ends; then one object on one line
 * carries "cmd", "ok", the fields the command added, its text lines and the
 * error.  Progress is sent at once in both modes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static char *vformat(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

static char *
vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

void
cmd_sink_line(struct cmd_session *s, enum cmd_msg kind, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (s->sink.line == NULL)
		return;
	va_start(ap, fmt);
	text = vformat(fmt, ap);
	va_end(ap);
	if (text == NULL)
		return;
	s->sink.line(s->sink.udata, kind, text);
	free(text);
}

void
cmd_sink_busy(struct cmd_session *s, bool busy, const char *what)
{
	if (s->sink.busy != NULL)
		s->sink.busy(s->sink.udata, busy, what);
}

void
cmd_print(struct cmd_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *text, **nt;

	va_start(ap, fmt);
	text = vformat(fmt, ap);
	va_end(ap);
	if (text == NULL)
		return;
	if (!c->json) {
		if (c->s->sink.line != NULL)
			c->s->sink.line(c->s->sink.udata, CMD_OUT, text);
		free(text);
		return;
	}
	nt = realloc(c->text, (c->ntext + 1) * sizeof *nt);
	if (nt == NULL) {
		free(text);
		return;
	}
	c->text = nt;
	c->text[c->ntext++] = text;
}

void
cmd_progress(struct cmd_ctx *c, const char *fmt, ...)
{
	struct cmd_json j;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = vformat(fmt, ap);
	va_end(ap);
	if (text == NULL || c->s->sink.line == NULL) {
		free(text);
		return;
	}
	if (c->json) {
		cmd_json_init(&j, true);
		cmd_json_str(&j, "progress", c->entry->name);
		cmd_json_str(&j, "text", text);
		cmd_json_obj_close(&j);
		c->s->sink.line(c->s->sink.udata, CMD_PROGRESS,
				cmd_json_text(&j));
		cmd_json_free(&j);
	} else {
		c->s->sink.line(c->s->sink.udata, CMD_PROGRESS, text);
	}
	free(text);
}

static enum cmd_retval
set_error(struct cmd_ctx *c, bool usage, const char *fmt, va_list ap)
{
	char *text;

	if (c->error != NULL)
		return CMD_RETURN_ERROR;
	text = vformat(fmt, ap);
	c->error = text ? text : strdup("out of memory");
	c->usage = usage;
	return CMD_RETURN_ERROR;
}

enum cmd_retval
cmd_error(struct cmd_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(c, false, fmt, ap);
	va_end(ap);
	return CMD_RETURN_ERROR;
}

enum cmd_retval
cmd_usage(struct cmd_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(c, true, fmt, ap);
	va_end(ap);
	return CMD_RETURN_ERROR;
}

enum cmd_retval
cmd_error_wp(struct cmd_ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;
	char *what;
	wp_pool *pool;

	va_start(ap, fmt);
	what = vformat(fmt, ap);
	va_end(ap);
	pool = cmd_pool(c);
	if (what == NULL || what[0] == '\0') {
		free(what);
		what = NULL;
	}
	if (rc == WP_ESTATE && pool != NULL)
		cmd_error(c, "%s%s%s (%s; the pool is %s%s)", what ? what : "",
			  what ? ": " : "", wp_strerror(rc), wp_err_name(rc),
			  wp_pool_state_name(wp_pool_state(pool)),
			  wp_pool_state(pool) == WP_STATE_CREATED
				  ? ": run 'start' first"
				  : "");
	else
		cmd_error(c, "%s%s%s (%s)", what ? what : "", what ? ": " : "",
			  wp_strerror(rc), wp_err_name(rc));
	free(what);
	return CMD_RETURN_ERROR;
}

struct cmd_json *
cmd_reply(struct cmd_ctx *c)
{
	return &c->reply;
}

static void
finish_json(struct cmd_ctx *c, bool ok)
{
	struct cmd_json j;
	char usage[512];
	size_t i;

	cmd_json_init(&j, true);
	cmd_json_str(&j, "cmd", c->entry ? c->entry->name : c->name);
	cmd_json_bool(&j, "ok", ok);
	cmd_json_raw(&j, cmd_json_text(&c->reply));
	if (c->ntext > 0) {
		cmd_json_arr_open(&j, "text");
		for (i = 0; i < c->ntext; i++)
			cmd_json_str(&j, NULL, c->text[i]);
		cmd_json_arr_close(&j);
	}
	if (!ok) {
		cmd_json_str(&j, "error", c->error ? c->error : "failed");
		if (c->usage && c->entry != NULL)
			cmd_json_str(&j, "usage",
				     cmd_usage_line(c->entry, usage,
						    sizeof usage));
	}
	cmd_json_obj_close(&j);
	if (c->s->sink.line != NULL)
		c->s->sink.line(c->s->sink.udata, ok ? CMD_OUT : CMD_ERR,
				cmd_json_text(&j));
	cmd_json_free(&j);
}

void
cmd_finish(struct cmd_ctx *c, enum cmd_retval rv)
{
	char usage[512];
	const char *name = c->entry ? c->entry->name : c->name;

	if (rv == CMD_RETURN_ERROR && !c->ignore)
		atomic_store(&c->s->failed, true);
	if (c->json) {
		finish_json(c, rv == CMD_RETURN_NORMAL);
		return;
	}
	if (rv == CMD_RETURN_NORMAL)
		return;
	if (c->entry == NULL)
		cmd_sink_line(c->s, CMD_ERR, "error: %s",
			      c->error ? c->error : "failed");
	else if (c->usage && c->entry != NULL) {
		cmd_sink_line(c->s, CMD_ERR, "%s: %s%s", name,
			      c->error ? c->error : "failed",
			      c->ignore ? " (ignored)" : "");
		cmd_sink_line(c->s, CMD_ERR, "usage: %s",
			      cmd_usage_line(c->entry, usage, sizeof usage));
	} else
		cmd_sink_line(c->s, CMD_ERR, "%s: %s%s", name,
			      c->error ? c->error : "failed",
			      c->ignore ? " (ignored)" : "");
}

void
cmd_ctx_free(struct cmd_ctx *c)
{
	size_t i;

	cmd_args_free(&c->args);
	cmd_json_free(&c->reply);
	for (i = 0; i < c->ntext; i++)
		free(c->text[i]);
	free(c->text);
	free(c->error);
	if (c->data != NULL) {
		if (c->data_free != NULL)
			c->data_free(c->data);
		else
			free(c->data);
	}
	memset(c, 0, sizeof *c);
}
