/* supervisor.h - run investigations: five agent processes each, in parallel. */
#ifndef PERFD_SUPERVISOR_H
#define PERFD_SUPERVISOR_H

#include <uv.h>

#include "spec.h"
#include "store.h"

struct sup;

struct sup_hooks {
	/* An event line (JSON, no newline), called after it was committed. */
	void	(*event)(void *arg, const char *id, int64_t seq, const char *line);
	/* The investigation ended: done, failed or cancelled. */
	void	(*finished)(void *arg, const char *id, const char *status,
		    const char *report);
	void	*arg;
};

struct sup *sup_new(uv_loop_t *, struct store *, int max_parallel,
    const struct sup_hooks *);
/* Stop everything, then call done when the last agent has exited. */
void sup_shutdown(struct sup *, void (*done)(void *), void *arg);
void sup_free(struct sup *);

/*
 * Queue an investigation of spec (the supervisor takes it). Its folder is
 * out_dir/tmp/perf-optimization/ID. Returns 0 with *id and *dir set
 * (caller frees), or -1 with *cause.
 */
int sup_submit(struct sup *, struct spec *, const char *spec_path,
    const char *out_dir, const char *baseline_dir, char **id, char **dir,
    char **cause);

/*
 * A baseline named by the user: an investigation folder, or an ID in the
 * state database. Its folder (caller frees), or NULL with *cause.
 */
char *sup_resolve_baseline(struct store *, const char *arg, char **cause);
/*
 * Stop every process whose environment names investigation id (agents and
 * what their stages started), each with its process group; passes repeat
 * until one finds none, so that a process started during a pass does not
 * survive. Matching the environment, not a recorded pid, means a pid
 * reused since is never hit. Returns how many were stopped.
 */
int sup_kill_leftovers(const char *id);
/* Stop the investigation's agents (or drop it from the queue). */
int sup_cancel(struct sup *, const char *id, char **cause);
/* 0 running, N > 0 its place in the queue, -1 not active here. */
int sup_position(struct sup *, const char *id);
int sup_active(struct sup *);
/* Append an event of our own to an active investigation (tests, daemon). */
int sup_emit(struct sup *, const char *id, const char *type, const char *message);

#endif
