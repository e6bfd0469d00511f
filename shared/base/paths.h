/* paths.h - where perfd keeps its socket, state and helper programs. */
#ifndef PERFD_PATHS_H
#define PERFD_PATHS_H

/*
 * The per-user runtime folder: $XDG_RUNTIME_DIR/perfd, else
 * /tmp/perfd-UID. Created 0700 and checked to be ours, not a link and
 * closed to group and others. NULL with *cause when it is unsafe.
 */
char *paths_runtime_dir(char **cause);

/* Make sure dir exists, is a folder we own, mode 0700; 0 or -1 + *cause. */
int paths_secure_dir(const char *dir, char **cause);

/* The socket: override, else runtime_dir/perfd.sock. */
char *paths_socket(const char *override, char **cause);

/* The state folder: override, $XDG_STATE_HOME/perfd, ~/.local/state/perfd. */
char *paths_state_dir(const char *override, char **cause);

/* The measurement lock file: $PERFD_LOCK, else runtime_dir/measure.lock. */
char *paths_lock(char **cause);

/*
 * Create out_dir/tmp/perf-optimization/id without following a link below
 * out_dir (openat with O_NOFOLLOW at each step), id itself new (a folder
 * planted under that name is refused). 0, or -1 with *cause.
 */
int paths_make_inv_dir(const char *out_dir, const char *id, char **cause);

/*
 * A file perfd installs beside its programs: name beside this binary (the
 * build folder), else under libexecdir/perfd (caller frees).
 */
char *paths_helper(const char *name);

/* The agent program: $PERFD_AGENT, else paths_helper("perfd-agent"). */
char *paths_agent_exe(void);

#endif
