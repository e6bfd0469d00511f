/* pgcluster.c - a scratch PostgreSQL cluster: started for experiments, stopped and removed after. */
#include "pgcluster.h"
#include "buf.h"
#include "file.h"
#include "now.h"
#include "path.h"
#include "proc.h"
#include "util.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long the server may take to accept connections, and to stop. */
#define PGCLUSTER_START_MS	30000
#define PGCLUSTER_STOP_MS	5000

char *
pgcluster_bin(int major, char **cause)
{
	/* Debian's layout, one folder per major version, unless the environment names another. */
	const char *root = getenv("PERFD_PG_LIBDIR");
	char *bin = xasprintf("%s/%d/bin", root != NULL && root[0] != '\0' ? root :
	    "/usr/lib/postgresql", major);
	char *initdb = path_join(bin, "initdb"), *server = path_join(bin, "postgres");
	int ok = access(initdb, X_OK) == 0 && access(server, X_OK) == 0;

	if (!ok) {
		*cause = xasprintf("PostgreSQL %d's server is not installed here (no %s): "
		    "perfd's experiments run on a scratch cluster of the server's own major "
		    "version, so none could run (Debian: apt-get install postgresql-%d)", major,
		    initdb, major);
		free(bin);
		bin = NULL;
	}
	free(initdb);
	free(server);
	return bin;
}

/* The account the server runs as: ours, or postgres when we are root. 0, or -1 with *cause. */
static int
pgcluster_account(struct pgcluster *c, char **cause)
{
	const struct passwd *pw;

	c->uid = geteuid();
	c->gid = getegid();
	if (c->uid != 0)
		return 0;
	if ((pw = getpwnam("postgres")) == NULL || pw->pw_uid == 0) {
		*cause = xstrdup("perfd runs as root, which the PostgreSQL server refuses, and "
		    "there is no 'postgres' account to run it as");
		return -1;
	}
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	return 0;
}

/* The cluster's folder, owned by its account: 0, or -1 with *cause. */
static int
pgcluster_folder(struct pgcluster *c, const char *parent, char **cause)
{
	char *tmpl = geteuid() == 0 ? xstrdup("/tmp/perfd-pg-XXXXXX") :
	    path_join(parent, "pg-XXXXXX");

	if (mkdtemp(tmpl) == NULL) {
		*cause = xasprintf("cannot make the scratch cluster's folder %s: %s", tmpl,
		    strerror(errno));
		free(tmpl);
		return -1;
	}
	c->dir = tmpl;
	if (geteuid() == 0 && chown(c->dir, c->uid, c->gid) != 0) {
		*cause = xasprintf("cannot give %s to the postgres account: %s", c->dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The process that forks the cluster's programs, for their check that it still lives. */
static pid_t pgcluster_owner;

/*
 * In a child: become the cluster's account, send output to log (in the
 * cluster's folder), exec argv. Never returns.
 */
static void
pgcluster_exec(const struct pgcluster *c, const char *log, char *const argv[])
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	/* Its own process group: a stop reaches every backend with it. */
	setpgid(0, 0);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	dup2(open("/dev/null", O_RDONLY | O_CLOEXEC), STDIN_FILENO);
	if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(c->gid) != 0 ||
	    setuid(c->uid) != 0))
		_exit(126);
	/*
	 * An owner that dies without stopping it (killed, or a test that
	 * failed half-way) takes its server with it: SIGQUIT is the server's
	 * immediate shutdown. Set after the change of user, which clears it.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0 || getppid() != pgcluster_owner)
		_exit(125);
	execv(argv[0], argv);
	_exit(127);
}

/* The last line of the cluster's file name, for a failure's cause (caller frees). */
static char *
pgcluster_said(const struct pgcluster *c, const char *name)
{
	char *path = path_join(c->dir, name), *tail = file_tail(path, 1);

	free(path);
	if (tail == NULL)
		return xstrdup("(nothing in its log)");
	tail[strcspn(tail, "\n")] = '\0';
	return tail;
}

/* initdb into DIR/data: 0, or -1 with *cause. */
static int
pgcluster_initdb(struct pgcluster *c, char **cause)
{
	char *initdb = path_join(c->bin, "initdb"), *data = path_join(c->dir, "data");
	char *log = path_join(c->dir, "initdb.log"), *said;
	/* -N: no fsync of the new files; the cluster is thrown away after. */
	char *argv[] = { initdb, "-D", data, "-U", "perfd", "-A", "trust", "-E", "UTF8",
	    "--no-locale", "-N", NULL };
	int status = -1;
	pid_t pid;

	pgcluster_owner = getpid();
	if ((pid = fork()) == 0)
		pgcluster_exec(c, log, argv);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		said = pgcluster_said(c, "initdb.log");
		*cause = xasprintf("initdb of the scratch cluster failed: %s", said);
		free(said);
	}
	free(initdb);
	free(data);
	free(log);
	return *cause == NULL ? 0 : -1;
}

/*
 * The cluster's own lines after the settings copied in: only the socket in
 * its folder, no TCP port. Appended last, so that they win.
 */
static int
pgcluster_configure(const struct pgcluster *c, const char *const *settings, char **cause)
{
	char *conf = path_join(c->dir, "data/postgresql.conf");
	struct buf b = { 0 };
	FILE *f = fopen(conf, "a");
	int rc = 0;

	for (int i = 0; settings != NULL && settings[i] != NULL; i++) {
		const char *eq = strchr(settings[i], '=');

		if (eq != NULL)
			buf_printf(&b, "%.*s = '%s'\n", (int)(eq - settings[i]), settings[i],
			    eq + 1);
	}
	buf_printf(&b, "listen_addresses = ''\nunix_socket_directories = '%s'\nport = 5432\n",
	    c->dir);
	if (f == NULL || fputs(b.p, f) == EOF) {
		*cause = xasprintf("cannot write %s: %s", conf, strerror(errno));
		rc = -1;
	}
	if (f != NULL && fclose(f) != 0 && rc == 0) {
		*cause = xasprintf("cannot write %s: %s", conf, strerror(errno));
		rc = -1;
	}
	free(b.p);
	free(conf);
	return rc;
}

/* Whether the server says it is ready: postmaster.pid's status line. */
static int
pgcluster_ready(const struct pgcluster *c)
{
	char *pidfile = path_join(c->dir, "data/postmaster.pid"), *why = NULL;
	char *text = file_read(pidfile, 4096, NULL, &why);
	int ready = text != NULL && strstr(text, "\nready") != NULL;

	free(why);
	free(text);
	free(pidfile);
	return ready;
}

/* The server, as our child: 0 once it accepts connections, or -1 with *cause. */
static int
pgcluster_run(struct pgcluster *c, char **cause)
{
	char *server = path_join(c->bin, "postgres"), *data = path_join(c->dir, "data");
	char *log = path_join(c->dir, "server.log"), *said;
	char *argv[] = { server, "-D", data, NULL };
	uint64_t start = now_ns();
	int status;

	pgcluster_owner = getpid();
	if ((c->pid = fork()) == 0)
		pgcluster_exec(c, log, argv);
	free(server);
	free(data);
	free(log);
	if (c->pid < 0) {
		c->pid = 0;
		*cause = xasprintf("cannot start the scratch cluster: %s", strerror(errno));
		return -1;
	}
	/* It outlives the lock hold it starts in: agent_unlock() must not stop it. */
	proc_keep(c->pid);
	while (!pgcluster_ready(c)) {
		if (waitpid(c->pid, &status, WNOHANG) == c->pid ||
		    now_ms_since(start) > PGCLUSTER_START_MS) {
			said = pgcluster_said(c, "server.log");
			*cause = xasprintf("the scratch cluster's server %s: %s",
			    c->pid > 0 && kill(c->pid, 0) == 0 ? "did not start in 30 s" :
			    "exited", said);
			free(said);
			return -1;
		}
		usleep(20 * 1000);
	}
	return 0;
}

int
pgcluster_start(struct pgcluster *c, const char *parent, int major,
    const char *const *settings, char **cause)
{
	memset(c, 0, sizeof *c);
	c->major = major;
	*cause = NULL;
	if ((c->bin = pgcluster_bin(major, cause)) == NULL ||
	    pgcluster_account(c, cause) != 0 || pgcluster_folder(c, parent, cause) != 0 ||
	    pgcluster_initdb(c, cause) != 0 || pgcluster_configure(c, settings, cause) != 0 ||
	    pgcluster_run(c, cause) != 0) {
		pgcluster_stop(c);
		return -1;
	}
	return 0;
}

char *
pgcluster_conninfo(const struct pgcluster *c)
{
	/* Notices ("table does not exist, skipping") would only fill the agent's log. */
	return xasprintf("host=%s port=5432 user=perfd dbname=postgres "
	    "options='-c client_min_messages=warning'", c->dir);
}

/*
 * SIGINT is the server's fast shutdown (backends rolled back, a clean
 * stop); a server that has not stopped within its time gets SIGKILL with
 * its whole process group, backends included.
 */
static void
pgcluster_halt(struct pgcluster *c)
{
	uint64_t start = now_ns();

	if (c->pid <= 0)
		return;
	kill(c->pid, SIGINT);
	while (waitpid(c->pid, NULL, WNOHANG) == 0) {
		if (now_ms_since(start) > PGCLUSTER_STOP_MS) {
			kill(-c->pid, SIGKILL);
			waitpid(c->pid, NULL, 0);
			break;
		}
		usleep(10 * 1000);
	}
	proc_unkeep(c->pid);
	c->pid = 0;
}

int
pgcluster_restart(struct pgcluster *c, char **cause)
{
	*cause = NULL;
	pgcluster_halt(c);
	return pgcluster_run(c, cause);
}

void
pgcluster_stop(struct pgcluster *c)
{
	pgcluster_halt(c);
	if (c->dir != NULL)
		(void)file_remove_tree(c->dir);
	free(c->dir);
	free(c->bin);
	c->dir = c->bin = NULL;
}
