/*
 * thread.c - clocks, monotonic condition variables and thread start-up.
 *
 * Every timed wait in libwpool is on CLOCK_MONOTONIC (a condition variable
 * with that clock, or a futex with a relative timeout), so a change of the
 * wall clock never stretches or cuts a bound.  The hot path's sleeps are
 * bare futexes on a word the waker changes first (an eventcount): a wake
 * costs one system call, and only when someone sleeps.  Pool threads
 * start with every asynchronous signal blocked (they belong to the
 * embedding program's main thread), except the synchronous fault signals
 * that crash containment may catch.
 */
#include "wp-internal.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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

void
wp__futex_wait(_Atomic uint32_t *word, uint32_t val, int64_t rel_ns)
{
	struct timespec ts, *tp = NULL;

	if (rel_ns >= 0) {
		ts.tv_sec = rel_ns / WP__NS_PER_S;
		ts.tv_nsec = rel_ns % WP__NS_PER_S;
		tp = &ts;
	}
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, val, tp, NULL,
		0);
}

void
wp__futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE,
		n < 0 ? INT_MAX : n, NULL, NULL, 0);
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
