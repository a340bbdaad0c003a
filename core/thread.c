/*
 * thread.c - clocks, monotonic condition variables and thread start-up.
 *
 * Every wait in libwpool is a condition variable on CLOCK_MONOTONIC, so a
 * change of the wall clock never stretches or cuts a bound.  Pool threads
 * start with every asynchronous signal blocked (they belong to the
 * embedding program's main thread), except the synchronous fault signals
 * that crash containment may catch.
 */
#include "wp-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int64_t
wp__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * WP__NS_PER_S + ts.tv_nsec;
}

int64_t
wp__wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
wp__cond_init(pthread_cond_t *c)
{
	pthread_condattr_t a;
	int rc;

	if (pthread_condattr_init(&a) != 0)
		return WP_ENOMEM;
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	rc = pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
	return rc == 0 ? 0 : WP_ENOMEM;
}

int
wp__cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, int64_t abs_ns)
{
	struct timespec ts;

	if (abs_ns == WP__NEVER) {
		pthread_cond_wait(c, m);
		return 0;
	}
	if (abs_ns < 0)
		abs_ns = 0;
	ts.tv_sec = abs_ns / WP__NS_PER_S;
	ts.tv_nsec = abs_ns % WP__NS_PER_S;
	return pthread_cond_timedwait(c, m, &ts) == ETIMEDOUT ? ETIMEDOUT : 0;
}

int64_t
wp__deadline_after_ms(uint64_t ms)
{
	int64_t now = wp__now();

	if (ms >= (uint64_t)(WP__NEVER - now) / WP__NS_PER_MS)
		return WP__NEVER;
	return now + (int64_t)ms * WP__NS_PER_MS;
}

int
wp__thread_start(pthread_t *tid, const char *name, void *(*fn)(void *),
		 void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(tid, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return rc == EAGAIN ? WP_ESYS : WP_ENOMEM;
	wp__thread_name(*tid, name);
	return 0;
}

void
wp__thread_name(pthread_t tid, const char *name)
{
	char buf[WP_NAME_MAX];

	snprintf(buf, sizeof buf, "%s", name);
	pthread_setname_np(tid, buf);
}
