/*
 * test-events.c - unit tests of core/events.c: sequence numbers, reading
 * after a seq, wrap-around and lost counts, text truncation, and
 * concurrent pushers.
 */
#include "wptest.h"

#include "wp-internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUSHERS 8
#define PUSHES 2000
#define RING 64

static void
push(struct wp__events *ev, const char *text)
{
	wp__events_push(ev, WP_EV_NOTE, 0, -1, text, NULL);
}

static void
test_init_rejects_zero_cap(void **state)
{
	struct wp__events ev;

	(void)state;
	assert_int_equal(wp__events_init(&ev, 0), WP_EINVAL);
	assert_int_equal(wp__events_init(NULL, 8), WP_EINVAL);
	assert_int_equal(wp__events_init(&ev, 1), 0);
	wp__events_fini(&ev);
}

static void
test_push_fills_event(void **state)
{
	struct wp__events ev;
	struct wp_event out, buf[4];
	size_t got = 99;
	uint64_t lost = 99;
	int64_t before = wpt_now_ms();

	(void)state;
	assert_int_equal(wp__events_init(&ev, 8), 0);

	/* Empty ring: nothing, nothing lost. */
	assert_int_equal(wp__events_read(&ev, 0, buf, 4, &got, &lost), 0);
	assert_int_equal(got, 0);
	assert_int_equal(lost, 0);

	wp__events_push(&ev, WP_EV_TIMEOUT, 42, 3, "task 42 timed out", &out);
	assert_int_equal(out.seq, 1);
	assert_int_equal(out.type, WP_EV_TIMEOUT);
	assert_int_equal(out.task_id, 42);
	assert_int_equal(out.worker, 3);
	assert_string_equal(out.text, "task 42 timed out");
	assert_true(out.at_ns > 0);
	assert_true(out.wall_ms > 1000000000000LL); /* after 2001 */
	assert_true(out.at_ns / WP__NS_PER_MS >= before);

	wp__events_push(&ev, WP_EV_NOTE, 0, -1, NULL, &out);
	assert_int_equal(out.seq, 2);
	assert_string_equal(out.text, "");

	assert_int_equal(wp__events_read(&ev, 0, buf, 4, &got, &lost), 0);
	assert_int_equal(got, 2);
	assert_int_equal(lost, 0);
	assert_int_equal(buf[0].seq, 1);
	assert_int_equal(buf[0].task_id, 42);
	assert_string_equal(buf[0].text, "task 42 timed out");
	assert_int_equal(buf[1].seq, 2);
	assert_int_equal(buf[1].worker, -1);
	assert_true(buf[1].at_ns >= buf[0].at_ns);
	assert_memory_equal(&buf[1], &out, sizeof(out));

	/* After the newest, or past it: nothing. */
	assert_int_equal(wp__events_read(&ev, 2, buf, 4, &got, &lost), 0);
	assert_int_equal(got, 0);
	assert_int_equal(wp__events_read(&ev, UINT64_MAX, buf, 4, &got, &lost),
			 0);
	assert_int_equal(got, 0);
	assert_int_equal(lost, 0);
	wp__events_fini(&ev);
}

static void
test_read_arguments(void **state)
{
	struct wp__events ev;
	struct wp_event buf[2];
	size_t got = 77;
	uint64_t lost = 77;

	(void)state;
	assert_int_equal(wp__events_init(&ev, 4), 0);
	push(&ev, "a");
	assert_int_equal(wp__events_read(NULL, 0, buf, 2, &got, NULL),
			 WP_EINVAL);
	assert_int_equal(wp__events_read(&ev, 0, NULL, 2, &got, NULL),
			 WP_EINVAL);
	assert_int_equal(wp__events_read(&ev, 0, buf, 2, NULL, NULL),
			 WP_EINVAL);
	/* Nothing written on error. */
	assert_int_equal(got, 77);
	assert_int_equal(lost, 77);
	/* n = 0 copies nothing but is valid; lost is optional. */
	assert_int_equal(wp__events_read(&ev, 0, NULL, 0, &got, &lost), 0);
	assert_int_equal(got, 0);
	assert_int_equal(lost, 0);
	assert_int_equal(wp__events_read(&ev, 0, buf, 2, &got, NULL), 0);
	assert_int_equal(got, 1);
	wp__events_fini(&ev);
}

static void
test_wrap_and_lost(void **state)
{
	struct wp__events ev;
	struct wp_event buf[8];
	char text[16];
	size_t got, i;
	uint64_t lost;
	int k;

	(void)state;
	assert_int_equal(wp__events_init(&ev, 4), 0);
	for (k = 1; k <= 10; k++) {
		snprintf(text, sizeof(text), "e%d", k);
		push(&ev, text);
	}

	/* Only 7..10 are left: 1..6 were overwritten. */
	assert_int_equal(wp__events_read(&ev, 0, buf, 8, &got, &lost), 0);
	assert_int_equal(got, 4);
	assert_int_equal(lost, 6);
	for (i = 0; i < got; i++) {
		snprintf(text, sizeof(text), "e%zu", i + 7);
		assert_int_equal(buf[i].seq, i + 7);
		assert_string_equal(buf[i].text, text);
	}

	/* A reader that had seen 4 lost 5 and 6. */
	assert_int_equal(wp__events_read(&ev, 4, buf, 8, &got, &lost), 0);
	assert_int_equal(got, 4);
	assert_int_equal(lost, 2);
	assert_int_equal(buf[0].seq, 7);

	/* A reader that had seen 6 lost nothing; n limits the copy and
	 * the oldest come first. */
	assert_int_equal(wp__events_read(&ev, 6, buf, 2, &got, &lost), 0);
	assert_int_equal(got, 2);
	assert_int_equal(lost, 0);
	assert_int_equal(buf[0].seq, 7);
	assert_int_equal(buf[1].seq, 8);
	assert_int_equal(wp__events_read(&ev, 8, buf, 8, &got, &lost), 0);
	assert_int_equal(got, 2);
	assert_int_equal(buf[0].seq, 9);
	assert_int_equal(buf[1].seq, 10);

	/* Following the stream with the last seq seen loses nothing more. */
	push(&ev, "e11");
	assert_int_equal(wp__events_read(&ev, 10, buf, 8, &got, &lost), 0);
	assert_int_equal(got, 1);
	assert_int_equal(lost, 0);
	assert_string_equal(buf[0].text, "e11");
	wp__events_fini(&ev);
}

static void
test_text_truncation(void **state)
{
	struct wp__events ev;
	struct wp_event out;
	char text[3 * WP_EVENT_TEXT_MAX];
	size_t i;

	(void)state;
	assert_int_equal(wp__events_init(&ev, 2), 0);

	/* Plain ASCII: cut to WP_EVENT_TEXT_MAX - 1 bytes, terminated. */
	for (i = 0; i < sizeof(text) - 1; i++)
		text[i] = (char)('a' + i % 26);
	text[sizeof(text) - 1] = '\0';
	wp__events_push(&ev, WP_EV_NOTE, 0, -1, text, &out);
	assert_int_equal(strlen(out.text), WP_EVENT_TEXT_MAX - 1);
	assert_memory_equal(out.text, text, WP_EVENT_TEXT_MAX - 1);

	/* Exactly the maximum that fits is kept whole. */
	text[WP_EVENT_TEXT_MAX - 1] = '\0';
	wp__events_push(&ev, WP_EV_NOTE, 0, -1, text, &out);
	assert_string_equal(out.text, text);

	/* A two-byte character straddling the cut is dropped whole. */
	memset(text, 'x', sizeof(text));
	text[WP_EVENT_TEXT_MAX - 2] = (char)0xc3; /* e-acute, 2 bytes */
	text[WP_EVENT_TEXT_MAX - 1] = (char)0xa9;
	text[sizeof(text) - 1] = '\0';
	wp__events_push(&ev, WP_EV_NOTE, 0, -1, text, &out);
	assert_int_equal(strlen(out.text), WP_EVENT_TEXT_MAX - 2);

	/* A three-byte character whose lead is the last byte kept. */
	memset(text, 'y', sizeof(text));
	text[WP_EVENT_TEXT_MAX - 2] = (char)0xe2; /* U+2026, 3 bytes */
	text[WP_EVENT_TEXT_MAX - 1] = (char)0x80;
	text[WP_EVENT_TEXT_MAX] = (char)0xa6;
	text[sizeof(text) - 1] = '\0';
	wp__events_push(&ev, WP_EV_NOTE, 0, -1, text, &out);
	assert_int_equal(strlen(out.text), WP_EVENT_TEXT_MAX - 2);
	assert_int_equal((unsigned char)out.text[WP_EVENT_TEXT_MAX - 3], 'y');

	/* A character that ends right at the cut is kept. */
	memset(text, 'z', sizeof(text));
	text[WP_EVENT_TEXT_MAX - 3] = (char)0xc3;
	text[WP_EVENT_TEXT_MAX - 2] = (char)0xa9;
	text[sizeof(text) - 1] = '\0';
	wp__events_push(&ev, WP_EV_NOTE, 0, -1, text, &out);
	assert_int_equal(strlen(out.text), WP_EVENT_TEXT_MAX - 1);

	/* The bytes after the terminator are zero, never stale. */
	wp__events_push(&ev, WP_EV_NOTE, 0, -1, "short", &out);
	for (i = strlen("short"); i < WP_EVENT_TEXT_MAX; i++)
		assert_int_equal(out.text[i], 0);
	wp__events_fini(&ev);
}

struct pusher {
	struct wp__events *ev;
	int index;
	uint64_t seqs[PUSHES]; /* what push reported, checked after join */
	bool bad_copy;
};

static void *
pusher_main(void *arg)
{
	struct pusher *p = arg;
	struct wp_event out;
	char text[32];
	int i;

	for (i = 0; i < PUSHES; i++) {
		snprintf(text, sizeof(text), "p%d-%d", p->index, i);
		wp__events_push(p->ev, WP_EV_NOTE, (uint64_t)i, p->index, text,
				&out);
		p->seqs[i] = out.seq;
		if (out.worker != p->index || strcmp(out.text, text) != 0)
			p->bad_copy = true;
	}
	return NULL;
}

struct follower {
	struct wp__events *ev;
	atomic_bool done;
	uint64_t seen, lost; /* read and lost, accounted by seq */
	bool out_of_order;
};

/* Follows the stream like the console does: every seq is either read or
 * counted as lost, exactly once. */
static void *
follower_main(void *arg)
{
	struct follower *f = arg;
	struct wp_event buf[16];
	uint64_t after = 0, lost;
	size_t got, i;
	bool last = false;

	while (!last) {
		last = atomic_load(&f->done);
		do {
			if (wp__events_read(f->ev, after, buf, 16, &got,
					    &lost) != 0)
				return NULL;
			if (got > 0 && buf[0].seq != after + lost + 1)
				f->out_of_order = true;
			for (i = 1; i < got; i++)
				if (buf[i].seq != buf[i - 1].seq + 1 ||
				    buf[i].at_ns < buf[i - 1].at_ns)
					f->out_of_order = true;
			f->lost += lost;
			f->seen += got;
			if (got > 0)
				after = buf[got - 1].seq;
		} while (got > 0);
	}
	return NULL;
}

static void
test_concurrent_pushers(void **state)
{
	struct wp__events ev;
	struct pusher *p = calloc(PUSHERS, sizeof(*p));
	struct follower f = {.ev = &ev};
	pthread_t tid[PUSHERS], ftid;
	uint64_t total = (uint64_t)PUSHERS * PUSHES, lost;
	unsigned char *hit = calloc(total + 1, 1);
	struct wp_event buf[RING];
	size_t got, i;
	int t, k;

	(void)state;
	assert_non_null(p);
	assert_non_null(hit);
	assert_int_equal(wp__events_init(&ev, RING), 0);
	atomic_init(&f.done, false);
	assert_int_equal(pthread_create(&ftid, NULL, follower_main, &f), 0);
	for (t = 0; t < PUSHERS; t++) {
		p[t].ev = &ev;
		p[t].index = t;
		assert_int_equal(
			pthread_create(&tid[t], NULL, pusher_main, &p[t]), 0);
	}
	for (t = 0; t < PUSHERS; t++)
		assert_int_equal(pthread_join(tid[t], NULL), 0);
	atomic_store(&f.done, true);
	assert_int_equal(pthread_join(ftid, NULL), 0);

	/* Every seq from 1 to total was handed out exactly once, and each
	 * pusher saw its own seqs increase. */
	for (t = 0; t < PUSHERS; t++) {
		assert_false(p[t].bad_copy);
		for (k = 0; k < PUSHES; k++) {
			uint64_t s = p[t].seqs[k];

			assert_true(s >= 1 && s <= total);
			assert_int_equal(hit[s], 0);
			hit[s] = 1;
			if (k > 0)
				assert_true(s > p[t].seqs[k - 1]);
		}
	}

	/* The follower accounted for every event once: read or lost. */
	assert_false(f.out_of_order);
	assert_int_equal(f.seen + f.lost, total);

	/* The ring holds the newest RING events, in order. */
	assert_int_equal(wp__events_read(&ev, 0, buf, RING, &got, &lost), 0);
	assert_int_equal(got, RING);
	assert_int_equal(lost, total - RING);
	for (i = 0; i < got; i++)
		assert_int_equal(buf[i].seq, total - RING + 1 + i);
	wp__events_fini(&ev);
	free(hit);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects_zero_cap),
		cmocka_unit_test(test_push_fills_event),
		cmocka_unit_test(test_read_arguments),
		cmocka_unit_test(test_wrap_and_lost),
		cmocka_unit_test(test_text_truncation),
		cmocka_unit_test(test_concurrent_pushers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
