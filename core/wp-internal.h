/*
 * wp-internal.h - libwpool's private structures and functions.
 *
 * Everything here is internal: non-static functions are prefixed wp__ and
 * grouped by the file that defines them.
 *
 * LOCK ORDER (take in this order, never the reverse):
 *
 *   pool->deliver_mu     serialises result callbacks (recursive)
 *   pool->evcb_mu        serialises event callbacks (trylock only)
 *   pool->stop_mu        the ordered stop's once/waiters (stop.c)
 *   pool->mu             task queue, admission, slots, threads, pause
 *   pool->results.mu     result queue (passive.c)
 *   pool->errors.mu      error queue (passive.c)
 *   pool->stats_mu       published metrics/health snapshots, samples
 *   pool->events.mu      event ring (events.c)
 *   thread->sleep_mu     a worker's interruptible sleep (ctx.c)
 *
 * The two callback locks are held while user code runs, so that a result
 * callback or an event callback never runs twice at once; user code may
 * call back into the pool, which is why they come first.  No user
 * callback is ever called with any other pool lock held.
 */
#ifndef WP_INTERNAL_H
#define WP_INTERNAL_H

#include "wpool.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#define WP__NS_PER_MS 1000000LL
#define WP__NS_PER_S 1000000000LL
#define WP__NEVER INT64_MAX

/* Built with ASan or TSan (gcc defines __SANITIZE_*, clang has
 * __has_feature). */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) ||          \
	__has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WP__SANITIZED 1
#else
#define WP__SANITIZED 0
#endif

#define WP__MIN(a, b) ((a) < (b) ? (a) : (b))

/* A hint to the CPU inside a spin loop. */
static inline void
wp__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}
#define WP__MAX(a, b) ((a) > (b) ? (a) : (b))

/* ------------------------------------------------------------------------
 * thread.c: clocks, condition variables on CLOCK_MONOTONIC, naming.
 */
int64_t wp__now(void);     /* CLOCK_MONOTONIC ns */
int64_t wp__wall_ms(void); /* CLOCK_REALTIME ms */
int wp__cond_init(pthread_cond_t *c); /* monotonic clock attribute */
/* pthread_cond_timedwait until abs_ns (WP__NEVER: plain wait).  Returns 0
 * or ETIMEDOUT. */
int wp__cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m,
			int64_t abs_ns);
int64_t wp__deadline_after_ms(uint64_t ms); /* now + ms, saturating */
/* Starts a joinable thread named `name` with all signals but the fault
 * signals blocked; returns 0 or WP_ESYS/WP_ENOMEM. */
int wp__thread_start(pthread_t *tid, const char *name, void *(*fn)(void *),
		     void *arg);
void wp__thread_name(pthread_t tid, const char *name);

/* ------------------------------------------------------------------------
 * hist.c: fixed-size latency histogram (log-linear buckets), lock-free
 * writers, percentile reads.  Memory is constant whatever the task count.
 */
#define WP__HIST_BUCKETS 128
struct wp__hist {
	_Atomic uint64_t bucket[WP__HIST_BUCKETS];
	_Atomic uint64_t count;
	_Atomic uint64_t sum_ns;
	_Atomic int64_t max_ns;
	_Atomic int64_t last_ns;
};
void wp__hist_add(struct wp__hist *h, int64_t ns);
/* Only ever called by one thread for a given h (cheaper: no RMW). */
void wp__hist_add_owner(struct wp__hist *h, int64_t ns);
/* A plain copy that can be summed and queried. */
struct wp__hist_snap {
	uint64_t bucket[WP__HIST_BUCKETS];
	uint64_t count, sum_ns;
	int64_t max_ns, last_ns;
};
void wp__hist_read(const struct wp__hist *h, struct wp__hist_snap *out);
void wp__hist_merge(struct wp__hist_snap *into,
		    const struct wp__hist_snap *from);
/* q in [0, 1]; returns an upper bound of the bucket holding quantile q,
 * clamped to max_ns; 0 when empty. */
void wp__hist_add_snap(struct wp__hist *h, const struct wp__hist_snap *s);
int64_t wp__hist_quantile(const struct wp__hist_snap *s, double q);
unsigned wp__hist_bucket_of(int64_t ns);
int64_t wp__hist_bucket_upper(unsigned b);

/* ------------------------------------------------------------------------
 * events.c: the bounded event ring.
 */
struct wp__events {
	pthread_mutex_t mu;
	struct wp_event *ring; /* protected by mu */
	size_t cap;            /* immutable */
	uint64_t next_seq;     /* protected by mu; seq of the next event */
};
int wp__events_init(struct wp__events *ev, size_t cap);
void wp__events_fini(struct wp__events *ev);
/* Appends an event (assigns seq and times) and copies it to *out. */
void wp__events_push(struct wp__events *ev, enum wp_event_type type,
		     uint64_t task_id, int worker, const char *text,
		     struct wp_event *out);
int wp__events_read(const struct wp__events *ev, uint64_t after,
		    struct wp_event *buf, size_t n, size_t *got,
		    uint64_t *lost);

/* ------------------------------------------------------------------------
 * procstat.c: process-wide figures from /proc/self and mallinfo2().
 */
struct wp__procstat {
	uint64_t rss_bytes, vm_bytes;
	uint64_t heap_inuse, heap_free, heap_arena;
	unsigned threads;
};
/* Best effort: fields it cannot read are left 0.  Returns 0 or WP_ESYS. */
int wp__procstat_read(struct wp__procstat *out);

/* ------------------------------------------------------------------------
 * options.c: the option table, config validation and field access.
 */
uint64_t wp__config_get(const struct wp_config *cfg, enum wp_option opt);
void wp__config_set(struct wp_config *cfg, enum wp_option opt, uint64_t v);
/* Resolves the "0 = derived" fields (workers from CPUs, caps from W). */
void wp__config_resolve(struct wp_config *cfg);
unsigned wp__online_cpus(void);

/* ------------------------------------------------------------------------
 * The task.  Allocated at submit, freed by whoever delivers its outcome.
 * Immutable after submit except where noted.
 */
struct wp__task {
	struct wp__task *next; /* queue link: protected by the queue's lock */
	uint64_t id;
	wp_task_fn fn;
	void *arg;
	wp_free_fn free_fn;
	int priority;
	int64_t timeout_ns; /* 0: none */
	int64_t submit_ns;
	int64_t start_ns;   /* written by the worker before RUNNING */
	/* The outcome, set exactly once (CAS from NONE) by the owner of the
	 * task at that moment: worker, watchdog, canceller or forced stop. */
	_Atomic int outcome;
	struct wp_result res; /* filled by the one who set outcome */
	char kind[WP_KIND_MAX];
};

#define WP__BATCH_MAX WP_RESULT_BATCH

/* Clears a result's per-path fields; whoever makes an outcome calls it
 * first, then fills what it knows (a submit does not pay for this). */
static inline void
wp__res_reset(struct wp__task *t)
{
	struct wp_result *r = &t->res;

	r->panicked = r->crashed = r->never_ran = false;
	r->worker = -1;
	r->value = 0;
	r->queued_ns = r->run_ns = 0;
	r->msg[0] = '\0';
}

/* ------------------------------------------------------------------------
 * The task context (ctx.c), embedded in each worker thread.  Reused from
 * task to task; `seq` tells runs apart so a late cancel can't leak into
 * the next task.
 */
struct wp_ctx {
	wp_pool *pool;
	struct wp__thread *thread;
	uint64_t task_id;     /* owner thread only */
	int64_t deadline_ns;  /* owner thread only; 0: none */
	_Atomic uint64_t seq; /* run number, set by the owner before a run */
	/* Run number whose context was cancelled and why (WP_ETIMEDOUT or
	 * WP_ECANCELED); set by the watchdog or the forced stop. */
	_Atomic uint64_t cancel_seq;
	_Atomic int cancel_why;
	uint64_t value;         /* owner thread only */
	char msg[WP_MSG_MAX];   /* owner thread only */
	bool has_msg;
};

/* ------------------------------------------------------------------------
 * A worker-class OS thread.  A *slot* is a logical worker (wp-worker-3);
 * a thread fills a slot, may be handed off (orphaned) when its task passes
 * its deadline, and then returns as a spare that can fill a slot again.
 *
 * `run` packs (run number << 2 | RUN_*) so the watchdog and the forced
 * stop can claim a run with one CAS, and the worker learns of it with the
 * CAS that ends the run.
 */
enum { WP__RUN_IDLE = 0, WP__RUN_ACTIVE = 1, WP__RUN_CLAIMED = 2 };

enum wp__thread_role {
	WP__ROLE_SLOT,   /* fills slots[slot] */
	WP__ROLE_ORPHAN, /* running a timed-out task; no slot */
	WP__ROLE_SPARE,  /* parked, waiting to fill a slot */
	WP__ROLE_EXITED, /* returned from its start function; to be joined */
};

struct wp__thread {
	struct wp__thread *next_all; /* pool->threads list: pool->mu */
	wp_pool *pool;               /* immutable */
	pthread_t tid;               /* immutable after start */
	bool joined;                 /* pool->mu */
	bool detached;               /* pool->mu: left behind by a forced stop */
	enum wp__thread_role role;   /* pool->mu */
	int slot;                    /* pool->mu; -1 unless ROLE_SLOT */
	int last_slot;               /* pool->mu; the slot it last filled */
	char name[WP_NAME_MAX];      /* pool->mu */
	bool overdue;                /* pool->mu: claimed at the orphan cap */
	_Atomic uint64_t tasks_done; /* owner writes, others read */
	uint64_t runs;               /* owner only: run counter */

	/* The current run, published by the seq_cst store of `run`; the
	 * fields below are written before it by the owner. */
	_Atomic uint64_t run;
	_Atomic(struct wp__task *) task; /* valid while ACTIVE or CLAIMED */
	_Atomic int64_t deadline_ns;     /* WP__NEVER if none */
	_Atomic int64_t started_ns;
	_Atomic uint64_t cur_task_id; /* for wp_pool_workers() */
	_Atomic uint64_t kindw[3];    /* the task's kind, WP_KIND_MAX bytes */

	struct wp_ctx ctx;
	pthread_mutex_t sleep_mu; /* wp_ctx_sleep() wake-ups */
	pthread_cond_t sleep_cv;

	/* The private batch (worker.c): bq[bq_head..bq_tail) are queued tasks
	 * this thread took; the owner takes the next one by CAS on bq_head,
	 * anyone holding pool->mu may take the rest the same way. */
	struct wp__task *bq[WP__BATCH_MAX]; /* written under pool->mu */
	int64_t bq_ns[WP__BATCH_MAX];        /* their submit times: mu */
	_Atomic unsigned bq_head;
	unsigned bq_tail;                    /* written under pool->mu */
	int64_t ewma_ns;                     /* owner: usual run time */
	bool spun;                           /* mu: spun in this idle period */
	_Atomic int64_t last_end_ns;         /* owner: when its last run ended */

	/* Finished results not yet handed over (owner; a claimant takes them
	 * under pool->mu while the owner is inside the claimed run). */
	struct wp__task *out_head, *out_tail;
	unsigned nout;
	int64_t out_since;

	/* Owner-written counters (others read); folded into the pool's at
	 * exit under pool->mu. */
	struct {
		_Atomic uint64_t outcome[WP_OUTCOME_COUNT];
		_Atomic uint64_t panics, crashes, late;
	} cnt __attribute__((aligned(64)));
	struct wp__hist hist;

	/* Fault containment: where a panic or a contained signal lands. */
	sigjmp_buf jb;
	volatile sig_atomic_t in_task;
	volatile sig_atomic_t fault_signo;
	char panic_msg[WP_MSG_MAX]; /* owner only */
	void *altstack;
};

struct wp__slot {
	struct wp__thread *thread; /* pool->mu; NULL when empty */
	bool waiting_orphan; /* pool->mu: orphaned at cap, no replacement */
	uint64_t tasks_done; /* pool->mu-free: sum at thread change */
};

/* ------------------------------------------------------------------------
 * Task queue (chan.c): ten FIFO lists, one per priority, under pool->mu.
 */
struct wp__taskq {
	struct wp__task *head[WP_PRIORITY_MAX + 1];
	struct wp__task *tail[WP_PRIORITY_MAX + 1];
	unsigned len;  /* pool->mu */
	unsigned cap;  /* pool->mu */
	unsigned hwm;  /* pool->mu */
	unsigned mask; /* bit p set: list p not empty */
	atomic_uint hint; /* len, for peeking without pool->mu */
};
void wp__taskq_push(struct wp__taskq *q, struct wp__task *t);
struct wp__task *wp__taskq_pop(struct wp__taskq *q);
/* Puts a task back at the head of its priority (a stolen batch). */
void wp__taskq_push_front(struct wp__taskq *q, struct wp__task *t);
/* Detaches every queued task as one list (next-linked), priority order. */
struct wp__task *wp__taskq_take_all(struct wp__taskq *q);
int64_t wp__taskq_oldest(const struct wp__taskq *q); /* submit_ns or 0 */

/* ------------------------------------------------------------------------
 * Result and error queues (chan.c + passive.c): bounded FIFO with its own
 * lock, closed exactly once, drained by one passive thread.
 */
struct wp__resultq {
	pthread_mutex_t mu;
	pthread_cond_t not_empty; /* consumer waits */
	pthread_cond_t not_full;  /* producers wait */
	struct wp__task *head, *tail; /* mu */
	unsigned len, cap, hwm;       /* mu */
	unsigned producers; /* mu: threads that may still push (see passive.c) */
	unsigned full_waiters; /* mu */
	bool closed;           /* mu */
	bool consumer_alive;   /* mu */
	bool consumer_waiting; /* mu */
	atomic_uint hint;      /* len, to peek at without mu */
};

struct wp__errnode {
	struct wp__errnode *next;
	struct wp_error e;
};

struct wp__errorq {
	pthread_mutex_t mu;
	pthread_cond_t not_empty;
	struct wp__errnode *head, *tail; /* mu */
	unsigned len, cap, hwm;          /* mu */
	unsigned producers;              /* mu */
	bool closed;                     /* mu */
	bool consumer_alive;             /* mu */
	bool consumer_waiting;           /* mu */
};

/* ------------------------------------------------------------------------
 * Counters: atomics, relaxed.  Outcome counters are bumped by whoever set
 * the outcome; `accepted` before the task becomes visible to anyone.
 */
struct wp__counters {
	_Atomic uint64_t accepted;
	_Atomic uint64_t rejected[5]; /* full, closed, nomem, timeout, deadlock */
	_Atomic uint64_t outcome[WP_OUTCOME_COUNT];
	_Atomic uint64_t panics, crashes, late_discarded;
	_Atomic uint64_t delivered, results_direct;
	_Atomic uint64_t errors_reported, errors_dropped;
	_Atomic uint64_t next_task_id;
	_Atomic uint64_t never_ran; /* cancelled before they started */
};
enum { WP__REJ_FULL, WP__REJ_CLOSED, WP__REJ_NOMEM, WP__REJ_TIMEOUT,
       WP__REJ_DEADLOCK };


/* A sample of cumulative outcome counts, for the sliding error rate. */
struct wp__sample {
	int64_t at_ns;
	uint64_t outcomes, bad;
};
#define WP__SAMPLES 128

/* ------------------------------------------------------------------------
 * The pool.
 */
struct wp_pool {
	/* Immutable after create, except cfg fields changed under mu. */
	struct wp_config cfg; /* mu (runtime options change it) */
	atomic_int refs;      /* user + threads left behind by a forced stop */
	atomic_bool muted;    /* set by destroy: no callback starts after it */
	atomic_uint cb_active; /* callbacks running (wp__cb_enter) */

	pthread_mutex_t mu;
	pthread_cond_t work_cv;   /* workers wait for tasks: mu */
	pthread_cond_t room_cv;   /* blocked submitters wait for room: mu */
	pthread_cond_t idle_cv;   /* wait_idle and drain: mu */
	pthread_cond_t thread_cv; /* a thread exited (stop's bounded wait): mu */
	pthread_cond_t watch_cv;  /* watchdog wake-ups: mu */
	pthread_cond_t spare_cv;  /* parked spare threads: mu */

	/* State, protected by mu.  `accepting` is the admission flag that
	 * submit checks in the same critical section as the enqueue. */
	enum wp_pool_state state;
	bool started;
	bool accepting;
	atomic_bool paused;         /* set under mu; workers peek */
	unsigned wakes;             /* mu: signals sent, not yet woken */
	struct wp__taskq tasks;
	unsigned blocked_submitters;
	unsigned idle_workers;      /* workers waiting on work_cv */
	unsigned spinning;          /* mu: workers spinning before they park */
	atomic_uint idle_waiters;   /* wait_idle/drain callers */
	atomic_bool draining;       /* a drain is running its first part */
	bool stopping;              /* mu: the ordered stop is running */
	bool contain;               /* crash containment: fixed at create */
	_Atomic int64_t task_timeout_ns; /* the pool's default; 0: none */

	/* Signals: fired exactly once each; the atomic flag is what threads
	 * poll, fired_at is for display.  Set under mu. */
	atomic_bool sig[WP_SIG_COUNT];
	_Atomic int64_t sig_at[WP_SIG_COUNT];

	/* Worker threads and slots: mu. */
	struct wp__slot *slots; /* WP_WORKERS_MAX entries */
	unsigned target;        /* desired worker count */
	struct wp__thread *threads; /* every worker-class thread ever live */
	unsigned live_workers;  /* threads in ROLE_SLOT */
	unsigned orphans;       /* threads in ROLE_ORPHAN */
	unsigned spares;        /* threads in ROLE_SPARE */
	unsigned worker_threads; /* threads not yet EXITED (any role) */
	bool watch_kick;          /* mu: wake the watchdog now */
	_Atomic int64_t watch_at; /* when the watchdog looks next */
	int64_t watch_guess_ns;   /* mu: a usual timeout, from the last scan */
	uint64_t watch_runsum;    /* mu: runs seen by the last scan */

	/* Auxiliary threads. */
	pthread_t watchdog_tid, results_tid, errors_tid, monitor_tid,
		health_tid;
	bool watchdog_alive, results_alive, errors_alive, monitor_alive,
		health_alive; /* mu */
	/* Indexed by enum wp_thread_class (aux classes only): mu. */
	bool aux_started[WP_THREAD_ORPHAN + 1];
	bool aux_joined[WP_THREAD_ORPHAN + 1];
	bool aux_detached[WP_THREAD_ORPHAN + 1];

	/* Timed threads' stop signals wake them through these. */
	pthread_cond_t monitor_cv; /* mu */
	pthread_cond_t health_cv;  /* mu */

	struct wp__resultq results;
	struct wp__errorq errors;
	pthread_mutex_t deliver_mu;

	/* Statistics. */
	struct wp__counters n;
	struct wp__hist hist; /* exited threads' processing times */
	int64_t start_ns; /* immutable after start */
	int64_t stats_t0;
	/* Monitor thread only: heap-growth leak check. */
	uint64_t leak_last, leak_base;
	unsigned leak_rising;

	pthread_mutex_t stats_mu;
	struct wp_metrics published;  /* stats_mu */
	bool have_published;          /* stats_mu */
	struct wp_health health_pub;  /* stats_mu */
	bool have_health;             /* stats_mu */
	struct wp_health mailbox;     /* stats_mu: capacity-1 channel */
	bool mailbox_full;            /* stats_mu */
	uint64_t mailbox_dropped;     /* stats_mu */
	int64_t check_since[WP_HEALTH_CHECKS]; /* stats_mu */
	struct wp__sample samples[WP__SAMPLES]; /* stats_mu: ring */
	unsigned nsamples, sample_head;         /* stats_mu */
	uint64_t tp_last_outcomes;              /* stats_mu */
	int64_t tp_last_ns;                     /* stats_mu */
	double tp_last;                         /* stats_mu */
	bool last_healthy;                      /* stats_mu */

	struct wp__events events;
	/* Recycled task nodes (submit.c). */
	struct wp__task *nodes;       /* mu */
	unsigned nnodes;              /* mu */
	_Atomic(struct wp__task *) spare_node; /* one for the next submit */
	pthread_mutex_t evcb_mu; /* serialises on_event calls */
	atomic_bool evcb_more;   /* events wait for a flush */
	uint64_t evcb_seq;       /* evcb_mu: last event handed to on_event */

	/* The ordered stop. */
	pthread_mutex_t stop_mu;
	pthread_cond_t stop_cv;   /* stop_mu */
	bool stop_begun;          /* stop_mu */
	bool stop_done;           /* stop_mu */
	int stop_rc;              /* stop_mu */
	struct wp_stop_report report; /* written by the stopper; then frozen */
	bool stop_logging;            /* mu: record thread exits */
	struct wp_stop_thread *log;   /* mu: the exit log (report threads) */
	unsigned nlog, log_cap;       /* mu */
};

/* ------------------------------------------------------------------------
 * Per-thread identity: which pool thread (if any) is running here.  Used to
 * refuse self-waits (WP_ESELF), to route wp_panic() and contained faults.
 */
struct wp__self {
	wp_pool *pool;             /* set on the pool's own threads */
	struct wp__thread *worker; /* NULL on auxiliary threads */
	wp_pool *stopping;         /* the pool this thread is stopping */
};
extern _Thread_local struct wp__self wp__self;
bool wp__on_own_thread(const wp_pool *pool);

/* ------------------------------------------------------------------------
 * pool.c
 */
/* Every user callback runs between these two: after wp_pool_destroy()
 * returns, no callback starts (a thread a forced stop left behind may come
 * back much later).  wp__cb_enter() returns false when muted. */
static inline bool
wp__cb_enter(wp_pool *pool)
{
	atomic_fetch_add(&pool->cb_active, 1);
	if (!atomic_load(&pool->muted))
		return true;
	atomic_fetch_sub(&pool->cb_active, 1);
	return false;
}

static inline void
wp__cb_leave(wp_pool *pool)
{
	atomic_fetch_sub(&pool->cb_active, 1);
}

void wp__pool_unref(wp_pool *pool);
/* Emits an event: ring + on_event callback.  Never with a pool lock held. */
void wp__event(wp_pool *pool, enum wp_event_type type, uint64_t task_id,
	       int worker, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Pushes an event into the ring only (safe under pool->mu); the
 * callback runs at the next wp__events_flush(). */
void wp__event_later(wp_pool *pool, enum wp_event_type type,
		     uint64_t task_id, int worker, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void wp__events_flush(wp_pool *pool); /* no pool lock held */

/* ------------------------------------------------------------------------
 * submit.c
 */
/* Recycled task nodes (under pool->mu, plus one spare taken lock-free). */
#define WP__FREE_NODES_MAX 4096
void wp__nodes_put(wp_pool *pool, struct wp__task *head,
		   struct wp__task *tail, unsigned n);
void wp__nodes_free(wp_pool *pool);

/* ------------------------------------------------------------------------
 * worker.c
 */
void *wp__worker_main(void *arg);
/* Spawns a thread for slot; mu held. */
int wp__worker_spawn(wp_pool *pool, int slot);
/* Sets outcome once; false if it was already set.  Bumps the counter. */
bool wp__task_finish(wp_pool *pool, struct wp__task *t, enum wp_outcome o,
		     int code);
/* Workers have been told to go: cancel, shutdown, or closed and empty
 * (mu held). */
bool wp__workers_should_exit(const wp_pool *pool);
void wp__thread_take_slot(wp_pool *pool, struct wp__thread *t, int slot);
void wp__thread_free(struct wp__thread *t);
/* ------------------------------------------------------------------------
 * batch.c: private batches.  The owner takes its next task lock-free; the
 * rest (mu held): take the rest of one thread's batch, or of every
 * thread's; put tasks back at the head of the queue; size a new batch.
 */
struct wp__task *wp__batch_next(struct wp__thread *t);
unsigned wp__batch_size(const wp_pool *pool, const struct wp__thread *t);
struct wp__task *wp__batch_steal(struct wp__thread *t);
struct wp__task *wp__steal_all(wp_pool *pool);
void wp__requeue(wp_pool *pool, struct wp__task *list);

/* ------------------------------------------------------------------------
 * watchdog.c
 */
void *wp__watchdog_main(void *arg);
/* Called by a worker that started a timed run (no lock held). */
void wp__watchdog_notice(wp_pool *pool, int64_t deadline_ns);
/* Claims a thread's active run (CAS); returns the task (and its run
 * number) or NULL. */
struct wp__task *wp__claim_run(struct wp__thread *t, uint64_t *run);
/* Leaves a claimed thread behind as an orphan and (if replace) fills its
 * slot with a spare or a new thread; at the orphan cap the slot waits
 * instead (mu held). */
void wp__orphan(wp_pool *pool, struct wp__thread *t, bool replace);
/* Takes a claimed thread's finished, undelivered results (mu held). */
struct wp__task *wp__take_out(struct wp__thread *t);
/* Joins threads that have exited; mu held on entry and exit (drops it
 * around pthread_join). */
void wp__reap_exited(wp_pool *pool);

/* ------------------------------------------------------------------------
 * passive.c: result and error handlers and delivery.
 */
void *wp__results_main(void *arg);
void *wp__errors_main(void *arg);
int wp__resultq_init(struct wp__resultq *q, unsigned cap);
void wp__resultq_fini(struct wp__resultq *q);
int wp__errorq_init(struct wp__errorq *q, unsigned cap);
void wp__errorq_fini(struct wp__errorq *q);
/* Producer registration: a thread that may push must hold a producer
 * reference so that a cancelled consumer waits for it. */
void wp__producer_enter(wp_pool *pool);
void wp__producer_leave(wp_pool *pool);
/* Pushes a finished task.  block=true waits while the queue is full (a
 * worker's back-pressure); false pushes past the cap (outcomes made by the
 * watchdog or a canceller, already bounded by the tasks that exist).  If
 * the queue is closed the result is delivered inline (serialised). */
void wp__deliver_result(wp_pool *pool, struct wp__task *t, bool block);
/* The same for a next-linked chain of n tasks. */
void wp__deliver_batch(wp_pool *pool, struct wp__task *head,
		       struct wp__task *tail, unsigned n, bool block);
/* Non-blocking: dropped and counted when full or closed (S5.1). */
void wp__report_error(wp_pool *pool, const struct wp__task *t,
		      enum wp_outcome o, int code, const char *msg);
/* Cancels a detached list of never-run tasks: outcome, free_fn, delivery. */
void wp__cancel_list(wp_pool *pool, struct wp__task *list);
/* Every accepted task's outcome has been delivered. */
bool wp__is_idle(wp_pool *pool);

/* ------------------------------------------------------------------------
 * monitor.c and health.c
 */
void *wp__monitor_main(void *arg);
void *wp__health_main(void *arg);
void wp__metrics_fill(wp_pool *pool, struct wp_metrics *m, bool with_proc);
void wp__health_fill(wp_pool *pool, const struct wp_metrics *m,
		     struct wp_health *h);
void wp__sample_add(wp_pool *pool, int64_t now, uint64_t outcomes,
		    uint64_t bad, int64_t window_ns); /* stats_mu held */
/* The timed threads' ticker: fn now and every `interval` until `stop` or
 * the root cancel fires. */
void wp__timed_loop(wp_pool *pool, enum wp_signal stop, pthread_cond_t *cv,
		    enum wp_option interval, void (*fn)(wp_pool *));

/* ------------------------------------------------------------------------
 * stop.c: the layer signals and the ordered stop.
 */
int wp__fire(wp_pool *pool, enum wp_signal sig);
/* Last act of an auxiliary thread. */
void wp__aux_exited(wp_pool *pool, enum wp_thread_class cls);
int wp__stop_for_destroy(wp_pool *pool);
/* Records a thread's exit for the stop report (mu held). */
void wp__stop_log_exit(wp_pool *pool, const char *name,
		       enum wp_thread_class cls);

/* ------------------------------------------------------------------------
 * ctx.c
 */
void wp__ctx_begin(struct wp__thread *t, struct wp__task *task, uint64_t run,
		   int64_t deadline);
void wp__ctx_cancel(struct wp__thread *t, uint64_t run, int why);

/* ------------------------------------------------------------------------
 * crash.c: opt-in containment of fault signals raised by task code.
 * Process-wide signal handlers (the one piece of process state libwpool
 * touches), installed while at least one pool asks for them.
 */
int wp__crash_acquire(void);
void wp__crash_unblock(void);
void wp__crash_release(void);
int wp__altstack_setup(struct wp__thread *t);
void wp__altstack_teardown(struct wp__thread *t);

/* ------------------------------------------------------------------------
 * errors.c: names of enums.
 */
const char *wp__rej_name(int r);

#endif /* WP_INTERNAL_H */
