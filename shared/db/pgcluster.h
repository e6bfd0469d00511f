/* pgcluster.h - a scratch PostgreSQL cluster: started for experiments, stopped and removed after. */
#ifndef PERFD_PGCLUSTER_H
#define PERFD_PGCLUSTER_H

#include <sys/types.h>

/*
 * PostgreSQL experiments never run on the user's server: they run on a
 * cluster perfd makes itself (initdb) and runs itself (the postgres server
 * as its child, not through pg_ctl, so its pid is known and nothing of it
 * daemonises), of the user's server's major version, listening only on a
 * unix socket in the cluster's own folder (no TCP port). The server
 * refuses to run as root: when perfd is root it runs as the account
 * Debian's package makes (postgres), in a folder under /tmp made for it,
 * since the agent's own folder may sit under one that account cannot
 * enter (/root). Stopped and removed by pgcluster_stop() whatever state
 * it is in; a cluster whose owner was killed is stopped by the
 * supervisor's leftover scan (the server inherits PERFD_INVESTIGATION).
 *
 * An agent reaps its children when it releases the measurement lock
 * (agent_unlock()); the server is spared from that (proc_keep()) until
 * pgcluster_stop(), so one cluster serves many lock holds.
 */
struct pgcluster {
	char	*dir;		/* the cluster's folder: data/, the socket, server.log */
	char	*bin;		/* /usr/lib/postgresql/MAJOR/bin */
	int	 major;
	uid_t	 uid;		/* the account it runs as */
	gid_t	 gid;
	pid_t	 pid;		/* the server; 0 when not running */
};

/*
 * The folder of major's server programs ($PERFD_PG_LIBDIR/<major>/bin, by
 * default Debian's /usr/lib/postgresql/<major>/bin), or NULL with *cause
 * when that version is not installed.
 */
char *pgcluster_bin(int major, char **cause);

/*
 * Make a cluster in a new folder under parent (under /tmp when perfd is
 * root), with settings ("name=value", NULL-terminated) in its
 * configuration, and start it; 0 once it accepts connections, or -1 with
 * *cause (the version not installed, initdb failed, the server did not
 * start within its time: its log's last line), everything made removed.
 */
int pgcluster_start(struct pgcluster *, const char *parent, int major,
    const char *const *settings, char **cause);

/* A libpq connection string for it: the socket's folder, a superuser, database postgres. */
char *pgcluster_conninfo(const struct pgcluster *);

/*
 * Stop its server and start it again on the same folder (a setting of
 * context postmaster takes effect only so): 0, or -1 with *cause.
 */
int pgcluster_restart(struct pgcluster *, char **cause);

/* Stop it (fast shutdown, then SIGKILL after 5 s) and remove its folder; safe on any state. */
void pgcluster_stop(struct pgcluster *);

#endif
