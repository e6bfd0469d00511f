/* run.c - run one command in its own process group and measure it. */
#include "run.h"
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

static void
child_redirect(int target, const char *path, int append)
{
	int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
	int fd = open(path != NULL ? path : "/dev/null", path != NULL ? flags : O_WRONLY,
	    0644);

	if (fd < 0)
		_exit(126);
	if (fd != target) {
		dup2(fd, target);
		close(fd);
	}
}

/* In the child, after fork: never returns. */
static void
child_exec(const struct run_opts *o, pid_t parent)
{
	sigset_t none;
	int fd;

	setpgid(0, 0);
	/* If the agent dies, its stage must not run on unsupervised. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	child_redirect(1, o->stdout_path, o->append);
	child_redirect(2, o->stderr_path, o->append);
	if (o->cwd != NULL && chdir(o->cwd) != 0) {
		dprintf(2, "perfd: cannot enter %s: %s\n", o->cwd, strerror(errno));
		_exit(126);
	}
	for (int i = 0; i < o->nenv; i++)
		putenv(o->env[i]);
	if (o->argv != NULL)
		execvp(o->argv[0], o->argv);
	else
		execl("/bin/sh", "sh", "-c", o->cmd, (char *)NULL);
	dprintf(2, "perfd: cannot run %s: %s\n", o->argv != NULL ? o->argv[0] :
	    "/bin/sh", strerror(errno));
	_exit(127);
}

static void
read_proc_io(pid_t pid, struct run_result *r)
{
	char path[64], line[128];
	FILE *f;
	long long v;

	snprintf(path, sizeof path, "/proc/%ld/io", (long)pid);
	f = fopen(path, "re");
	if (f == NULL) {
		r->read_bytes = r->write_bytes = r->rchar = r->wchar = -1;
		return;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "read_bytes: %lld", &v) == 1)
			r->read_bytes = v;
		else if (sscanf(line, "write_bytes: %lld", &v) == 1)
			r->write_bytes = v;
		else if (sscanf(line, "rchar: %lld", &v) == 1)
			r->rchar = v;
		else if (sscanf(line, "wchar: %lld", &v) == 1)
			r->wchar = v;
	}
	fclose(f);
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

int
run_command(const struct run_opts *o, struct run_result *r)
{
	pid_t parent = getpid(), pid;
	struct rusage ru;
	uint64_t start;
	siginfo_t si;
	int status, pidfd;

	memset(r, 0, sizeof *r);
	r->exit_code = -1;
	start = now_ns();
	pid = fork();
	if (pid < 0) {
		snprintf(r->error, sizeof r->error, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(o, parent);
	/* Set the group from both sides so a kill right now cannot miss it. */
	setpgid(pid, pid);
	current_pgid = pid;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (!wait_exit(pid, pidfd, o->timeout_ms > 0 ? o->timeout_ms : -1)) {
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
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	if (r->timed_out)
		kill(-pid, SIGKILL);	/* whatever the group left behind */
	current_pgid = 0;
	if (pidfd >= 0)
		close(pidfd);
	r->started = 1;
	r->user_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	r->sys_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	r->maxrss_kb = ru.ru_maxrss;
	if (WIFEXITED(status))
		r->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->signal = WTERMSIG(status);
	if (r->exit_code == 126 || r->exit_code == 127)
		snprintf(r->error, sizeof r->error, "the command could not be run "
		    "(exit %d)", r->exit_code);
	return 0;
}

int
run_ok(const struct run_result *r)
{
	return r->started && !r->timed_out && r->exit_code == 0;
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
