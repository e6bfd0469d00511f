/* runner.c - run each unit test and each spec fixture in its own process.
 *
 * usage: perfd-test [NAME]   (no NAME: all, with a closing count line)
 * Needs PERFD_TEST_SRC (source tree) and PERFD_TEST_BUILD (build folder).
 */
#include "test.h"
#include "test-list.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define X_DECL(name) int test_##name(void);
TEST_LIST(X_DECL)

struct test {
	const char	*name;
	int		(*fn)(void);
};

#define X_ENTRY(name) { #name, test_##name },
static const struct test tests[] = { TEST_LIST(X_ENTRY) };

#define TEST_TIMEOUT_S 60

static char tmpdir[256];

const char *
test_src(void)
{
	const char *s = getenv("PERFD_TEST_SRC");

	return s != NULL ? s : ".";
}

const char *
test_build(void)
{
	const char *s = getenv("PERFD_TEST_BUILD");

	return s != NULL ? s : "build";
}

const char *
test_tmp(void)
{
	return tmpdir;
}

const char *
test_write(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ASSERT(f != NULL);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Alive and not a zombie (pid 1 here may be slow to reap orphans). */
int
test_pid_running(pid_t pid)
{
	char path[64], stat[512], *p;
	FILE *f;
	size_t n;

	if (kill(pid, 0) != 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(stat, 1, sizeof stat - 1, f);
	fclose(f);
	stat[n] = '\0';
	p = strrchr(stat, ')');
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

int test_spec_fixture(const char *yaml);

/* Run fn (or a fixture) in a child with a fresh folder and a time limit. */
static int
run_one(const char *name, int (*fn)(void), const char *fixture)
{
	char cmd[600];
	pid_t pid;
	int status = 0, waited = 0;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/perfd-test-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		alarm(TEST_TIMEOUT_S);
		_exit(fixture != NULL ? test_spec_fixture(fixture) : fn());
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	waited = 1;
	kill(-pid, SIGKILL);	/* whatever the test left behind */
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "runner: could not remove %s\n", tmpdir);
	(void)waited;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		fprintf(stderr, "  %s: killed by signal %d%s\n", name, WTERMSIG(status),
		    WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	return 1;
}

static int
fixture_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bad-spec fixtures: tests/specs/bad/NAME.yaml with NAME.expected. */
static int
list_fixtures(char ***out)
{
	char dir[512];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(dir, sizeof dir, "%s/tests/specs/bad", test_src());
	*out = NULL;
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0) {
			*out = realloc(*out, sizeof **out * (size_t)(n + 1));
			(*out)[n++] = strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(*out, (size_t)n, sizeof **out, fixture_cmp);
	return n;
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0, nfix, n = 0;
	char **fixtures;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	nfix = list_fixtures(&fixtures);
	for (i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
			continue;
		if (run_one(tests[i].name, tests[i].fn, NULL) == 0) {
			printf("ok %d - %s\n", ++n, tests[i].name);
			passed++;
		} else {
			printf("not ok %d - %s\n", ++n, tests[i].name);
			failed++;
		}
	}
	for (int f = 0; f < nfix; f++) {
		char name[300];

		snprintf(name, sizeof name, "spec_bad/%s", fixtures[f]);
		if (argc > 1 && strcmp(argv[1], name) != 0 && strcmp(argv[1], "spec_bad") != 0) {
			free(fixtures[f]);
			continue;
		}
		if (run_one(name, NULL, fixtures[f]) == 0) {
			printf("ok %d - %s\n", ++n, name);
			passed++;
		} else {
			printf("not ok %d - %s\n", ++n, name);
			failed++;
		}
		free(fixtures[f]);
	}
	free(fixtures);
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}
