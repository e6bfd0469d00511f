/* fake-agent.c - a test double for perfd-agent, misbehaving on request.
 *
 * The behaviour of agent NAME comes from $FAKE_<NAME> (upper case, - as _):
 *   ok        write a findings.json with an optimize vote per stage (default)
 *   crash     abort() before writing anything
 *   hang      sleep until killed (ignores nothing: SIGTERM ends it)
 *   stubborn  ignore SIGTERM and hang (the supervisor must SIGKILL)
 *   garbage   write junk lines on the progress pipe, then behave as ok
 *   noreport  exit 0 without a findings.json
 *   badjson   write an invalid findings.json and exit 0
 *   spam:N    send N progress events as fast as possible, then ok
 *   child     start a grandchild that sleeps, then hang
 * "integration" defaults to the real agent ($FAKE_REAL_AGENT).
 */
#include "agentrt.h"
#include "util.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *
mode_for(const char *name)
{
	char key[64];
	size_t i;

	snprintf(key, sizeof key, "FAKE_%s", name);
	for (i = 0; key[i] != '\0'; i++)
		key[i] = key[i] == '-' ? '_' : (char)toupper((unsigned char)key[i]);
	return getenv(key);
}

static int
write_ok(struct agent *a)
{
	struct findings *f = findings_new(a->name, "ok");
	int rc;

	f->headline = xasprintf("fake %s report", a->name);
	for (int i = 0; i < a->spec->nstages; i++)
		findings_vote(f, a->spec->stages[i].name, "optimize", "fake vote");
	rc = agent_publish(a, f, "FAKE.md", "# fake\n");
	findings_free(f);
	return rc == 0 ? 0 : 1;
}

static int behave(struct agent *, const char *);

int
main(int argc, char **argv)
{
	struct agent a;
	int rc;

	if (argc > 1 && strcmp(argv[1], "integration") == 0 &&
	    mode_for("integration") == NULL && getenv("FAKE_REAL_AGENT") != NULL) {
		argv[0] = getenv("FAKE_REAL_AGENT");
		execv(argv[0], argv);
		perror("execv");
		return 127;
	}
	if (agent_init(&a, argc, argv) != 0)
		return 2;
	rc = behave(&a, mode_for(a.name));
	agent_done(&a);
	return rc;
}

/*
 * A grandchild that outlives the agent unless its group is killed; its
 * pid goes to $FAKE_CHILD_PIDFILE, so that a test looks for this one
 * process and not for any sleep on the machine.
 */
static void
start_child(void)
{
	const char *pidfile = getenv("FAKE_CHILD_PIDFILE");
	pid_t pid = fork();
	FILE *f;

	if (pid == 0) {
		execl("/bin/sleep", "sleep", "300", (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && pidfile != NULL && (f = fopen(pidfile, "w")) != NULL) {
		fprintf(f, "%ld\n", (long)pid);
		fclose(f);
	}
}

static int
behave(struct agent *ap, const char *mode)
{
	struct agent a = *ap;

	if (mode == NULL || strcmp(mode, "ok") == 0)
		return write_ok(&a);
	if (strcmp(mode, "crash") == 0)
		abort();
	if (strcmp(mode, "stubborn") == 0)
		signal(SIGTERM, SIG_IGN);
	if (strcmp(mode, "child") == 0)
		start_child();
	if (strcmp(mode, "hang") == 0 || strcmp(mode, "stubborn") == 0 ||
	    strcmp(mode, "child") == 0) {
		agent_progress(&a, 10, "hanging on purpose");
		for (;;)
			pause();
	}
	if (strcmp(mode, "garbage") == 0) {
		const char *junk = "this is not json\n{\"type\":\"progress\"}\n"
		    "{\"type\":\"progress\",\"percent\":500,\"message\":\"x\"}\n[1,2]\n"
		    "{\"type\":\"bogus\",\"message\":\"x\"}\n";

		if (write(a.progress_fd, junk, strlen(junk)) < 0)
			return 1;
		return write_ok(&a);
	}
	if (strcmp(mode, "noreport") == 0)
		return 0;
	if (strcmp(mode, "badjson") == 0) {
		char *p = agent_path(&a, INV_FINDINGS_FILE), *cause = NULL;

		file_write_atomic(p, "{\"schema\":\"nope\"", 16, &cause);
		free(p);
		free(cause);
		return 0;
	}
	if (strncmp(mode, "spam:", 5) == 0) {
		int n = atoi(mode + 5);

		for (int i = 0; i < n; i++)
			agent_progress(&a, i * 100 / n, "event %d", i);
		return write_ok(&a);
	}
	fprintf(stderr, "fake-agent: unknown mode '%s'\n", mode);
	return 3;
}
