/* proc.c - processes as /proc shows them: walking them, a child's parent, stopping our children. */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int
proc_each(int (*fn)(pid_t, void *), void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t me = getpid();
	int total = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);

		if (pid > 1 && pid != me)
			total += fn(pid, arg);
	}
	if (d != NULL)
		closedir(d);
	return total;
}

int
proc_adopt_orphans(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -1;
}

void
proc_kill(pid_t pid)
{
	pid_t pg = getpgid(pid);

	if (pg > 1 && pg != getpgrp())
		kill(-pg, SIGKILL);
	kill(pid, SIGKILL);
}

pid_t
proc_parent(pid_t pid)
{
	char path[64], buf[512], *close_paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
	if ((close_paren = strrchr(buf, ')')) == NULL)
		return -1;
	return (pid_t)strtol(close_paren + 4, NULL, 10);
}

/* The children proc_keep() spares; 0: a free slot. */
static pid_t kept[PROC_KEPT];

int
proc_keep(pid_t pid)
{
	for (int i = 0; i < PROC_KEPT; i++)
		if (kept[i] == 0) {
			kept[i] = pid;
			return 0;
		}
	return -1;
}

void
proc_unkeep(pid_t pid)
{
	for (int i = 0; i < PROC_KEPT; i++)
		if (kept[i] == pid)
			kept[i] = 0;
}

static int
proc_kept(pid_t pid)
{
	for (int i = 0; i < PROC_KEPT; i++)
		if (pid > 0 && kept[i] == pid)
			return 1;
	return 0;
}

struct reap {
	int	(*spare)(pid_t, void *);
	void	*arg;
};

/* One process of a pass: stopped and reaped when it is a child not spared. */
static int
reap_one(pid_t pid, void *arg)
{
	struct reap *r = arg;

	if (proc_parent(pid) != getpid() || proc_kept(pid) ||
	    (r->spare != NULL && r->spare(pid, r->arg)))
		return 0;
	proc_kill(pid);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 1;
}

int
proc_reap_children(int (*spare)(pid_t, void *), void *arg)
{
	struct reap r = { spare, arg };
	int total = 0, found;

	while ((found = proc_each(reap_one, &r)) > 0)
		total += found;
	return total;
}
