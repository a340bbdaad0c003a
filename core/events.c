/*
 * events.c - the pool's bounded event ring.
 *
 * Everything noteworthy a pool does (a signal fired, a stop phase, a task
 * timed out, an operator note) becomes a numbered wp_event.  The ring keeps
 * the last `cap` of them so the console and wp_pool_events() can follow
 * the stream by sequence number and learn exactly how many they missed,
 * with memory fixed at create time.
 *
 * DESIGN: any thread pushes; any thread reads.  One mutex, events.mu,
 * guards the ring and the sequence counter.  It comes after every other
 * pool lock but a worker's sleep lock, so a push may happen under any of
 * them.  Under it a push only stamps the clocks, assigns the next seq and
 * copies one struct, so seq order and at_ns order agree; the text is
 * copied in before the lock is taken, and nothing allocates under it.
 * Event seq n lives in ring[(n - 1) % cap] until event n + cap overwrites
 * it.
 *
 * The on_event callback sees the same stream: a thread that pushes an
 * event then flushes, handing every event not yet seen to the callback,
 * one call at a time in seq order (evcb_mu, taken by trylock: a thread
 * that finds another flushing leaves its events to that one).  Code that
 * holds a pool lock pushes with wp__event_later() and flushes after it
 * lets go, so the callback never runs under a pool lock.
 */
#include "wp-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Copies src into dst[WP_EVENT_TEXT_MAX], NUL-terminated and zero-padded.
 * When the text is cut, the cut backs off to the start of a UTF-8
 * sequence so a reader never sees half a character.
 */
static void
copy_text(char *dst, const char *src)
{
	size_t len;

	memset(dst, 0, WP_EVENT_TEXT_MAX);
	if (src == NULL)
		return;
	len = strnlen(src, WP_EVENT_TEXT_MAX);
	if (len == WP_EVENT_TEXT_MAX) {
		len = WP_EVENT_TEXT_MAX - 1;
		/* src[len] is the first byte dropped: if it continues a
		 * sequence, drop that sequence's lead and the rest too. */
		while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, src, len);
}

/* ev->mu is taken even through a const pointer: reading is logically
 * const, locking is not. */
static pthread_mutex_t *
lock_of(const struct wp__events *ev)
{
	return (pthread_mutex_t *)&ev->mu;
}

/* Caller owns ev; on success wp__events_fini() must release it. */
int
wp__events_init(struct wp__events *ev, size_t cap)
{
	if (ev == NULL || cap == 0 || cap > SIZE_MAX / sizeof(*ev->ring))
		return WP_EINVAL;
	ev->ring = wp__mem_get(cap * sizeof(*ev->ring), true);
	if (ev->ring == NULL)
		return WP_ENOMEM;
	if (pthread_mutex_init(&ev->mu, NULL) != 0)
		goto err_free_ring;
	ev->cap = cap;
	ev->next_seq = 1;
	return 0;

err_free_ring:
	wp__mem_put(ev->ring, cap * sizeof(*ev->ring));
	ev->ring = NULL;
	return WP_ESYS;
}

/* Only after a successful wp__events_init(), with no pusher or reader
 * left. */
void
wp__events_fini(struct wp__events *ev)
{
	pthread_mutex_destroy(&ev->mu);
	wp__mem_put(ev->ring, ev->cap * sizeof(*ev->ring));
	ev->ring = NULL;
	ev->cap = 0;
}

/* text may be NULL (empty); out may be NULL when the caller needs no copy. */
void
wp__events_push(struct wp__events *ev, enum wp_event_type type,
		uint64_t task_id, int worker, const char *text,
		struct wp_event *out)
{
	struct wp_event e;
	struct wp_event *slot;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.task_id = task_id;
	e.worker = worker;
	copy_text(e.text, text);

	pthread_mutex_lock(&ev->mu);
	e.seq = ev->next_seq++;
	e.at_ns = wp__now();
	e.wall_ms = wp__wall_ms();
	slot = &ev->ring[(e.seq - 1) % ev->cap];
	*slot = e;
	pthread_mutex_unlock(&ev->mu);

	if (out != NULL)
		*out = e;
}

/*
 * Copies events with seq > after, oldest first, up to n, into buf (caller
 * owns it).  *got gets the number copied; *lost (optional) the number of
 * events after `after` that were overwritten before this read.  Nothing is
 * written on error.
 */
int
wp__events_read(const struct wp__events *ev, uint64_t after,
		struct wp_event *buf, size_t n, size_t *got, uint64_t *lost)
{
	uint64_t newest, oldest, first = 0, missed = 0, avail;
	size_t i, count = 0;

	if (ev == NULL || got == NULL || (buf == NULL && n > 0))
		return WP_EINVAL;

	pthread_mutex_lock(lock_of(ev));
	newest = ev->next_seq - 1;
	oldest = newest >= ev->cap ? newest - ev->cap + 1 : 1;
	if (after < newest) {
		first = after + 1;
		if (first < oldest) {
			missed = oldest - first;
			first = oldest;
		}
		avail = newest - first + 1;
		count = avail < n ? (size_t)avail : n;
	}
	for (i = 0; i < count; i++)
		buf[i] = ev->ring[(first + i - 1) % ev->cap];
	pthread_mutex_unlock(lock_of(ev));

	*got = count;
	if (lost != NULL)
		*lost = missed;
	return 0;
}

/* ------------------------------------------------------------------------
 * Events: the ring plus the on_event callback.  Callbacks run one at a
 * time, in sequence order, on whichever thread flushes; a thread that
 * finds another flushing leaves its events to that one (evcb_more).
 */
void
wp__event_later(wp_pool *pool, enum wp_event_type type, uint64_t task_id,
		int worker, const char *fmt, ...)
{
	char text[WP_EVENT_TEXT_MAX];
	struct wp_event ev;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	wp__events_push(&pool->events, type, task_id, worker, text, &ev);
}

void
wp__events_flush(wp_pool *pool)
{
	struct wp_event buf[32];
	size_t got, i;

	if (!pool->cfg.on_event || !wp__cb_enter(pool))
		return;
	atomic_store(&pool->evcb_more, true);
	while (atomic_load(&pool->evcb_more) &&
	       pthread_mutex_trylock(&pool->evcb_mu) == 0) {
		atomic_store(&pool->evcb_more, false);
		do {
			got = 0;
			wp__events_read(&pool->events, pool->evcb_seq, buf,
					sizeof buf / sizeof buf[0], &got, NULL);
			for (i = 0; i < got; i++) {
				pool->evcb_seq = buf[i].seq;
				pool->cfg.on_event(pool->cfg.udata, &buf[i]);
			}
		} while (got > 0);
		pthread_mutex_unlock(&pool->evcb_mu);
	}
	wp__cb_leave(pool);
}

void
wp__event(wp_pool *pool, enum wp_event_type type, uint64_t task_id,
	  int worker, const char *fmt, ...)
{
	char text[WP_EVENT_TEXT_MAX];
	struct wp_event ev;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	wp__events_push(&pool->events, type, task_id, worker, text, &ev);
	wp__events_flush(pool);
}

int
wp_pool_events(const wp_pool *pool, uint64_t after, struct wp_event *buf,
	       size_t n, size_t *got, uint64_t *lost)
{
	if (!pool || (!buf && n) || !got)
		return WP_EINVAL;
	return wp__events_read(&pool->events, after, buf, n, got, lost);
}

int
wp_pool_note(wp_pool *pool, const char *fmt, ...)
{
	char text[WP_EVENT_TEXT_MAX];
	va_list ap;

	if (!pool || !fmt)
		return WP_EINVAL;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	wp__event(pool, WP_EV_NOTE, 0, -1, "%s", text);
	return 0;
}
