/*
 * mem.c - a pool's big buffers: the task queue's cells, the result lanes
 * and the event ring.
 *
 * DESIGN
 * They are hundreds of KiB each (a result lane alone is 152 KiB), made
 * when a pool starts and dropped when it is destroyed.  From the heap,
 * the last of them to be freed ends at the heap's top and free() gives
 * that back to the kernel (glibc trims past 128 KiB): a page-table change
 * that waits for every CPU that ran the process.  On a VM that was 50-100
 * us of every destroy (bench/FINDINGS.md, session 7), a quarter of an
 * idle pool's whole stop.  So they are mapped here, page by page, and a
 * destroyed pool's buffers are kept for the next pool: one process-wide
 * cache, at most WP__MEM_CACHE_BYTES (16 MiB), as thread.c keeps thread
 * stacks.  A buffer is taken again only at the same size, which a program
 * that makes its pools alike always finds.  (thread.c's stack chunks stay
 * in their own cache: they carry guard pages and chunk bookkeeping.)
 *
 * Built with AddressSanitizer, the buffers come from calloc() and go back
 * with free(): the sanitizer then sees a use after free, which a kept
 * mapping would hide.
 *
 * Locks: cache.mu, a leaf (callers may hold pool->mu), held only to take
 * or put one list entry; no system call under it.  Nothing here stops.
 */
#include "wp-internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define MEM_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEM_HEAP 1
#endif
#endif
#ifndef MEM_HEAP
#define MEM_HEAP 0
#endif

/* A kept buffer's own first bytes say where the next one is. */
struct kept {
	struct kept *next;
	size_t size;
};

static struct {
	pthread_mutex_t mu;
	struct kept *list;
	size_t bytes;
} cache = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};

static size_t
rounded(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (size + page - 1) / page * page;
}

void *
wp__mem_get(size_t size, bool zero)
{
	struct kept **pp, *k;
	void *p;

	if (MEM_HEAP)
		return calloc(1, size);
	size = rounded(size);
	pthread_mutex_lock(&cache.mu);
	for (pp = &cache.list; (k = *pp) != NULL; pp = &k->next)
		if (k->size == size) {
			*pp = k->next;
			cache.bytes -= size;
			break;
		}
	pthread_mutex_unlock(&cache.mu);
	if (k) {
		if (zero)
			memset(k, 0, size);
		return k;
	}
	/* Fresh pages read as zero; only those touched are committed. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void
wp__mem_put(void *p, size_t size)
{
	struct kept *k = p;

	if (!p)
		return;
	if (MEM_HEAP) {
		free(p);
		return;
	}
	size = rounded(size);
	pthread_mutex_lock(&cache.mu);
	if (cache.bytes + size <= WP__MEM_CACHE_BYTES) {
		k->size = size;
		k->next = cache.list;
		cache.list = k;
		cache.bytes += size;
		k = NULL;
	}
	pthread_mutex_unlock(&cache.mu);
	if (k)
		munmap(p, size);
}

size_t
wp__mem_kept(void)
{
	size_t n;

	pthread_mutex_lock(&cache.mu);
	n = cache.bytes;
	pthread_mutex_unlock(&cache.mu);
	return n;
}

bool
wp__mem_keeps(void)
{
	return !MEM_HEAP;
}
