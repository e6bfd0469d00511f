/* run.h - run one command in its own process group and measure it. */
#ifndef PERFD_RUN_H
#define PERFD_RUN_H

#include <stdint.h>

struct run_opts {
	const char	 *cmd;		/* a /bin/sh command line, or NULL */
	char *const	 *argv;		/* or an argv to exec directly */
	const char	 *cwd;		/* NULL: the current folder */
	char *const	 *env;		/* extra "KEY=value" entries, or NULL */
	int		  nenv;
	int64_t		  timeout_ms;	/* 0: none */
	const char	 *stdout_path;	/* NULL: /dev/null */
	const char	 *stderr_path;	/* NULL: /dev/null */
	int		  append;	/* append to the output files */
};

struct run_result {
	int		 started;	/* 0: fork or exec set-up failed */
	int		 exit_code;	/* -1 when killed by a signal */
	int		 signal;	/* the terminating signal, or 0 */
	int		 timed_out;
	uint64_t	 wall_ns;	/* CLOCK_MONOTONIC, fork to exit */
	double		 user_s;
	double		 sys_s;
	long		 maxrss_kb;	/* the largest of the process tree */
	int64_t		 read_bytes;	/* storage I/O, from /proc/PID/io */
	int64_t		 write_bytes;
	int64_t		 rchar;		/* all read()/write() bytes */
	int64_t		 wchar;
	char		 error[256];	/* set when started is 0 */
};

/*
 * Run a command to completion: own process group, stdin from /dev/null,
 * killed with its group (SIGTERM, then SIGKILL after 500 ms) at the
 * timeout. Returns 0 when the command ran (whatever its exit status),
 * -1 when it could not be started (res->error says why).
 */
int run_command(const struct run_opts *, struct run_result *);

/* s as one word /bin/sh reads back as s: in single quotes (caller frees). */
char *run_quote(const char *s);

/* 1 when the command exited 0 within its time. */
int run_ok(const struct run_result *);

/* 1 when argv runs here and exits 0 within 10 s: is a tool installed? */
int run_works(char *const argv[]);

/* "exit 3", "signal 9 (Killed)", "timeout after 60s". Static buffer. */
const char *run_describe(const struct run_result *, int64_t timeout_ms);

/*
 * Send sig to the process group of the command now running, if any.
 * Async-signal-safe: agents call it from their SIGTERM handler so a
 * cancelled agent does not leave a stage behind.
 */
void run_kill_current(int sig);

#endif
