/*
 * Exclusive advisory locks with flock(2): released by the kernel when the
 * holder dies, so a killed process never wedges a registry.
 */
#ifndef MLGATE_LOCK_H
#define MLGATE_LOCK_H

/* Opens (creating) path and takes an exclusive lock, waiting for it.
 * Returns the fd, or -1 with errno. */
int lock_acquire(const char *path);
/* Like lock_acquire but returns -1 with errno EWOULDBLOCK when held. */
int lock_try(const char *path);
void lock_release(int fd);

#endif
