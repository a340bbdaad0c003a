/*
 * wp-internal.h - libwpool's private structures and functions.
 *
 * Everything here is internal: non-static functions are prefixed wp__ and
 * grouped by the file that defines them.
 *
 * LOCK ORDER (take in this order, never the reverse):
 *
 *   lane->cmu            who consumes a result lane (lane.c): the handler,
 *                        or the lane's own worker when it is full
 *   pool->deliver_mu     serialises result callbacks (recursive)
 *   pool->evcb_mu        serialises event callbacks (trylock only)
 *   pool->stop_mu        the ordered stop's once/waiters (stop.c)
 *   pool->mu             admission state, slots, threads, pause, resize
 *   pool->tasks.mu       the task queue's locked lists (chan.c)
 *   pool->side_mu        results made off the workers (lane.c)
 *   pool->errors.mu      error queue (passive.c)
 *   pool->stats_mu       published metrics/health snapshots, samples
 *   pool->events.mu      event ring (events.c)
 *   thread->sleep_mu     a worker's interruptible sleep (ctx.c)
 *
 * The hot path takes none of them: a submit pushes into a lock-free ring,
 * a worker pops from it and hands its outcome to the result handler
 * through its own single-producer lane, and threads park on futexes
 * (docs/design.md, "the hot path").
 *
 * The two callback locks are held while user code runs, so that a result
 * callback or an event callback never runs twice at once; user code may
 * call back into the pool, which is why they come first.  A result
 * callback also runs with its lane's cmu held, which nothing user code can
 * reach takes (only the handler's pass and a producer's own push do).  No
 * user callback is ever called with any other pool lock held.
 */
#ifndef WP_INTERNAL_H
#define WP_INTERNAL_H

#include "wpool.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define WP__NS_PER_MS 1000000LL
#define WP__NS_PER_US 1000LL
#define WP__NS_PER_S 1000000000LL
#define WP__NEVER INT64_MAX

/* Built with ASan or TSan (gcc defines __SANITIZE_*, clang has
 * __has_feature). */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)
#define WP__TSAN 1
#else
#define WP__TSAN 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer) ||     \
	WP__TSAN
#define WP__SANITIZED 1
#else
#define WP__SANITIZED 0
#endif

#define WP__MIN(a, b) ((a) < (b) ? (a) : (b))
#define WP__MAX(a, b) ((a) > (b) ? (a) : (b))
#define WP__LIKELY(x) __builtin_expect(!!(x), 1)
#define WP__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define WP__CACHELINE 64

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

/* A full (StoreLoad) barrier, for the Dekker pairs that decide whether a
 * sleeper must be woken: "publish, fence, look at the sleeper's flag"
 * against "raise the flag, fence, look for work".  ThreadSanitizer does
 * not model stand-alone fences (gcc warns about them), so its builds use a
 * sequentially consistent read-modify-write on a private word, which is a
 * full barrier on every target it runs on. */
static inline void
wp__fence(void)
{
#if WP__TSAN
	static _Thread_local _Atomic int dummy;

	atomic_fetch_add(&dummy, 0);
#else
	atomic_thread_fence(memory_order_seq_cst);
#endif
}

/* ------------------------------------------------------------------------
 * thread.c: clocks, futexes, condition variables, thread start-up.
 */
int64_t wp__now(void);     /* CLOCK_MONOTONIC ns */
int64_t wp__wall_ms(void); /* CLOCK_REALTIME ms */
int wp__cond_init(pthread_cond_t *c); /* monotonic clock attribute */
/* pthread_cond_timedwait until abs_ns (WP__NEVER: plain wait).  Returns 0
 * or ETIMEDOUT. */
int wp__cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m,
			int64_t abs_ns);
int64_t wp__deadline_after_ms(uint64_t ms); /* now + ms, saturating */
/* Sleeps while *word == val, at most rel_ns (< 0: no bound, so a caller
 * with a deadline must not pass a spent one).  Spurious returns are
 * allowed: callers look again. */
void wp__futex_wait(_Atomic uint32_t *word, uint32_t val, int64_t rel_ns);
int wp__futex_wake(_Atomic uint32_t *word, int n);
/* The same, for waiters that gave a bit mask: a wake reaches the waiters
 * whose mask shares a bit with `bits` (a plain wake reaches every one). */
void wp__futex_wait_bits(_Atomic uint32_t *word, uint32_t val, uint32_t bits);
int wp__futex_wake_bits(_Atomic uint32_t *word, int n, uint32_t bits);
/* A thread stack of the pool's (thread.c): mapped once, reused by the
 * pool's threads, unmapped when the pool is freed. */
struct wp__stack {
	struct wp__stack *next; /* pool->stacks: pool->mu */
	void *base;             /* the mapping: guard page, then the stack */
	size_t guard, size;
	bool used;              /* pool->mu */
	bool kept;              /* pool->mu: its thread was left behind */
	struct wp__stack *chunk; /* the first stack of its mapping */
	unsigned nchunk;         /* on a chunk's first stack: how many */
	struct wp__stack *chunk_next; /* the process-wide cache's list */
};
/* A free stack of the pool's, or a new one (mu held). */
int wp__stack_get(wp_pool *pool, struct wp__stack **out);
/* Gives the pool's stacks up (pool_free): to a small process-wide cache
 * for the next pool, or unmapped; never those of threads left behind. */
void wp__stacks_free(wp_pool *pool);
/* Starts a joinable thread named `name` on stk with all signals but the
 * fault signals blocked; returns 0 or WP_ESYS/WP_ENOMEM. */
int wp__thread_start(pthread_t *tid, const char *name, void *(*fn)(void *),
		     void *arg, const struct wp__stack *stk);
void wp__thread_name(pthread_t tid, const char *name);
/* Puts the calling thread under SCHED_BATCH, best effort: the kernel does
 * not preempt a running thread to run it when it wakes (it gets a CPU when
 * one goes idle or at the next tick, with its usual share).  For the
 * threads whose wake-ups are not latency-critical: the result and error
 * handlers, the monitor and the health checker; threads their callbacks
 * start inherit it.  Workers and the watchdog (timeouts) stay as they are. */
void wp__thread_background(void);

/* ------------------------------------------------------------------------
 * clock.c: "ticks", the hot path's clock.  The CPU's time-stamp counter
 * where it is invariant (a third of the cost of clock_gettime on a VM),
 * CLOCK_MONOTONIC nanoseconds otherwise.  The counter's rate is measured
 * once per process against CLOCK_MONOTONIC and refined as time passes.
 */
struct wp__clock {
	bool tsc;          /* immutable after wp__clock_init() */
	bool prefetchw;    /* the CPU has PREFETCHW; same */
	int64_t t0_ticks;  /* the anchor: one paired reading */
	int64_t t0_ns;
	_Atomic uint64_t mult;  /* ns per tick, 32.32 fixed point */
	_Atomic uint64_t rmult; /* ticks per ns, 32.32 fixed point */
	_Atomic int64_t refined_ns;
};
extern struct wp__clock wp__clk;
void wp__clock_init(void); /* once per process (pthread_once) */
/* Re-measures the rate if the last measure is older than a while. */
void wp__clock_refine(void);

static inline int64_t
wp__ticks(void)
{
#if defined(__x86_64__)
	if (WP__LIKELY(wp__clk.tsc)) {
		uint32_t lo, hi;

		__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
		return (int64_t)((uint64_t)hi << 32 | lo);
	}
#endif
	return wp__now();
}

/* A tick interval in ns (negative intervals, from cross-CPU skew, are 0),
 * and a ns interval in ticks. */
static inline int64_t
wp__tk2ns(int64_t dt)
{
	if (dt <= 0)
		return 0;
	return (int64_t)(((unsigned __int128)(uint64_t)dt *
			  atomic_load_explicit(&wp__clk.mult,
					       memory_order_relaxed)) >>
			 32);
}

static inline int64_t
wp__ns2tk(int64_t ns)
{
	unsigned __int128 v;

	if (ns <= 0)
		return 0;
	v = ((unsigned __int128)(uint64_t)ns *
	     atomic_load_explicit(&wp__clk.rmult, memory_order_relaxed)) >>
	    32;
	return v >= (unsigned __int128)(INT64_MAX / 2) ? INT64_MAX / 2
						       : (int64_t)v;
}

/* A tick reading as CLOCK_MONOTONIC ns. */
int64_t wp__tk2mono(int64_t ticks);

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
#define WP__HIST_SUB_BITS 2    /* four sub-buckets per octave */
#define WP__HIST_FIRST_BITS 8  /* linear below 256 ns */

static inline unsigned
wp__hist_bucket_of(int64_t ns)
{
	const unsigned subs = 1u << WP__HIST_SUB_BITS;
	uint64_t v;
	unsigned p, b;

	if (ns < (1 << WP__HIST_FIRST_BITS))
		return ns < 0 ? 0
			      : (unsigned)(ns >> (WP__HIST_FIRST_BITS -
						  WP__HIST_SUB_BITS));
	v = (uint64_t)ns;
	p = 63u - (unsigned)__builtin_clzll(v);
	b = subs + (p - WP__HIST_FIRST_BITS) * subs +
	    (unsigned)((v >> (p - WP__HIST_SUB_BITS)) & (subs - 1));
	return b < WP__HIST_BUCKETS - 1 ? b : WP__HIST_BUCKETS - 1;
}

/* Only ever called by one thread for a given h (cheaper: no RMW; others
 * read with relaxed loads). */
static inline void
wp__hist_add_owner(struct wp__hist *h, int64_t ns)
{
#define WP__OWN_ADD(a, v)                                                      	atomic_store_explicit((a),                                             			      atomic_load_explicit((a), memory_order_relaxed) + 				      (v),                                     			      memory_order_relaxed)
	if (ns < 0)
		ns = 0;
	WP__OWN_ADD(&h->bucket[wp__hist_bucket_of(ns)], 1);
	WP__OWN_ADD(&h->count, 1);
	WP__OWN_ADD(&h->sum_ns, (uint64_t)ns);
#undef WP__OWN_ADD
	atomic_store_explicit(&h->last_ns, ns, memory_order_relaxed);
	if (ns > atomic_load_explicit(&h->max_ns, memory_order_relaxed))
		atomic_store_explicit(&h->max_ns, ns, memory_order_relaxed);
}
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
/* The CPUs this process may run on (affinity mask), at least 1. */
unsigned wp__cpus(void);
/* Results a worker may hold for the handler: the result queue's cap
 * shared among the target workers (at least one each). */
#define WP__RESULTS_PER_WORKER 1024

/* ------------------------------------------------------------------------
 * A task as it waits in the queue and while it runs: a plain value,
 * copied into a ring cell at submit and out of it by the worker, never
 * allocated on the hot path.  The kind label travels beside it only when
 * the submitter gave one (has_kind); "task" otherwise.
 */
struct wp__task {
	wp_task_fn fn;
	void *arg;
	wp_free_fn free_fn;
	uint64_t id;
	_Atomic int64_t submit; /* ticks; atomic: the monitor peeks at it */
	int64_t timeout_ns;     /* -1: the pool's default; 0: none */
	uint8_t priority;
	bool has_kind;
};

/* Copies a task value (the submit stamp through a relaxed atomic). */
static inline void
wp__task_copy(struct wp__task *dst, const struct wp__task *src)
{
	dst->fn = src->fn;
	dst->arg = src->arg;
	dst->free_fn = src->free_fn;
	dst->id = src->id;
	atomic_store_explicit(&dst->submit,
			      atomic_load_explicit(&src->submit,
						   memory_order_relaxed),
			      memory_order_relaxed);
	dst->timeout_ns = src->timeout_ns;
	dst->priority = src->priority;
	dst->has_kind = src->has_kind;
}

/* A bounded copy of a kind label without stdio. */
void wp__kind_copy(char dst[WP_KIND_MAX], const char *src);

/* ------------------------------------------------------------------------
 * chan.c: the task queue.
 *
 * Priority-0 tasks (the common case) go through a bounded lock-free ring
 * (Vyukov's MPMC design: a sequence number per cell, CAS'd cursors);
 * higher priorities, tasks put back at the front, and overflow past the
 * ring's size when the capacity was raised at run time go into short
 * locked FIFO lists.  Pop order: priority 9..1, front, ring, overflow.
 * The capacity is a number checked at push (it may change at run time);
 * admission closes with one bit in the ring's enqueue cursor.
 */
struct wp__cell {
	_Atomic uint64_t seq;
	struct wp__task task;
} __attribute__((aligned(WP__CACHELINE)));

struct wp__qnode {
	struct wp__qnode *next;
	struct wp__task task;
	char kind[WP_KIND_MAX];
};

enum { WP__L_FRONT = 0, WP__L_OVER = WP_PRIORITY_MAX + 1, WP__NLISTS };
#define WP__Q_CLOSED (1ull << 63)

struct wp__taskq {
	/* Producers' line. */
	_Atomic uint64_t enq __attribute__((aligned(WP__CACHELINE)));
	_Atomic uint64_t deq_hint; /* a recent deq; never ahead of it */
	_Atomic unsigned cap;      /* the logical capacity */
	_Atomic unsigned hwm;
	/* Consumers' line. */
	_Atomic uint64_t deq __attribute__((aligned(WP__CACHELINE)));
	/* Read-mostly. */
	struct wp__cell *cells __attribute__((aligned(WP__CACHELINE)));
	char (*kinds)[WP_KIND_MAX]; /* cell i's kind, when has_kind */
	uint64_t mask;
	_Atomic unsigned lmask; /* bit l: list l is not empty */
	_Atomic unsigned llen;  /* tasks in the lists */
	const atomic_uint *gate; /* the pool's: paused or halted, take none */
	pthread_mutex_t mu;     /* the lists */
	struct wp__qnode *head[WP__NLISTS], *tail[WP__NLISTS]; /* mu */
};
int wp__q_init(struct wp__taskq *q, unsigned cap, const atomic_uint *gate);
void wp__q_fini(struct wp__taskq *q);
/* Admission: 0 and *id, WP_EFULL, WP_ECLOSED or WP_ENOMEM.  The id (and
 * the pool's accepted count, which is the last id) is taken only once the
 * task has a place. */
int wp__q_push(wp_pool *pool, const struct wp__task *t, const char *kind,
	       uint64_t *id);
/* Puts back a task taken by a worker that may not run it now (pause,
 * retire): it goes first.  Never refused. */
void wp__q_push_front(struct wp__taskq *q, const struct wp__task *t,
		      const char *kind);
/* Takes the next task into *out (kind into kind[], if it has one). */
bool wp__q_pop(struct wp__taskq *q, struct wp__task *out,
	       char kind[WP_KIND_MAX]);
/* Takes up to max tasks from the ring at once (a worker's private
 * batch).  Returns how many.  `ahead`: the cells are most likely
 * published already (asks for them all at once, to write). */
unsigned wp__q_take(struct wp__taskq *q, struct wp__task *out,
		    char (*kinds)[WP_KIND_MAX], unsigned max, bool ahead);
/* One task from the locked lists: those that go before the ring
 * (priorities, front) or, with before_ring false, any. */
bool wp__q_pop_list(struct wp__taskq *q, struct wp__task *out,
		    char kind[WP_KIND_MAX], bool before_ring);
/* Several tasks are plainly queued (a cheap look). */
bool wp__q_deep(struct wp__taskq *q);
/* Closes admission (idempotent).  Returns true if this call closed it. */
bool wp__q_close(struct wp__taskq *q);
bool wp__q_is_closed(const struct wp__taskq *q);
/* Nothing queued, nor claimed by a push that has not finished yet. */
bool wp__q_is_empty(struct wp__taskq *q);
/* Tasks queued (approximate while pushes and pops run). */
unsigned wp__q_len(struct wp__taskq *q);
/* The oldest queued task's submit ticks, 0 if none. */
int64_t wp__q_oldest(struct wp__taskq *q);
/* Something a worker could take now, by a cheap look (no lock). */
bool wp__q_ready(struct wp__taskq *q);
/* Takes every queued task (waiting for pushes in flight: call after
 * closing) and hands each to fn, no lock held. */
void wp__q_drain(wp_pool *pool,
		 void (*fn)(wp_pool *, const struct wp__task *, const char *));

/* ------------------------------------------------------------------------
 * mem.c: a pool's big buffers (task-queue cells, result lanes, event
 * ring), mapped and kept across pools.  Page-aligned, zeroed only if asked
 * (a fresh mapping always is); put back with the size they were got with.
 */
#define WP__MEM_CACHE_BYTES (16u << 20) /* kept with no pool using them */
void *wp__mem_get(size_t size, bool zero);
void wp__mem_put(void *p, size_t size); /* NULL: nothing */
size_t wp__mem_kept(void); /* bytes cached now */
bool wp__mem_keeps(void);  /* false under AddressSanitizer: heap, no cache */

/* ------------------------------------------------------------------------
 * lane.c: how outcomes reach the result handler.
 *
 * Each worker slot has a lane: a single-producer single-consumer ring of
 * compact records (the slot's thread writes, the result handler reads).
 * Outcomes made anywhere else (a timeout, a cancel, a forced stop) go on
 * the side list, under side_mu.  The handler sleeps on `rstate`; workers
 * wake it in batches (docs/design.md).
 */
#define WP__LANE_CAP 1024 /* records a lane can hold */
/* Results older than this wake a sleeping handler at the next run. */
#define WP__LANE_AGE_NS (1000 * WP__NS_PER_US)
enum {
	WP__REC_PANICKED = 1,
	WP__REC_CRASHED = 2,
	WP__REC_NEVER_RAN = 4,
	WP__REC_MSG = 8,
	WP__REC_KIND = 16,
};
/* A record is 32 bytes, two to a cache line: every record crosses from a
 * worker's CPU to the handler's, and the lines it crosses in are most of
 * what an outcome costs.  Durations are packed in 32 bits (wp__dur_pack):
 * nanoseconds to a second, microseconds to 17 minutes, then coarser. */
struct wp__rec {
	uint64_t id, value;
	uint32_t queued, run; /* wp__dur_pack() */
	int32_t code;
	int16_t worker;
	uint8_t priority;
	uint8_t bits; /* outcome | flags << 3 */
};
_Static_assert(sizeof(struct wp__rec) == 32, "two records per line");
#define WP__REC_BITS(outcome, flags) ((uint8_t)((outcome) | (flags) << 3))
#define WP__REC_OUTCOME(r) ((r)->bits & 7)
#define WP__REC_FLAGS(r) ((r)->bits >> 3)

/* Asks for a line with the intent to write it, so a store to it later
 * finds it already ours.  PREFETCHW where the CPU has it (a plain
 * prefetch brings the line shared, and the store must still take it
 * from the other CPU); a plain prefetch elsewhere. */
static inline void
wp__prefetch_w(const void *p)
{
#if defined(__x86_64__)
	if (WP__LIKELY(wp__clk.prefetchw)) {
		__asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
		return;
	}
#endif
	__builtin_prefetch(p, 1, 3);
}

static inline uint32_t
wp__dur_pack(int64_t ns)
{
	const int64_t lim = 1 << 30;

	if (ns < 0)
		ns = 0;
	if (ns < lim)
		return (uint32_t)ns;
	if (ns / 1000 < lim)
		return 1u << 30 | (uint32_t)(ns / 1000);
	if (ns / 1000000 < lim)
		return 2u << 30 | (uint32_t)(ns / 1000000);
	return 3u << 30 | (uint32_t)WP__MIN(ns / 1000000000, lim - 1);
}

static inline int64_t
wp__dur_unpack(uint32_t v)
{
	static const int64_t scale[4] = {1, 1000, 1000000, 1000000000};

	return (int64_t)(v & ((1u << 30) - 1)) * scale[v >> 30];
}

struct wp__lane {
	/* The producer's: the slot's current thread (a slot changes hands
	 * only under pool->mu). */
	_Atomic uint64_t tail __attribute__((aligned(WP__CACHELINE)));
	uint64_t head_cache; /* a recent head */
	unsigned nout;       /* pushed since the handler last looked */
	int64_t out_since;   /* ticks of the first of them */
	/* The consumer's: the handler, or the producer itself when the lane
	 * is full or the handler is gone; whoever holds cmu. */
	_Atomic uint64_t head __attribute__((aligned(WP__CACHELINE)));
	pthread_mutex_t cmu; /* held across a delivery from this lane */
	struct wp__rec rec[WP__LANE_CAP] __attribute__((aligned(WP__CACHELINE)));
	char msg[WP__LANE_CAP][WP_MSG_MAX];   /* when WP__REC_MSG */
	char kind[WP__LANE_CAP][WP_KIND_MAX]; /* when WP__REC_KIND */
};

enum wp__rstate {
	WP__R_AWAKE,    /* the handler runs or will look again */
	WP__R_SLEEPING, /* parked on rstate: wake it to be seen */
	WP__R_CLOSING,  /* the handler's last pass */
	WP__R_GONE,     /* no handler: producers deliver inline */
};

/* Why a producer looks at the handler (wp__lane_check). */
enum wp__check {
	WP__CHK_RUN,  /* a run starts: wake it for a batch or old results */
	WP__CHK_PARK, /* about to sleep or leave: wake it for anything */
};

struct wp__rnode {
	struct wp__rnode *next;
	struct wp_result r;
};

struct wp__lane *wp__lane_new(void);
void wp__lane_free(struct wp__lane *l); /* NULL: nothing */
/* Before a push at tail t that wp__lane_push() cannot do alone: makes
 * room if the lane looks full (delivering it) and stores the message and
 * kind label of record t. */
void wp__lane_prepare(wp_pool *pool, struct wp__lane *l, uint64_t t,
		      const struct wp__rec *r, const char *msg,
		      const char *kind);
/* The producer's look at the handler, after a full fence. */
void wp__lane_check(wp_pool *pool, struct wp__lane *l, int64_t now,
		    enum wp__check why);
/* An outcome made off the worker path: queued on the side list, or
 * delivered inline once the handler is gone.  Copies r. */
void wp__deliver_side(wp_pool *pool, const struct wp_result *r);
void wp__results_wake(wp_pool *pool);
/* The handler's pass over every lane and the side list: delivers what it
 * finds; returns how many. */
unsigned wp__results_pass(wp_pool *pool);
/* Anything waiting for the handler? */
bool wp__results_pending(wp_pool *pool);
/* Results waiting, for the metrics. */
unsigned wp__results_queued(wp_pool *pool);
/* The same, less the lanes their producer is delivering right now (a
 * full lane, lane.c): what a pass of the handler could take. */
unsigned wp__results_takeable(wp_pool *pool);
/* The handler's last act: closes the side list, drains, marks it gone
 * (producers deliver their own lanes from then on). */
void wp__results_close(wp_pool *pool);
/* Delivers inline whatever is left in any lane: only once the handler is
 * gone and no thread fills a slot (the end of the ordered stop). */
void wp__results_sweep(wp_pool *pool);

/* ------------------------------------------------------------------------
 * The task context (ctx.c), embedded in each worker thread.  Reused from
 * task to task; `seq` tells runs apart so a late cancel can't leak into
 * the next task.
 */
struct wp_ctx {
	wp_pool *pool;
	struct wp__thread *thread;
	uint64_t task_id;     /* owner thread only */
	int64_t deadline_ns;  /* owner thread only; CLOCK_MONOTONIC, 0: none */
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

#define WP__BATCH_MAX 16 /* tasks a worker takes from the ring at once */
#define WP__IDLE_SPIN_US 500 /* the longest an idle worker spins */

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
	bool detached;               /* pool->mu: left behind by a forced stop */
	enum wp__thread_role role;   /* pool->mu */
	int slot;                    /* pool->mu; -1 unless ROLE_SLOT */
	uint32_t park_bit;           /* its futex bit on work_seq; immutable */
	int last_slot;               /* pool->mu; the slot it last filled */
	char name[WP_NAME_MAX];      /* pool->mu */
	bool overdue;                /* pool->mu: claimed at the orphan cap */
	bool is_long;                /* owner: counted in pool->long_tasks */
	_Atomic uint64_t tasks_done; /* owner writes, others read */
	uint64_t runs;               /* owner only: run counter */
	int64_t ewma;                /* owner: usual run time, ticks */
	unsigned over;               /* owner: runs in a row past the usual */

	/* The current run, published by the store of `run` (and a fence);
	 * the fields below are written before it by the owner.  `cur` is
	 * read by a claimant (under pool->mu) once its CAS has won; the owner
	 * does not touch it again before it has taken pool->mu. */
	_Atomic uint64_t run;
	_Atomic(struct wp__task *) task; /* &cur while ACTIVE or CLAIMED */
	_Atomic int64_t deadline;        /* ticks; WP__NEVER if none */
	_Atomic int64_t started;         /* ticks */
	_Atomic int64_t last_end;        /* ticks: when its last run ended */
	_Atomic uint64_t cur_task_id;    /* for wp_pool_workers() */
	_Atomic uint64_t kindw[3];       /* the kind, WP_KIND_MAX bytes */
	bool kind_shown;                 /* owner: kindw holds a label */
	struct wp__task cur;
	char cur_kind[WP_KIND_MAX];

	/* The private batch (batch.c): head | tail << 32, owner takes by
	 * CAS, a holder of pool->mu may take the rest. */
	_Atomic uint64_t bq_ht;
	bool bq_deep; /* the last take found a full batch (the owner's) */
	struct wp__task bq[WP__BATCH_MAX];
	char bq_kind[WP__BATCH_MAX][WP_KIND_MAX];

	struct wp_ctx ctx;
	pthread_mutex_t sleep_mu; /* wp_ctx_sleep() wake-ups */
	pthread_cond_t sleep_cv;

	/* Owner-written counters (others read); folded into the pool's at
	 * exit under pool->mu. */
	struct {
		_Atomic uint64_t outcome[WP_OUTCOME_COUNT];
		_Atomic uint64_t panics, crashes, late;
	} cnt __attribute__((aligned(WP__CACHELINE)));
	struct wp__hist hist;

	/* Fault containment: where a panic or a contained signal lands. */
	sigjmp_buf jb;
	volatile sig_atomic_t in_task;
	volatile sig_atomic_t fault_signo;
	char panic_msg[WP_MSG_MAX]; /* owner only */
	void *altstack;
	struct wp__stack *stack; /* pool->mu: given back when joined */
};

/* ------------------------------------------------------------------------
 * batch.c: workers' private batches.
 */
/* A batch's state word: head | tail << 32. */
static inline uint64_t
wp__batch_word(uint32_t head, uint32_t tail)
{
	return (uint64_t)tail << 32 | head;
}
/* The owner's next task from its batch (inline: once per task). */
static inline bool
wp__batch_next(struct wp__thread *t, struct wp__task *out,
	       char kind[WP_KIND_MAX])
{
	uint64_t w = atomic_load_explicit(&t->bq_ht, memory_order_acquire);

	for (;;) {
		uint32_t h = (uint32_t)w, tl = (uint32_t)(w >> 32);

		if (h >= tl) /* empty, or being stolen */
			return false;
		if (atomic_compare_exchange_weak_explicit(
			    &t->bq_ht, &w, wp__batch_word(h + 1, tl),
			    memory_order_seq_cst, memory_order_acquire)) {
			wp__task_copy(out, &t->bq[h]);
			if (out->has_kind)
				memcpy(kind, t->bq_kind[h], WP_KIND_MAX);
			return true;
		}
	}
}
/* The owner takes a new batch from the ring; false if it is empty. */
bool wp__batch_fill(wp_pool *pool, struct wp__thread *t);
/* Takes what is left of t's batch (the owner, or pool->mu held). */
unsigned wp__batch_steal(struct wp__thread *t, struct wp__task *out,
			 char (*kinds)[WP_KIND_MAX]);
/* Steals t's batch back to the front of the queue, in order. */
void wp__batch_requeue(wp_pool *pool, struct wp__thread *t);
/* Tasks left in t's batch; *oldest (optional) lowered to its first
 * task's submit ticks. */
unsigned wp__batch_len(const struct wp__thread *t, int64_t *oldest);
/* Whether t's batch holds no task to take (empty, or being stolen): the
 * owner's test between two tasks, without batch_len's call. */
static inline bool
wp__batch_empty(struct wp__thread *t)
{
	uint64_t w = atomic_load_explicit(&t->bq_ht, memory_order_acquire);

	return (uint32_t)w >= (uint32_t)(w >> 32);
}
/* Cancels every batch's tasks (takes pool->mu; no lock held). */
void wp__batches_cancel(wp_pool *pool);
/* Takes every batch's tasks (mu held) into *tasks and *kinds (malloc'd;
 * NULL if none); returns how many.  The caller cancels them unlocked. */
unsigned wp__batches_steal(wp_pool *pool, struct wp__task **tasks,
			   char (**kinds)[WP_KIND_MAX]);

struct wp__slot {
	struct wp__thread *thread; /* pool->mu; NULL when empty */
	bool waiting_orphan; /* pool->mu: orphaned at cap, no replacement */
};

/* ------------------------------------------------------------------------
 * Error queue (passive.c): bounded FIFO with its own lock, closed exactly
 * once, drained by the error handler.
 */
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
 * the outcome.  The accepted count is the last task id (chan.c): ids are
 * dense and taken only by accepted tasks.
 */
struct wp__counters {
	_Atomic uint64_t rejected[5]; /* full, closed, nomem, timeout, deadlock */
	_Atomic uint64_t outcome[WP_OUTCOME_COUNT];
	_Atomic uint64_t panics, crashes, late_discarded;
	_Atomic uint64_t delivered, results_direct;
	_Atomic uint64_t errors_reported, errors_dropped;
	_Atomic uint64_t next_task_id __attribute__((aligned(WP__CACHELINE)));
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

/* The workers' gate: what a worker must look at before running a task
 * it took (one relaxed load per task). */
enum {
	WP__G_HALT = 1,   /* cancel or shutdown: run nothing more */
	WP__G_PAUSE = 2,  /* take nothing more */
	WP__G_RETIRE = 4, /* a resize retired slots: check yours */
	WP__G_CLOSE = 8,  /* close-tasks: leave once the queue is empty */
};

/* ------------------------------------------------------------------------
 * The pool.
 */
struct wp_pool {
	/* Immutable after create, except cfg fields changed under mu. */
	struct wp_config cfg; /* mu (runtime options change it) */
	atomic_int refs;      /* user + threads left behind by a forced stop */
	atomic_bool muted;    /* set by destroy: no callback starts after it */
	atomic_uint cb_active; /* callbacks running (wp__cb_enter) */
	unsigned ncpu;        /* immutable: CPUs this process may use */

	/* The task queue and the submitters blocked on it. */
	struct wp__taskq tasks;
	_Atomic uint32_t room_seq __attribute__((aligned(WP__CACHELINE)));
	_Atomic int room_armed;   /* a submitter waits for room */
	atomic_uint blocked;      /* submitters waiting for room */
	_Atomic int64_t task_tk;  /* a worker's usual task length, ticks */

	/* Scheduling of workers (worker.c): all lock-free.  Written only
	 * when a worker parks, wakes, starts or stops spinning. */
	_Atomic uint32_t work_seq __attribute__((aligned(WP__CACHELINE)));
	atomic_int sleepers;   /* slot workers parked on work_seq */
	_Atomic uint32_t last_parked; /* park bit of the latest to park (a
				       * hint: relaxed) */
	atomic_int awake;      /* slot workers not parked */
	atomic_int waking;     /* wake-ups sent, not yet taken */
	atomic_int long_tasks; /* workers whose usual task is long */
	/* Written by the watchdog's supervision (watchdog.c), only when
	 * they change: tasks starve behind busy workers (until its next
	 * look, no woken worker steps aside, and a taken task wakes helpers
	 * as if tasks were long); workers stuck in a run of 5 ms or more
	 * (awake, but taking no turns on the queue). */
	atomic_bool starved;
	atomic_int stuck;
	/* The spinner's line: written at every spin's start and end, so
	 * apart from the counters a submit reads. */
	atomic_int spinning /* 0 or 1: a worker watching the queue */
		__attribute__((aligned(WP__CACHELINE)));
	_Atomic int64_t spin_tk;     /* the spinner's current limit, ticks */
	_Atomic int64_t spin_end;    /* ticks: when a spin last gave up */
	_Atomic int64_t spin_max_ns; /* the idle-spin option (0: no spin) */

	/* Read at every task, written only when a signal fires or an
	 * option changes: a line of their own, so that no write made per
	 * task or per spin (above) makes every worker miss on them. */
	atomic_uint gate /* WP__G_* */
		__attribute__((aligned(WP__CACHELINE)));
	_Atomic int64_t task_timeout_ns; /* the pool's default; 0: none */
	atomic_uint lane_share; /* records a lane may hold (lane.c) */

	/* Results (lane.c).  rstate is the handler's futex word. */
	_Atomic uint32_t rstate __attribute__((aligned(WP__CACHELINE)));
	atomic_uint nlanes;     /* lanes[0 .. nlanes) exist */
	atomic_int producers;   /* slot workers + watchdog */
	atomic_bool res_close;  /* close-results fired */
	_Atomic(struct wp__lane *) lanes[WP_WORKERS_MAX];
	atomic_uint result_hwm;
	pthread_mutex_t side_mu;
	struct wp__rnode *side_head, *side_tail; /* side_mu */
	atomic_uint side_len;
	bool side_closed;                        /* side_mu */

	pthread_mutex_t mu;
	pthread_cond_t idle_cv;   /* wait_idle and drain: mu */
	pthread_cond_t thread_cv; /* a thread exited (stop's bounded wait): mu */
	pthread_cond_t watch_cv;  /* watchdog wake-ups: mu */
	pthread_cond_t spare_cv;  /* parked spare threads: mu */

	/* State, protected by mu. */
	bool started;
	atomic_uint idle_waiters;   /* wait_idle/drain callers */
	atomic_bool draining;       /* a drain is running its first part */
	bool stopping;              /* mu: the ordered stop is running */
	bool contain;               /* crash containment: fixed at create */

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
	bool watch_rescan;        /* mu: it must scan the runs at its next look */
	_Atomic int64_t watch_at; /* ticks: when the watchdog looks next */
	int64_t watch_guess;      /* mu: a usual timeout (ticks) */
	uint64_t watch_runsum;    /* mu: runs seen by the last scan */
	atomic_bool supervise;    /* the watchdog watches for starved tasks */

	/* Auxiliary threads. */
	pthread_t watchdog_tid, results_tid, errors_tid, monitor_tid,
		health_tid;
	bool watchdog_alive, results_alive, errors_alive, monitor_alive,
		health_alive; /* mu */
	/* Indexed by enum wp_thread_class (aux classes only): mu. */
	bool aux_started[WP_THREAD_ORPHAN + 1];
	bool aux_joined[WP_THREAD_ORPHAN + 1];
	bool aux_detached[WP_THREAD_ORPHAN + 1];
	struct wp__stack *aux_stack[WP_THREAD_ORPHAN + 1];
	struct wp__stack *stacks; /* mu: every stack the pool mapped */

	/* Timed threads' stop signals wake them through these. */
	pthread_cond_t monitor_cv; /* mu */
	pthread_cond_t health_cv;  /* mu */

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
	bool (*stop_wait)(const wp_pool *); /* mu: what the stopper waits for */
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

/* Is a look at the handler due before the next run?  Only for results it
 * has not seen: WP_RESULT_BATCH of them or three quarters of a lane, old
 * ones, or any when tasks are long. */
static inline bool
wp__lane_due(wp_pool *pool, const struct wp__lane *l, int64_t now,
	     bool is_long)
{
	unsigned share;

	if (WP__LIKELY(l->nout == 0))
		return false;
	if (is_long)
		return true;
	share = atomic_load_explicit(&pool->lane_share, memory_order_relaxed);
	return l->nout >= WP__MAX(WP_RESULT_BATCH, share - share / 4) ||
	       now - l->out_since >= wp__ns2tk(WP__LANE_AGE_NS);
}

/* Pushes one outcome (the producer's; if the lane is full, the producer
 * delivers it first).  Inline: once per task on the worker's path; the
 * rare part is wp__lane_prepare(). */
static inline void
wp__lane_push(wp_pool *pool, struct wp__lane *l, const struct wp__rec *r,
	      const char *msg, const char *kind, int64_t now)
{
	uint64_t t = atomic_load_explicit(&l->tail, memory_order_relaxed);

	if (WP__UNLIKELY(t - l->head_cache >=
				 atomic_load_explicit(&pool->lane_share,
						      memory_order_relaxed) ||
			 (WP__REC_FLAGS(r) & (WP__REC_MSG | WP__REC_KIND))))
		wp__lane_prepare(pool, l, t, r, msg, kind);
	l->rec[t & (WP__LANE_CAP - 1)] = *r;
	atomic_store_explicit(&l->tail, t + 1, memory_order_release);
	/* The next line of records was read by the consumer a lap ago: a
	 * store to it would wait for the line to come back from that CPU,
	 * and the worker's next locked instruction would pay the wait.  Asked
	 * for now, it comes back while the next task runs. */
	wp__prefetch_w(&l->rec[(t + 2) & (WP__LANE_CAP - 1)]);
	if (l->nout++ == 0)
		l->out_since = now;
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
/* The lane share for the current result cap and target (mu held). */
void wp__lane_share_update(wp_pool *pool);

/* ------------------------------------------------------------------------
 * submit.c: blocked submitters.
 */
/* Wakes every submitter waiting for room. */
void wp__room_wake(wp_pool *pool);
/* The queue length a submitter waiting for room is woken at (submit.c). */
unsigned wp__room_mark(wp_pool *pool);

/* ------------------------------------------------------------------------
 * worker.c
 */
void *wp__worker_main(void *arg);
/* The slot's lane, made on first use (mu held). */
int wp__lane_for(wp_pool *pool, int slot);
/* Spawns a thread for slot; mu held. */
int wp__worker_spawn(wp_pool *pool, int slot);
/* Counts an outcome set off the worker path. */
void wp__count_outcome(wp_pool *pool, enum wp_outcome o);
/* Workers have been told to go: cancel, shutdown, or closed and empty
 * (mu held). */
bool wp__workers_should_exit(wp_pool *pool);
void wp__thread_take_slot(wp_pool *pool, struct wp__thread *t, int slot);
/* Takes t out of its slot's scheduling counts (mu held). */
void wp__unslot(wp_pool *pool, struct wp__thread *t);
void wp__thread_free(struct wp__thread *t);
/* A task was queued: wake a parked worker if none will see it soon. */
void wp__workers_kick(wp_pool *pool);
/* Wakes one parked worker, or all of them. */
int wp__workers_wake(wp_pool *pool, int n); /* how many it woke */
/* Changes the gate and wakes every parked worker to look at it. */
void wp__gate_set(wp_pool *pool, unsigned bits);
void wp__gate_clear(wp_pool *pool, unsigned bits);
/* The cancelled outcome of a task that never started (a drain's fn). */
void wp__cancel_queued(wp_pool *pool, const struct wp__task *t,
		       const char *kind);

/* ------------------------------------------------------------------------
 * watchdog.c
 */
void *wp__watchdog_main(void *arg);
/* Called by a worker that started a timed run (no lock held). */
void wp__watchdog_notice(wp_pool *pool, int64_t deadline);
/* Asks the watchdog to look for tasks starved behind busy workers. */
void wp__supervise(wp_pool *pool);
/* Claims a thread's active run (CAS); returns the task (and its run
 * number) or NULL. */
struct wp__task *wp__claim_run(struct wp__thread *t, uint64_t *run);
/* The result of a claimed run, built from the thread's published run
 * (mu held). */
void wp__claimed_result(struct wp__thread *t, const struct wp__task *task,
			int64_t now_ticks, enum wp_outcome o, int code,
			const char *msg, struct wp_result *r);
/* Leaves a claimed thread behind as an orphan and (if replace) fills its
 * slot with a spare or a new thread; at the orphan cap the slot waits
 * instead (mu held). */
void wp__orphan(wp_pool *pool, struct wp__thread *t, bool replace);
/* Joins threads that have exited; mu held on entry and exit (drops it
 * around pthread_join). */
void wp__reap_exited(wp_pool *pool);

/* ------------------------------------------------------------------------
 * passive.c: result and error handlers.
 */
void *wp__results_main(void *arg);
void *wp__errors_main(void *arg);
int wp__errorq_init(struct wp__errorq *q, unsigned cap);
void wp__errorq_fini(struct wp__errorq *q);
/* Producer registration: a thread that may push results or errors holds a
 * producer reference so that a cancelled consumer waits for it. */
void wp__producer_enter(wp_pool *pool);
void wp__producer_leave(wp_pool *pool);
/* Non-blocking: dropped and counted when full or closed (S5.1). */
void wp__report_error(wp_pool *pool, uint64_t task_id, const char *kind,
		      int worker, enum wp_outcome o, int code,
		      const char *msg);
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
/* A thread exited (mu held): wakes the stopper if that ends its wait. */
void wp__thread_gone(wp_pool *pool);
/* Records a thread's exit for the stop report (mu held). */
void wp__stop_log_exit(wp_pool *pool, const char *name,
		       enum wp_thread_class cls);

/* ------------------------------------------------------------------------
 * ctx.c
 */
/* A run of t begins: its context, reused from run to run, is reset
 * (inline: once per task on the worker's path). */
static inline void
wp__ctx_begin(struct wp__thread *t, uint64_t task_id, uint64_t run,
	      int64_t deadline_ticks)
{
	struct wp_ctx *c = &t->ctx;

	c->task_id = task_id;
	c->deadline_ns = deadline_ticks == WP__NEVER
				 ? 0
				 : wp__tk2mono(deadline_ticks);
	c->value = 0;
	c->has_msg = false;
	atomic_store_explicit(&c->seq, run, memory_order_relaxed);
}
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
