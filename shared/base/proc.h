/* proc.h - processes as /proc shows them: walking them, a child's parent, stopping our children. */
#ifndef PERFD_PROC_H
#define PERFD_PROC_H

#include <sys/types.h>

/*
 * Call fn(pid, arg) for every process but init and ourselves; the sum of
 * what fn returned.
 */
int proc_each(int (*fn)(pid_t, void *), void *arg);

/*
 * Become the subreaper of our descendants (PR_SET_CHILD_SUBREAPER): an
 * orphan among them (a stage's `cmd &`, a server that daemonised) becomes
 * our child instead of init's. 0, or -1 when the kernel refuses.
 */
int proc_adopt_orphans(void);

/* SIGKILL pid, and its process group when that is not ours. */
void proc_kill(pid_t pid);

/* The parent of pid, from /proc/PID/stat, or -1. */
pid_t proc_parent(pid_t pid);

/*
 * Stop our children — each SIGKILLed with its process group (when that is
 * not ours) and reaped by its pid — except those spare(pid, arg) keeps
 * (spare may be NULL); again until a pass finds none, as killing one hands
 * its own children to us when we are a subreaper. Never waitpid(-1): a
 * child spared is left to whoever waits for it (libuv, in the daemon).
 * Returns how many were stopped.
 */
int proc_reap_children(int (*spare)(pid_t, void *), void *arg);

/*
 * Spare pid from proc_reap_children() until proc_unkeep(pid): a child that
 * outlives the measured sections the reaping ends (a scratch database
 * server), which its owner stops itself. At most PROC_KEPT at a time; -1
 * when that many are kept already.
 */
#define PROC_KEPT	8
int proc_keep(pid_t pid);
void proc_unkeep(pid_t pid);

#endif
