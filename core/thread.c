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
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
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

int
wp__futex_wake(_Atomic uint32_t *word, int n)
{
	long r = syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE,
			 n < 0 ? INT_MAX : n, NULL, NULL, 0);

	return r < 0 ? 0 : (int)r;
}

void
wp__futex_wait_bits(_Atomic uint32_t *word, uint32_t val, uint32_t bits)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_BITSET_PRIVATE, val,
		NULL, NULL, bits);
}

int
wp__futex_wake_bits(_Atomic uint32_t *word, int n, uint32_t bits)
{
	long r = syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_BITSET_PRIVATE,
			 n < 0 ? INT_MAX : n, NULL, NULL, bits);

	return r < 0 ? 0 : (int)r;
}

/* The size glibc would give a thread (RLIMIT_STACK, usually 8 MiB), so a
 * task has the stack it would have on any other thread. */
static size_t
default_stack_size(void)
{
	pthread_attr_t a;
	size_t size = 8u << 20;

	if (pthread_getattr_default_np(&a) == 0) {
		pthread_attr_getstacksize(&a, &size);
		pthread_attr_destroy(&a);
	}
	return size < (64u << 10) ? (64u << 10) : size;
}

/* Chunks of stacks no pool uses, kept for the next pool: on a VM every
 * page-table change is costly (unmapping one chunk took 140 us here), and
 * a program that makes and destroys pools should not pay it each time.
 * The one process-wide cache of libwpool, like glibc's own cache of
 * thread stacks; at most CACHE_MAX stacks, the rest is unmapped. */
#define CACHE_MAX 64
static struct {
	pthread_mutex_t mu;
	struct wp__stack *chunks; /* first stacks of cached chunks */
	unsigned stacks;
} cache = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};

static size_t
stack_size(size_t page)
{
	return (default_stack_size() + page - 1) / page * page;
}

/* Puts chunk c's stacks on the pool's list (mu held). */
static void
adopt(wp_pool *pool, struct wp__stack *c)
{
	for (unsigned i = 0; i < c->nchunk; i++) {
		c[i].used = c[i].kept = false;
		c[i].next = pool->stacks;
		pool->stacks = &c[i];
	}
}

/* A cached chunk of at least n stacks of today's size, or NULL. */
static struct wp__stack *
cache_take(unsigned n, size_t size)
{
	struct wp__stack **pp, *c;

	pthread_mutex_lock(&cache.mu);
	for (pp = &cache.chunks; (c = *pp) != NULL; pp = &c->chunk_next)
		if (c->nchunk >= n && c->size == size) {
			*pp = c->chunk_next;
			cache.stacks -= c->nchunk;
			break;
		}
	pthread_mutex_unlock(&cache.mu);
	return c;
}

/* Maps a chunk of n stacks in one mapping, each with a guard page below
 * it (an overflow faults, as on any thread, and crash containment can
 * catch it), and puts them on the pool's list (mu held). */
static int
chunk_new(wp_pool *pool, unsigned n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = stack_size(page);
	struct wp__stack *s = cache_take(n, size);
	char *base;

	if (s) {
		adopt(pool, s);
		return 0;
	}
	s = calloc(n, sizeof *s);
	if (!s)
		return WP_ENOMEM;
	base = mmap(NULL, n * (page + size), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE,
		    -1, 0);
	if (base == MAP_FAILED) {
		free(s);
		return WP_ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		s[i].base = base + i * (page + size);
		s[i].guard = page;
		s[i].size = size;
		s[i].chunk = &s[0];
		mprotect(s[i].base, page, PROT_NONE);
	}
	s[0].nchunk = n;
	adopt(pool, s);
	return 0;
}

int
wp__stack_get(wp_pool *pool, struct wp__stack **out)
{
	struct wp__stack *s;
	int rc;

	for (;;) {
		for (s = pool->stacks; s; s = s->next)
			if (!s->used) {
				s->used = true;
				*out = s;
				return 0;
			}
		/* The first chunk holds the threads a start makes (workers
		 * and the five auxiliary threads) and a few spares. */
		rc = chunk_new(pool, pool->stacks ? 8 : pool->target + 8);
		if (rc)
			return rc;
	}
}

void
wp__stacks_free(wp_pool *pool)
{
	struct wp__stack *s, *next;

	/* A thread a forced stop left behind may still be running on its
	 * stack (glibc's exit path runs after it let go of the pool, and
	 * nothing joins it): a chunk holding such a stack stays mapped and
	 * out of the cache. */
	for (s = pool->stacks; s; s = s->next)
		if (s->kept)
			s->chunk->kept = true;
	/* The list holds a chunk's stacks before its first one, which owns
	 * the array: freeing it at the first one frees nothing still to
	 * visit. */
	for (s = pool->stacks; s; s = next) {
		next = s->next;
		if (!s->nchunk)
			continue;
		if (s->kept) {
			free(s); /* the bookkeeping; the mapping stays */
			continue;
		}
		pthread_mutex_lock(&cache.mu);
		if (cache.stacks + s->nchunk <= CACHE_MAX) {
			s->chunk_next = cache.chunks;
			cache.chunks = s;
			cache.stacks += s->nchunk;
			s = NULL;
		}
		pthread_mutex_unlock(&cache.mu);
		if (s) {
			munmap(s->base, s->nchunk * (s->guard + s->size));
			free(s);
		}
	}
	pool->stacks = NULL;
}

int
wp__thread_start(pthread_t *tid, const char *name, void *(*fn)(void *),
		 void *arg, const struct wp__stack *stk)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int rc;

	if (pthread_attr_init(&attr) != 0)
		return WP_ENOMEM;
	/* Our own stack: glibc does not madvise() it away at thread exit,
	 * a TLB shoot-down per thread that made stopping a pool slow. */
	pthread_attr_setstack(&attr, (char *)stk->base + stk->guard,
			      stk->size);
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(tid, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		return rc == EAGAIN ? WP_ESYS : WP_ENOMEM;
	wp__thread_name(*tid, name);
	return 0;
}

void
wp__thread_background(void)
{
	struct sched_param sp = {0};

	pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
}

void
wp__thread_name(pthread_t tid, const char *name)
{
	char buf[WP_NAME_MAX];

	snprintf(buf, sizeof buf, "%s", name);
	pthread_setname_np(tid, buf);
}
