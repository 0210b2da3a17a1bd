/*
 * Ten million rows touch about half a gigabyte: with 4 KiB pages that is
 * some 150,000 page faults, a fifth of the run on a virtual machine. Arrays
 * of 8 MiB or more are aligned to 2 MiB and marked for transparent huge
 * pages (Linux; elsewhere this is plain malloc).
 */
#define _DEFAULT_SOURCE 1   /* madvise's MADV_HUGEPAGE */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "err.h"
#include "xalloc.h"
#include "bigmem.h"

#define HUGE_PAGE (2u << 20)

void *big_alloc(size_t count, size_t size)
{
	size_t n;
	void *p;

	if (size != 0 && count > SIZE_MAX / size)
		die(EXIT_IO, "out of memory");
	n = count * size;
	if (n < 4 * HUGE_PAGE)
		return xmalloc(n + 1);
	if (posix_memalign(&p, HUGE_PAGE, n) != 0)
		die(EXIT_IO, "out of memory");
#ifdef MADV_HUGEPAGE
	(void)madvise(p, (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE, MADV_HUGEPAGE);
#endif
	return p;
}
