/* Large arrays, backed by huge pages where the kernel offers them. */
#ifndef MLEVAL_BIGMEM_H
#define MLEVAL_BIGMEM_H

#include <stddef.h>

/* Like xmalloc (count * size, checked); the result is released with free(). */
void *big_alloc(size_t count, size_t size);

#endif
