/* lock.h - the host-wide measurement lock. */
#ifndef PERFD_LOCK_H
#define PERFD_LOCK_H

/*
 * Agents run in parallel, but a timed section must not share the machine
 * with another agent's timed section. Every timed section holds this
 * exclusive flock; untimed work (setup, analysis) runs without it.
 */

/* Take the lock at path, waiting as long as it takes; fd, or -1 with errno. */
int lock_acquire(const char *path);
/* Take it only if free now: fd, or -1 (errno EWOULDBLOCK when held). */
int lock_try(const char *path);
void lock_release(int fd);

#endif
