/*
 * script.c - command scripts: a file (--script) or a text (-c).
 *
 * A script is read whole (at most 1 MB), split into lines, and handed out
 * one line at a time; blank lines and lines that start with '#' are
 * skipped.  A line that holds a NUL byte is kept with its true length so
 * the runner can refuse it with the same message a typed line would get.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

#define SCRIPT_MAX_BYTES (1u << 20)

struct cmd_script {
	char *name;
	char *text; /* whole file, lines NUL-terminated in place */
	size_t len;
	size_t pos;     /* next byte to read */
	unsigned lineno; /* of the last line returned */
	unsigned next_lineno;
	size_t last_len; /* true length of the last line */
};

static int
script_new(const char *name, char *text, size_t len, struct cmd_script **out)
{
	struct cmd_script *sc;

	sc = calloc(1, sizeof *sc);
	if (sc == NULL)
		return WP_ENOMEM;
	sc->name = strdup(name ? name : "-c");
	if (sc->name == NULL) {
		free(sc);
		return WP_ENOMEM;
	}
	sc->text = text;
	sc->len = len;
	sc->next_lineno = 1;
	*out = sc;
	return 0;
}

int
cmd_script_open(const char *path, struct cmd_script **out)
{
	FILE *f;
	char *text;
	size_t len;
	int rc, saved;

	f = fopen(path, "rb");
	if (f == NULL)
		return errno == ENOENT ? WP_ENOENT : WP_ESYS;
	text = malloc(SCRIPT_MAX_BYTES + 1);
	if (text == NULL) {
		fclose(f);
		return WP_ENOMEM;
	}
	len = fread(text, 1, SCRIPT_MAX_BYTES + 1, f);
	saved = ferror(f) ? EIO : 0;
	fclose(f);
	if (saved != 0 || len > SCRIPT_MAX_BYTES) {
		free(text);
		errno = saved ? saved : EFBIG;
		return saved ? WP_ESYS : WP_ERANGE;
	}
	text[len] = '\0';
	rc = script_new(path, text, len, out);
	if (rc != 0)
		free(text);
	return rc;
}

int
cmd_script_from_string(const char *name, const char *text,
		       struct cmd_script **out)
{
	size_t len = strlen(text);
	char *copy;
	int rc;

	if (len > SCRIPT_MAX_BYTES)
		return WP_ERANGE;
	copy = malloc(len + 1);
	if (copy == NULL)
		return WP_ENOMEM;
	memcpy(copy, text, len + 1);
	rc = script_new(name, copy, len, out);
	if (rc != 0)
		free(copy);
	return rc;
}

static const char *
next_line(struct cmd_script *sc, size_t *len)
{
	char *line, *nl, *p;
	size_t n;

	while (sc->pos < sc->len) {
		line = sc->text + sc->pos;
		nl = memchr(line, '\n', sc->len - sc->pos);
		n = nl ? (size_t)(nl - line) : sc->len - sc->pos;
		sc->pos += n + (nl ? 1 : 0);
		sc->lineno = sc->next_lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if ((size_t)(p - line) == n || *p == '#')
			continue;
		*len = n - (size_t)(p - line);
		return p;
	}
	return NULL;
}

const char *
cmd_script_next(struct cmd_script *sc)
{
	return next_line(sc, &sc->last_len);
}

unsigned
cmd_script_lineno(const struct cmd_script *sc)
{
	return sc->lineno;
}

const char *
cmd_script_name(const struct cmd_script *sc)
{
	return sc->name;
}

void
cmd_script_free(struct cmd_script *sc)
{
	if (sc == NULL)
		return;
	free(sc->name);
	free(sc->text);
	free(sc);
}

void
cmd_line_trace(struct cmd_session *s, const char *line)
{
	struct cmd_json j;

	if (!s->opts.json) {
		cmd_sink_line(s, CMD_OUT, "+ %s", line);
		return;
	}
	cmd_json_init(&j, true);
	cmd_json_str(&j, "trace", line);
	cmd_json_obj_close(&j);
	cmd_sink_line(s, CMD_OUT, "%s", cmd_json_text(&j));
	cmd_json_free(&j);
}

unsigned
cmd_script_run(struct cmd_session *s, struct cmd_script *sc, bool tr,
	       bool stop_on_error)
{
	struct timespec ts = {0, 10 * 1000000};
	const char *line;
	char err[160];
	unsigned failed = 0;
	int rc;

	while ((line = cmd_script_next(sc)) != NULL) {
		if (cmd_interrupted(s) || cmd_session_quit_requested(s))
			break;
		if (tr)
			cmd_line_trace(s, line);
		if (strlen(line) != sc->last_len &&
		    cmd_check_line(line, sc->last_len, err, sizeof err) != 0) {
			cmd_line_error(s, "%s:%u: %s", sc->name, sc->lineno,
				       err);
			rc = 1;
		} else {
			rc = cmd_session_exec(s, line);
		}
		while (cmd_session_busy(s))
			nanosleep(&ts, NULL);
		if (rc != 0) {
			failed++;
			if (stop_on_error)
				break;
		}
	}
	return failed;
}
