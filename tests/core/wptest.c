/* wptest.c - helpers shared by the core test suites (see wptest.h). */
#include "wptest.h"

#include <dirent.h>
#include <time.h>

int64_t
wpt_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
wpt_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

int
wpt_noop(wp_ctx *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	return 0;
}

int
wpt_wait_for(int (*pred)(void *), void *arg, unsigned ceiling_ms)
{
	int64_t end = wpt_now_ms() + ceiling_ms;
	for (;;) {
		if (pred(arg))
			return 1;
		if (wpt_now_ms() >= end)
			return 0;
		wpt_sleep_ms(1);
	}
}

void
wpt_metrics(wp_pool *p, struct wp_metrics *m)
{
	assert_int_equal(wp_pool_metrics(p, m), 0);
}

void
wpt_assert_conserved(const struct wp_metrics *m)
{
	assert_int_equal(m->submitted, m->rejected + m->accepted);
	assert_int_equal(m->accepted, m->completed + m->failed + m->timed_out +
					      m->cancelled + m->in_flight);
}

void
wpt_assert_all_final(const struct wp_metrics *m)
{
	wpt_assert_conserved(m);
	assert_int_equal(m->in_flight, 0);
}

void
wpt_config(struct wp_config *cfg)
{
	wp_config_init(cfg);
	cfg->workers = 2;
	cfg->monitor_interval_ms = 50;
	cfg->health_interval_ms = 50;
	cfg->stop_timeout_ms = 2000;
	cfg->stop_check_ms = 20;
}

static int
count_dir(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	struct dirent *e;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int
wpt_thread_count(void)
{
	return count_dir("/proc/self/task");
}

int
wpt_fd_count(void)
{
	return count_dir("/proc/self/fd") - 1; /* the DIR's own fd */
}
