/*
 * test-procstat.c - unit tests of core/procstat.c: the process figures are
 * plausible, follow the thread count, and reading them leaks no
 * descriptor.  Heap figures depend on the allocator (sanitizers replace
 * malloc), so only their consistency is checked.
 */
#include "wptest.h"

#include "wp-internal.h"

#include <pthread.h>

#define EXTRA 3

static void
test_plausible(void **state)
{
	struct wp__procstat ps;

	(void)state;
	assert_int_equal(wp__procstat_read(&ps), 0);
	assert_true(ps.threads >= 1);
	assert_true(ps.rss_bytes > 0);
	assert_true(ps.vm_bytes >= ps.rss_bytes);
	assert_true(ps.heap_arena >= ps.heap_free);
	assert_int_equal(wp__procstat_read(NULL), WP_EINVAL);
}

struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started;
	bool release;
};

static void *
parked(void *arg)
{
	struct gate *g = arg;

	pthread_mutex_lock(&g->mu);
	g->started++;
	pthread_cond_broadcast(&g->cv);
	while (!g->release)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

static void
test_threads_follow(void **state)
{
	struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0,
			 false};
	struct wp__procstat before, during;
	pthread_t tid[EXTRA];
	int i, n;

	(void)state;
	assert_int_equal(wp__procstat_read(&before), 0);
	for (i = 0; i < EXTRA; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, parked, &g), 0);
	pthread_mutex_lock(&g.mu);
	while (g.started < EXTRA)
		pthread_cond_wait(&g.cv, &g.mu);
	pthread_mutex_unlock(&g.mu);

	assert_int_equal(wp__procstat_read(&during), 0);
	assert_true(during.threads >= before.threads + EXTRA);
	/* The kernel's other view agrees (give or take a sanitizer's
	 * helper thread starting in between). */
	n = wpt_thread_count();
	assert_true(n > 0);
	assert_true(during.threads <= (unsigned)n + 1);
	assert_true(during.threads + 1 >= (unsigned)n);

	pthread_mutex_lock(&g.mu);
	g.release = true;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	for (i = 0; i < EXTRA; i++)
		assert_int_equal(pthread_join(tid[i], NULL), 0);
}

static void
test_no_fd_leak(void **state)
{
	struct wp__procstat ps;
	int before = wpt_fd_count(), i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(wp__procstat_read(&ps), 0);
	assert_int_equal(wpt_fd_count(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plausible),
		cmocka_unit_test(test_threads_follow),
		cmocka_unit_test(test_no_fd_leak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
