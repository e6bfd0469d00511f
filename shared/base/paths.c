/* paths.c - where perfd keeps its socket, state and helper programs. */
#include "paths.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * dir is a real folder of ours without the mode bits in `refused`: 077 for
 * the socket's (nobody else may even look), 022 for the state's (nobody
 * else may write the history that compare trusts).
 */
static int
check_dir(const char *dir, mode_t refused, char **cause)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s is not a folder (a link?): refusing to use it", dir);
		return -1;
	}
	if (st.st_uid != getuid()) {
		*cause = xasprintf("%s belongs to uid %ld, not to you (uid %ld): "
		    "refusing to use it", dir, (long)st.st_uid, (long)getuid());
		return -1;
	}
	if ((st.st_mode & refused) != 0) {
		*cause = xasprintf("%s is open to other users (mode %03o, want no %03o "
		    "bits; chmod go-rwx fixes it): refusing to use it", dir,
		    (unsigned)(st.st_mode & 0777), (unsigned)refused);
		return -1;
	}
	return 0;
}

int
paths_secure_dir(const char *dir, char **cause)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		*cause = xasprintf("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	return check_dir(dir, 077, cause);
}

char *
paths_runtime_dir(char **cause)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *dir;

	if (xdg != NULL && xdg[0] == '/')
		dir = path_join(xdg, "perfd");
	else
		dir = xasprintf("/tmp/perfd-%ld", (long)getuid());
	if (paths_secure_dir(dir, cause) != 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

char *
paths_socket(const char *override, char **cause)
{
	char *dir, *path;

	if (override != NULL) {
		path = path_absolute(NULL, override);
		dir = path_dirname(path);
		if (paths_secure_dir(dir, cause) != 0) {
			free(path);
			path = NULL;
		}
		free(dir);
		return path;
	}
	dir = paths_runtime_dir(cause);
	if (dir == NULL)
		return NULL;
	path = path_join(dir, "perfd.sock");
	free(dir);
	return path;
}

char *
paths_state_dir(const char *override, char **cause)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *dir;

	if (override != NULL)
		dir = path_absolute(NULL, override);
	else if (xdg != NULL && xdg[0] == '/')
		dir = path_join(xdg, "perfd");
	else if (home != NULL && home[0] == '/')
		dir = xasprintf("%s/.local/state/perfd", home);
	else {
		*cause = xstrdup("neither XDG_STATE_HOME nor HOME is set: pass --state DIR");
		return NULL;
	}
	if (file_mkdir_p(dir, 0700) != 0) {
		*cause = xasprintf("cannot create %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	if (check_dir(dir, 022, cause) != 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

char *
paths_lock(char **cause)
{
	const char *env = getenv("PERFD_LOCK");
	char *dir, *path;

	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	dir = paths_runtime_dir(cause);
	if (dir == NULL)
		return NULL;
	path = path_join(dir, "measure.lock");
	free(dir);
	return path;
}

char *
paths_helper(const char *name)
{
	char self[PATH_MAX], *dir, *exe;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (n > 0) {
		self[n] = '\0';
		dir = path_dirname(self);
		exe = path_join(dir, name);
		free(dir);
		if (access(exe, R_OK) == 0)
			return exe;
		free(exe);
	}
	return xasprintf("%s/%s", PERFD_LIBEXECDIR, name);
}

char *
paths_agent_exe(void)
{
	const char *env = getenv("PERFD_AGENT");

	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	return paths_helper("perfd-agent");
}

int
paths_make_inv_dir(const char *out_dir, const char *id, char **cause)
{
	const char *const parts[] = { "tmp", "perf-optimization", id };
	char *at = xstrdup(out_dir), *next_at;
	int fd, next, rc = -1;

	/* out_dir is the user's choice; below it, nothing may be a link. */
	if ((fd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		*cause = xasprintf("%s: %s", out_dir, strerror(errno));
		free(at);
		return -1;
	}
	for (size_t i = 0; i < PERFD_ARRAY_LEN(parts); i++) {
		int last = i + 1 == PERFD_ARRAY_LEN(parts);

		next_at = path_join(at, parts[i]);
		free(at);
		at = next_at;
		/* The investigation's own folder must be new: never one planted. */
		if (mkdirat(fd, parts[i], 0755) != 0 && (errno != EEXIST || last)) {
			*cause = xasprintf("cannot create %s: %s", at, strerror(errno));
			goto out;
		}
		next = openat(fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			*cause = errno == ELOOP || errno == ENOTDIR ? xasprintf("%s is a "
			    "link or not a folder: perfd writes only into real folders "
			    "below the output folder (remove it, or pass --out "
			    "elsewhere)", at) : xasprintf("%s: %s", at, strerror(errno));
			goto out;
		}
		close(fd);
		fd = next;
	}
	rc = 0;
out:
	close(fd);
	free(at);
	return rc;
}
