/* run.c - run one command in its own process group and measure it. */
#include "run.h"
#include "buf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static volatile sig_atomic_t current_pgid;

void
run_kill_current(int sig)
{
	pid_t pg = (pid_t)current_pgid;

	if (pg > 0)
		kill(-pg, sig);
}

extern char **environ;

/*
 * Everything the child needs, prepared by the parent: after vfork() the
 * child shares our memory, so it makes system calls only — no malloc, no
 * stdio, no environment edits.
 */
struct child_plan {
	const char	*file;		/* for execve, or NULL: search PATH */
	char *const	*argv;
	char		**envp;
	const char	*cwd;
	const char	*out, *err;
	int		 flags;		/* for the output files */
	pid_t		 parent;
};

static void
child_fail(const char *what)
{
	static const char msg[] = "perfd: cannot ";

	if (write(2, msg, sizeof msg - 1) < 0 || write(2, what, strlen(what)) < 0 ||
	    write(2, "\n", 1) < 0)
		_exit(126);
	_exit(what[0] == 'r' ? 127 : 126);
}

static void
child_redirect(int target, const char *path, int flags)
{
	int fd = path != NULL ? open(path, flags, 0644) : open("/dev/null", O_WRONLY);

	if (fd < 0)
		child_fail("open an output file");
	if (fd != target) {
		dup2(fd, target);
		close(fd);
	}
}

/* In the child, after vfork: never returns. */
static void
child_exec(const struct child_plan *c)
{
	sigset_t none;
	int fd;

	setpgid(0, 0);
	/* If the agent dies, its stage must not run on unsupervised. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != c->parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	fd = open("/dev/null", O_RDONLY);
	if (fd > 0) {
		dup2(fd, 0);
		close(fd);
	}
	child_redirect(1, c->out, c->flags);
	child_redirect(2, c->err, c->flags);
	if (c->cwd != NULL && chdir(c->cwd) != 0)
		child_fail("enter the working folder");
	if (c->file != NULL)
		execve(c->file, c->argv, c->envp);
	else
		execvpe(c->argv[0], c->argv, c->envp);
	child_fail("run the command");
}

/*
 * vfork in a frame of its own, so that no local of the caller lives
 * across it: no copy of our page tables, so starting the command costs
 * what it costs hyperfine; we are suspended until it has exec'd.
 */
static pid_t __attribute__((noinline))
spawn(const struct child_plan *c)
{
	pid_t pid = vfork();

	if (pid == 0)
		child_exec(c);
	return pid;
}

/* environ plus extra "KEY=value" entries, later ones winning. */
static char **
make_envp(char *const *extra, int nextra)
{
	size_t n = 0, k = 0;
	char **envp;

	while (environ[n] != NULL)
		n++;
	envp = xcalloc(n + (size_t)nextra + 1, sizeof *envp);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t klen = eq != NULL ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		int overridden = 0;

		for (int j = 0; j < nextra && !overridden; j++)
			overridden = strncmp(extra[j], environ[i], klen) == 0 &&
			    extra[j][klen] == '=';
		if (!overridden)
			envp[k++] = environ[i];
	}
	for (int j = 0; j < nextra; j++)
		envp[k++] = extra[j];
	return envp;
}

/* The value after "name: " in /proc/PID/io text, or -1. */
static int64_t
io_field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p != NULL ? strtoll(p + strlen(name), NULL, 10) : -1;
}

static void
read_proc_io(pid_t pid, struct run_result *r)
{
	char path[64], text[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/io", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		r->read_bytes = r->write_bytes = r->rchar = r->wchar = -1;
		return;
	}
	text[n] = '\0';
	r->rchar = io_field(text, "rchar: ");
	r->wchar = io_field(text, "wchar: ");
	r->read_bytes = io_field(text, "\nread_bytes: ");
	r->write_bytes = io_field(text, "\nwrite_bytes: ");
}

/* Wait up to ms for the child to exit (ms < 0: forever); 1 exited, 0 not. */
static int
wait_exit(pid_t pid, int pidfd, int64_t ms)
{
	uint64_t deadline = ms >= 0 ? now_ns() + (uint64_t)ms * 1000000u : 0;
	siginfo_t si;

	for (;;) {
		int left = -1;

		if (ms >= 0) {
			uint64_t now = now_ns();

			left = now >= deadline ? 0 :
			    (int)((deadline - now + 999999) / 1000000);
		}
		if (pidfd >= 0) {
			struct pollfd p = { .fd = pidfd, .events = POLLIN };
			int n = poll(&p, 1, left);

			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0)
				return 1;
			if (n == 0)
				return 0;
		}
		/* No pidfd: poll the child's state every millisecond. */
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid)
			return 1;
		if (left == 0)
			return 0;
		usleep(1000);
	}
}

/*
 * Wait for the child pid (its group pid too) to exit, stopping the group
 * at the timeout: TERM, then KILL half a second later. Its wall time from
 * start to the exit, then its I/O totals while it is a zombie, and its
 * resource use as it is reaped, into *r.
 */
static void
wait_child(pid_t pid, int pidfd, int64_t timeout_ms, uint64_t start, struct run_result *r,
    int *status, struct rusage *ru)
{
	siginfo_t si;

	if (!wait_exit(pid, pidfd, timeout_ms > 0 ? timeout_ms : -1)) {
		r->timed_out = 1;
		kill(-pid, SIGTERM);
		if (!wait_exit(pid, pidfd, 500))
			kill(-pid, SIGKILL);
		wait_exit(pid, pidfd, -1);
	}
	r->wall_ns = now_ns() - start;
	/* The child is a zombie now: its I/O totals are still readable. */
	memset(&si, 0, sizeof si);
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) != 0 && errno == EINTR)
		;
	read_proc_io(pid, r);
	while (wait4(pid, status, 0, ru) < 0 && errno == EINTR)
		;
	if (r->timed_out)
		kill(-pid, SIGKILL);	/* whatever the group left behind */
}

/* CPU, memory and how it ended, from the child's rusage and wait status. */
static void
fill_result(struct run_result *r, int status, const struct rusage *ru)
{
	r->started = 1;
	r->user_s = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6;
	r->sys_s = (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
	r->maxrss_kb = ru->ru_maxrss;
	if (WIFEXITED(status))
		r->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->signal = WTERMSIG(status);
	if (r->exit_code == 126 || r->exit_code == 127)
		snprintf(r->error, sizeof r->error, "the command could not be run "
		    "(exit %d)", r->exit_code);
}

int
run_command(const struct run_opts *o, struct run_result *r)
{
	static char *const sh_argv[] = { "sh", "-c", NULL, NULL };
	char *argv_sh[4];
	struct child_plan c = {
		.cwd = o->cwd, .out = o->stdout_path, .err = o->stderr_path,
		.flags = O_WRONLY | O_CREAT | O_CLOEXEC | (o->append ? O_APPEND : O_TRUNC),
		.parent = getpid(),
	};
	struct rusage ru;
	uint64_t start;
	int status = 0, pidfd;
	pid_t pid;

	memset(r, 0, sizeof *r);
	r->exit_code = -1;
	if (o->argv != NULL)
		c.argv = o->argv;
	else {
		memcpy(argv_sh, sh_argv, sizeof argv_sh);
		argv_sh[2] = (char *)o->cmd;
		c.argv = argv_sh;
		c.file = "/bin/sh";
	}
	c.envp = o->nenv > 0 ? make_envp(o->env, o->nenv) : environ;
	start = now_ns();
	pid = spawn(&c);
	if (pid < 0) {
		snprintf(r->error, sizeof r->error, "vfork: %s", strerror(errno));
		if (c.envp != environ)
			free(c.envp);
		return -1;
	}
	if (c.envp != environ)
		free(c.envp);
	/* Set the group from both sides so a kill right now cannot miss it. */
	setpgid(pid, pid);
	current_pgid = pid;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	wait_child(pid, pidfd, o->timeout_ms, start, r, &status, &ru);
	current_pgid = 0;
	if (pidfd >= 0)
		close(pidfd);
	fill_result(r, status, &ru);
	return 0;
}

int
run_ok(const struct run_result *r)
{
	return r->started && !r->timed_out && r->exit_code == 0;
}

int
run_works(char *const argv[])
{
	struct run_opts o = { .argv = argv, .timeout_ms = 10000 };
	struct run_result r;

	run_command(&o, &r);
	return run_ok(&r);
}

const char *
run_describe(const struct run_result *r, int64_t timeout_ms)
{
	static char s[320];

	if (!r->started)
		snprintf(s, sizeof s, "not started: %s", r->error);
	else if (r->timed_out)
		snprintf(s, sizeof s, "timeout after %.3gs", (double)timeout_ms / 1000);
	else if (r->signal != 0)
		snprintf(s, sizeof s, "signal %d (%s)", r->signal, strsignal(r->signal));
	else
		snprintf(s, sizeof s, "exit %d", r->exit_code);
	return s;
}

char *
run_quote(const char *s)
{
	struct buf b = { 0 };

	buf_puts(&b, "'");
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\'')
			buf_puts(&b, "'\\''");
		else
			buf_add(&b, p, 1);
	}
	buf_puts(&b, "'");
	return b.p;
}
