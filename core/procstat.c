/*
 * procstat.c - process-wide memory and thread figures for the metrics and
 * the health checks (S7.1, S7.2).
 *
 * The standard's reference code reads the Go runtime's memory statistics;
 * the nearest C equivalents are the kernel's view of the process
 * (/proc/self/statm for resident and virtual size, /proc/self/stat for the
 * thread count) and glibc's view of its heap (mallinfo2()).  These figures
 * belong to the whole process, not to one pool.
 *
 * Everything is best effort: a field that cannot be read stays 0 and the
 * call says so with WP_ESYS, but never fails harder than that.  Files are
 * read whole with open/read into a stack buffer; every descriptor is
 * closed before returning.  Safe from any thread; takes no lock.
 */
#include "wp-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Large enough for /proc/self/status, the biggest file read here. */
#define BUF_SIZE 4096

/*
 * Reads up to size - 1 bytes of path into buf and NUL-terminates it.
 * Returns the length, or -1 if the file could not be opened or read.
 */
static ssize_t
slurp(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto err_close;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;

err_close:
	close(fd);
	return -1;
}

/* Parses an unsigned decimal at *pp and moves *pp past it; -1 if none. */
static int
number(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*out = strtoull(p, &end, 10);
	if (errno != 0)
		return -1;
	*pp = end;
	return 0;
}

/* /proc/self/statm: total and resident size, in pages. */
static int
read_statm(struct wp__procstat *out)
{
	char buf[256];
	const char *p = buf;
	uint64_t size, resident;
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0 || slurp("/proc/self/statm", buf, sizeof(buf)) < 0)
		return -1;
	if (number(&p, &size) < 0 || number(&p, &resident) < 0)
		return -1;
	out->vm_bytes = size * (uint64_t)page;
	out->rss_bytes = resident * (uint64_t)page;
	return 0;
}

/*
 * /proc/self/stat field 20 (num_threads).  Field 2 is the command name in
 * parentheses and may itself hold spaces or parentheses, so counting starts
 * after the last ')', where field 3 begins.
 */
static int
threads_from_stat(unsigned *out)
{
	char buf[BUF_SIZE];
	const char *p;
	uint64_t n;
	int field;

	if (slurp("/proc/self/stat", buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (p == NULL)
		return -1;
	p++;
	for (field = 3; field < 20; field++) {
		while (*p == ' ')
			p++;
		while (*p != ' ' && *p != '\0')
			p++;
		if (*p == '\0')
			return -1;
	}
	if (number(&p, &n) < 0 || n == 0 || n > UINT32_MAX)
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* The fallback: the "Threads:" line of /proc/self/status. */
static int
threads_from_status(unsigned *out)
{
	char buf[BUF_SIZE];
	const char *p;
	uint64_t n;

	if (slurp("/proc/self/status", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\nThreads:");
	if (p == NULL)
		return -1;
	p += strlen("\nThreads:");
	if (number(&p, &n) < 0 || n == 0 || n > UINT32_MAX)
		return -1;
	*out = (unsigned)n;
	return 0;
}

#if WP__SANITIZED
/* Under a sanitizer the sanitizer's allocator is the heap; glibc's malloc
 * is never initialised, and the first mallinfo2() would initialise it on
 * the calling thread and attach that thread to the main arena without
 * counting it, which trips glibc's own assertion when threads exit. */
size_t __sanitizer_get_current_allocated_bytes(void);
size_t __sanitizer_get_free_bytes(void);
size_t __sanitizer_get_heap_size(void);

static void
read_heap(struct wp__procstat *out)
{
	out->heap_inuse = __sanitizer_get_current_allocated_bytes();
	out->heap_free = __sanitizer_get_free_bytes();
	out->heap_arena = __sanitizer_get_heap_size();
}
#else
/* glibc's heap: chunks in use (including mmapped ones), free, and held. */
static void
read_heap(struct wp__procstat *out)
{
	struct mallinfo2 mi = mallinfo2();

	out->heap_inuse = (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
	out->heap_free = (uint64_t)mi.fordblks;
	out->heap_arena = (uint64_t)mi.arena + (uint64_t)mi.hblkhd;
}
#endif

/* Fills *out (caller owns it); fields that could not be read are 0. */
int
wp__procstat_read(struct wp__procstat *out)
{
	int rc = 0;

	if (out == NULL)
		return WP_EINVAL;
	memset(out, 0, sizeof(*out));
	if (read_statm(out) < 0)
		rc = WP_ESYS;
	if (threads_from_stat(&out->threads) < 0 &&
	    threads_from_status(&out->threads) < 0)
		rc = WP_ESYS;
	read_heap(out);
	return rc;
}
