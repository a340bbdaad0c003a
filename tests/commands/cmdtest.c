/*
 * cmdtest.c - the recording sink and session helpers (cmdtest.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmdtest.h"

static void
cap_line(void *udata, enum cmd_msg kind, const char *text)
{
	struct capture *c = udata;

	pthread_mutex_lock(&c->mu);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->lines = realloc(c->lines, c->cap * sizeof *c->lines);
		c->kinds = realloc(c->kinds, c->cap * sizeof *c->kinds);
	}
	c->lines[c->n] = strdup(text);
	c->kinds[c->n] = kind;
	c->n++;
	pthread_mutex_unlock(&c->mu);
}

static void
cap_busy(void *udata, bool busy, const char *what)
{
	struct capture *c = udata;

	(void)what;
	pthread_mutex_lock(&c->mu);
	if (busy)
		c->busy_on++;
	else
		c->busy_off++;
	pthread_mutex_unlock(&c->mu);
}

static void
cap_pool(void *udata, wp_pool *pool)
{
	struct capture *c = udata;

	(void)pool;
	pthread_mutex_lock(&c->mu);
	c->pool_changed++;
	pthread_mutex_unlock(&c->mu);
}

static void
cap_published(void *udata)
{
	struct capture *c = udata;

	pthread_mutex_lock(&c->mu);
	c->published++;
	pthread_mutex_unlock(&c->mu);
}

void
cap_init(struct capture *c)
{
	memset(c, 0, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
}

void
cap_clear(struct capture *c)
{
	size_t i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->n; i++)
		free(c->lines[i]);
	c->n = 0;
	pthread_mutex_unlock(&c->mu);
}

void
cap_free(struct capture *c)
{
	cap_clear(c);
	free(c->lines);
	free(c->kinds);
	pthread_mutex_destroy(&c->mu);
}

struct cmd_sink
cap_sink(struct capture *c)
{
	struct cmd_sink s = {
		.udata = c,
		.line = cap_line,
		.busy = cap_busy,
		.pool_changed = cap_pool,
		.published = cap_published,
	};

	return s;
}

size_t
cap_count(struct capture *c, enum cmd_msg kind, const char *text)
{
	size_t i, k = 0;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->n; i++)
		if (c->kinds[i] == kind &&
		    (text == NULL || strstr(c->lines[i], text) != NULL))
			k++;
	pthread_mutex_unlock(&c->mu);
	return k;
}

char *
cap_first(struct capture *c, enum cmd_msg kind)
{
	char *s = NULL;
	size_t i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->n; i++) {
		if (c->kinds[i] == kind) {
			s = strdup(c->lines[i]);
			break;
		}
	}
	pthread_mutex_unlock(&c->mu);
	return s;
}

void
cap_dump(struct capture *c)
{
	static const char *const names[] = {"OUT", "ERR", "PRG", "EVT"};
	size_t i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->n; i++)
		fprintf(stderr, "  [%s] %s\n", names[c->kinds[i]],
			c->lines[i]);
	pthread_mutex_unlock(&c->mu);
}

struct cmd_session *
ct_session(struct capture *cap, bool json, bool async, unsigned workers)
{
	struct cmd_session_opts o;
	struct cmd_session *s = NULL;
	struct cmd_sink sink = cap_sink(cap);

	cmd_session_opts_init(&o);
	o.cfg.workers = workers;
	o.cfg.monitor_interval_ms = 50;
	o.cfg.health_interval_ms = 50;
	o.cfg.stop_timeout_ms = 2000;
	o.json = json;
	o.async = async;
	assert_int_equal(cmd_session_new(&o, &sink, &s), 0);
	assert_non_null(s);
	return s;
}

void
ct_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

int
ct_wait(int (*pred)(void *), void *arg, unsigned ceiling_ms)
{
	unsigned waited = 0;

	while (!pred(arg)) {
		if (waited >= ceiling_ms)
			return 0;
		ct_sleep_ms(2);
		waited += 2;
	}
	return 1;
}

void
ct_exec(struct cmd_session *s, const char *line, int want)
{
	int rc = cmd_session_exec(s, line);

	if (rc != want)
		fprintf(stderr, "line '%s': got %d, want %d\n", line, rc,
			want);
	assert_int_equal(rc, want);
}

int
cap_wait(struct capture *c, enum cmd_msg kind, const char *text, size_t n)
{
	unsigned waited = 0;

	while (cap_count(c, kind, text) < n) {
		if (waited >= CT_CEILING_MS)
			return 0;
		ct_sleep_ms(2);
		waited += 2;
	}
	return 1;
}
