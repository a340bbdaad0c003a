/*
 * cmdtest.h - helpers shared by the commands test suites: a sink that
 * records every line, and a session over a small real pool.
 *
 * The sink is called from pool and runner threads: it records under a
 * lock; tests assert on the test thread only.
 */
#ifndef CMDTEST_H
#define CMDTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "cmd.h"

#define CT_CEILING_MS 20000

struct capture {
	pthread_mutex_t mu;
	char **lines;
	enum cmd_msg *kinds;
	size_t n, cap;
	int busy_on, busy_off;
	int pool_changed;
	int published;
};

void cap_init(struct capture *c);
void cap_free(struct capture *c);
void cap_clear(struct capture *c);
struct cmd_sink cap_sink(struct capture *c);
/* Number of lines of a kind that contain text (NULL: any). */
size_t cap_count(struct capture *c, enum cmd_msg kind, const char *text);
/* Waits until at least n lines of a kind contain text; 1 if they do. */
int cap_wait(struct capture *c, enum cmd_msg kind, const char *text,
	     size_t n);
/* A copy of the first line of a kind (caller frees), or NULL. */
char *cap_first(struct capture *c, enum cmd_msg kind);
/* Prints everything recorded (for failing tests). */
void cap_dump(struct capture *c);

/* A session over a started pool of `workers` threads, short intervals. */
struct cmd_session *ct_session(struct capture *cap, bool json, bool async,
			       unsigned workers);
/* Polls until pred or the ceiling; 1 if it became true. */
int ct_wait(int (*pred)(void *), void *arg, unsigned ceiling_ms);
void ct_sleep_ms(unsigned ms);
/* Runs a line and asserts its return code. */
void ct_exec(struct cmd_session *s, const char *line, int want);

#endif
