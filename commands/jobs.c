/*
 * jobs.c - background submission streams: `submit --rate`, the demo load.
 *
 * DESIGN
 * Each job is one thread ("wp-cmd-job-N") that submits tasks of one kind
 * to the pool the session had when the job started.  A rate job paces
 * itself with a monotonic schedule and uses the non-blocking submit, so an
 * overloaded pool shows up as rejections; a job without a rate (the demo)
 * keeps the queue full with the blocking submit, a short wait at a time so
 * a kill is prompt.  A job ends when it reaches its count, when the pool
 * closes (it notes why in the pool's events), or when killed.
 *
 * Threads: job threads read their own struct (immutable spec, atomic
 * counters, stop flag under job->mu).  The session's list is protected by
 * jobs_mu.  Every job thread is joined: by kill-job, by cmd_jobs_kill_all()
 * (before `start` replaces the pool and when the session ends), or when a
 * finished job is reaped.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

#define CONTINUOUS_WAIT_MS 250 /* blocking submit slice of a demo job */

struct cmd_job {
	struct cmd_job *next;     /* jobs_mu */
	unsigned id;              /* immutable */
	struct cmd_session *s;    /* immutable */
	wp_pool *pool;            /* immutable: the pool at start */
	struct cmd_job_spec spec; /* immutable */
	int64_t started_ns;       /* immutable */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool stop;                /* mu */
	_Atomic bool done;        /* the thread has ended */
	_Atomic uint64_t submitted, rejected;
};

int
cmd_submit_one(struct cmd_session *s, wp_pool *pool,
	       const struct cmd_job_spec *spec, uint64_t wait_ms, uint64_t *id)
{
	struct wp_task_opts o = spec->opts;
	void *arg = spec->arg;
	int rc;

	if (spec->kind->task_opts != NULL) {
		if (!spec->prio_set)
			o.priority = -1;
		spec->kind->task_opts(s, spec->arg, &o, &arg);
		if (o.priority < WP_PRIORITY_MIN)
			o.priority = WP_PRIORITY_MIN;
	}
	if (!spec->kind->builtin) {
		arg = NULL;
		if (spec->text_arg != NULL) {
			arg = strdup(spec->text_arg);
			if (arg == NULL)
				return WP_ENOMEM;
		}
		o.free_fn = free;
	}
	if (wait_ms == 0)
		rc = wp_submit(pool, spec->kind->fn, arg, &o, id);
	else
		rc = wp_submit_wait(pool, spec->kind->fn, arg, &o, wait_ms, id);
	if (rc != 0 && !spec->kind->builtin)
		free(arg);
	return rc;
}

/* Waits until abs_ns or a kill; true when killed. */
static bool
job_wait(struct cmd_job *j, int64_t abs_ns)
{
	struct timespec ts;
	int64_t left;
	bool stop;

	pthread_mutex_lock(&j->mu);
	while (!j->stop) {
		left = abs_ns - cmd_now_ns();
		if (left <= 0)
			break;
		/* The condition variable uses CLOCK_REALTIME: wait in
		 * short relative slices. */
		if (left > 50 * 1000000)
			left = 50 * 1000000;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += left;
		ts.tv_sec += ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&j->cond, &j->mu, &ts);
	}
	stop = j->stop;
	pthread_mutex_unlock(&j->mu);
	return stop;
}

static bool
job_stopping(struct cmd_job *j)
{
	bool stop;

	pthread_mutex_lock(&j->mu);
	stop = j->stop;
	pthread_mutex_unlock(&j->mu);
	return stop;
}

static void *
job_main(void *arg)
{
	struct cmd_job *j = arg;
	const struct cmd_job_spec *sp = &j->spec;
	int64_t next = cmd_now_ns(), step = 0, now;
	const char *why = "killed";
	uint64_t done;
	int rc;

	if (sp->rate > 0)
		step = (int64_t)(1e9 / sp->rate);
	for (;;) {
		done = atomic_load(&j->submitted) + atomic_load(&j->rejected);
		if (sp->limit != 0 && done >= sp->limit) {
			why = "done";
			break;
		}
		if (sp->rate > 0) {
			if (job_wait(j, next))
				break;
			now = cmd_now_ns();
			next += step;
			/* After a stall, do not burst to catch up. */
			if (next < now - 1000000000ll)
				next = now;
			rc = cmd_submit_one(j->s, j->pool, sp, 0, NULL);
		} else {
			if (job_stopping(j))
				break;
			rc = cmd_submit_one(j->s, j->pool, sp,
					    CONTINUOUS_WAIT_MS, NULL);
			if (rc == WP_ETIMEDOUT)
				continue;
		}
		if (rc == 0) {
			atomic_fetch_add(&j->submitted, 1);
		} else if (rc == WP_ECLOSED) {
			why = "the pool closed";
			break;
		} else {
			atomic_fetch_add(&j->rejected, 1);
			if (sp->rate <= 0 && job_wait(j, cmd_now_ns() +
							    10 * 1000000))
				break;
		}
	}
	if (!job_stopping(j))
		wp_pool_note(j->pool,
			     "job %u ended (%s): %" PRIu64 " submitted, %" PRIu64
			     " rejected",
			     j->id, why, atomic_load(&j->submitted),
			     atomic_load(&j->rejected));
	atomic_store(&j->done, true);
	return NULL;
}

static void
job_free(struct cmd_job *j)
{
	free(j->spec.text_arg);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cond);
	free(j);
}

int
cmd_job_start(struct cmd_session *s, struct cmd_job_spec *spec, unsigned *id)
{
	struct cmd_job *j;
	char name[16];

	j = calloc(1, sizeof *j);
	if (j == NULL)
		return WP_ENOMEM;
	j->s = s;
	j->pool = cmd_session_pool(s);
	j->spec = *spec;
	j->spec.opts.kind = j->spec.kind->name;
	spec->text_arg = NULL;
	j->started_ns = cmd_now_ns();
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cond, NULL);
	if (j->pool == NULL) {
		job_free(j);
		return WP_ESTATE;
	}
	pthread_mutex_lock(&s->jobs_mu);
	j->id = s->next_job++;
	snprintf(name, sizeof name, "wp-cmd-job-%u", j->id % 1000);
	if (cmd_thread_start(&j->thread, name, job_main, j) != 0) {
		pthread_mutex_unlock(&s->jobs_mu);
		job_free(j);
		return WP_ESYS;
	}
	j->next = s->jobs;
	s->jobs = j;
	*id = j->id;
	pthread_mutex_unlock(&s->jobs_mu);
	return 0;
}

static void
job_end(struct cmd_job *j)
{
	pthread_mutex_lock(&j->mu);
	j->stop = true;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->thread, NULL);
	job_free(j);
}

/* Joins and frees the jobs that ended by themselves. */
static void
reap(struct cmd_session *s)
{
	struct cmd_job **p, *j, *dead = NULL;

	pthread_mutex_lock(&s->jobs_mu);
	for (p = &s->jobs; (j = *p) != NULL;) {
		if (atomic_load(&j->done)) {
			*p = j->next;
			j->next = dead;
			dead = j;
		} else {
			p = &j->next;
		}
	}
	pthread_mutex_unlock(&s->jobs_mu);
	while ((j = dead) != NULL) {
		dead = j->next;
		job_end(j);
	}
}

int
cmd_job_kill(struct cmd_session *s, unsigned id)
{
	struct cmd_job **p, *j;

	pthread_mutex_lock(&s->jobs_mu);
	for (p = &s->jobs; (j = *p) != NULL; p = &j->next)
		if (j->id == id)
			break;
	if (j != NULL)
		*p = j->next;
	pthread_mutex_unlock(&s->jobs_mu);
	if (j == NULL)
		return WP_ENOENT;
	job_end(j);
	return 0;
}

void
cmd_jobs_kill_all(struct cmd_session *s)
{
	struct cmd_job *j;

	pthread_mutex_lock(&s->jobs_mu);
	j = s->jobs;
	s->jobs = NULL;
	pthread_mutex_unlock(&s->jobs_mu);
	while (j != NULL) {
		struct cmd_job *next = j->next;

		job_end(j);
		j = next;
	}
}

size_t
cmd_session_jobs(struct cmd_session *s, struct cmd_job_info *buf, size_t n)
{
	struct cmd_job *j;
	size_t k = 0;

	reap(s);
	pthread_mutex_lock(&s->jobs_mu);
	for (j = s->jobs; j != NULL && k < n; j = j->next) {
		buf[k].id = j->id;
		snprintf(buf[k].spec, sizeof buf[k].spec, "%s", j->spec.spec);
		buf[k].submitted = atomic_load(&j->submitted);
		buf[k].rejected = atomic_load(&j->rejected);
		buf[k].limit = j->spec.limit;
		buf[k].rate = j->spec.rate;
		buf[k].started_ns = j->started_ns;
		k++;
	}
	pthread_mutex_unlock(&s->jobs_mu);
	return k;
}
