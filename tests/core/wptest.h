/*
 * wptest.h - helpers shared by the core test suites.
 *
 * cmocka asserts jump back to the test's frame, so they are only ever used
 * on the test thread: tasks and callbacks record into atomics or a locked
 * struct, and the test thread asserts after waiting.
 */
#ifndef WPTEST_H
#define WPTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "wpool.h"

/* Generous ceiling for "eventually" conditions: tests never assert speed. */
#define WPT_CEILING_MS 20000

int64_t wpt_now_ms(void);
void wpt_sleep_ms(unsigned ms);
/* Polls pred(arg) every millisecond until true or ceiling_ms passes.
 * Returns 1 if it became true. */
int wpt_wait_for(int (*pred)(void *), void *arg, unsigned ceiling_ms);
/* Reads a fresh metrics snapshot; fails the test if the call fails. */
void wpt_metrics(wp_pool *p, struct wp_metrics *m);
/* Asserts both conservation laws on a snapshot. */
void wpt_assert_conserved(const struct wp_metrics *m);
/* Asserts the pool is at rest and every accepted task has an outcome. */
void wpt_assert_all_final(const struct wp_metrics *m);
/* A config with small, test-friendly values (2 workers, short intervals,
 * stop bound 2 s). */
void wpt_config(struct wp_config *cfg);
/* A task that does nothing and completes. */
int wpt_noop(wp_ctx *ctx, void *arg);
/* Number of threads of this process (from /proc/self/task). */
int wpt_thread_count(void);
/* Number of open file descriptors of this process. */
int wpt_fd_count(void);

#endif
