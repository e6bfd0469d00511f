/* supervisor.c - run investigations: five agent processes each, in parallel. */
#include "supervisor.h"

#include "investigation.h"
#include "findings.h"
#include "paths.h"
#include "proc.h"
#include "proto.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* SIGTERM first; a group still there this long after gets SIGKILL. */
#define KILL_GRACE_MS		3000
/* Passes over /proc for an investigation's leftovers, at most. */
#define SUP_LEFTOVER_PASSES	50
/* After an agent exits, how long its progress pipe may stay open. */
#define PIPE_GRACE_MS		500
/* A progress line longer than this is dropped with a warning. */
#define PROGRESS_MAX_LINE	(64 * 1024)

struct inv;

struct agent_proc {
	struct inv	*inv;
	const struct inv_agent *def;	/* its row of the contract's roster */
	char		*dir;
	uv_process_t	 proc;
	uv_pipe_t	 pipe;
	uv_timer_t	 timer;		/* the agent's timeout */
	uv_timer_t	 kill_timer;	/* SIGKILL after SIGTERM; pipe grace */
	struct linebuf	 lines;
	int		 spawned;
	int		 exited;
	int		 pipe_open;
	int		 finalized;
	int		 timed_out;
	int		 killed;	/* cancelled */
	int64_t		 exit_status;
	int		 term_signal;
	int64_t		 started_ms;
	char		*spawn_error;
};

struct inv {
	struct sup		*sup;
	char			*id;
	char			*dir;
	char			*spec_path;
	char			*baseline;	/* folder, or NULL */
	struct spec		*spec;
	char			*status;
	int64_t			 seq;
	int			 running;	/* agents not yet finalized */
	int			 handles;	/* libuv handles not yet closed */
	int			 cancelled;
	int			 finished;
	struct agent_proc	 agents[INV_AGENTS];
	struct buf		 pending;	/* events not yet committed */
	int			 npending;
	TAILQ_ENTRY(inv)	 entry;
};
TAILQ_HEAD(inv_list, inv);

struct sup {
	uv_loop_t		*loop;
	struct store		*store;
	int			 max_parallel;
	struct sup_hooks	 hooks;
	struct inv_list		 queued;
	struct inv_list		 running;
	char			*agent_exe;
	char			*lock_path;
	unsigned		 id_counter;
	int			 in_tx;		/* a batch transaction is open */
	void			(*shutdown_cb)(void *);
	void			*shutdown_arg;
};

static void start_next(struct sup *);

struct sup *
sup_new(uv_loop_t *loop, struct store *store, int max_parallel,
    const struct sup_hooks *hooks)
{
	struct sup *s = xcalloc(1, sizeof *s);
	char *cause = NULL;

	s->loop = loop;
	s->store = store;
	s->max_parallel = max_parallel > 0 ? max_parallel : 1;
	s->hooks = *hooks;
	TAILQ_INIT(&s->queued);
	TAILQ_INIT(&s->running);
	/*
	 * An agent killed with SIGKILL orphans what its stages left running;
	 * as the subreaper those become our children instead of init's, so
	 * one that cleared its environment (which the leftover scan by name
	 * cannot see) is still found (finish_inv).
	 */
	proc_adopt_orphans();
	s->agent_exe = paths_agent_exe();
	s->lock_path = paths_lock(&cause);
	if (s->lock_path == NULL) {
		s->lock_path = xasprintf("/tmp/perfd-measure-%ld.lock", (long)getuid());
		free(cause);
	}
	return s;
}

void
sup_free(struct sup *s)
{
	if (s == NULL)
		return;
	free(s->agent_exe);
	free(s->lock_path);
	free(s);
}

static struct inv *
find_inv(struct sup *s, const char *id, int *position)
{
	struct inv *v;
	int pos = 0;

	TAILQ_FOREACH(v, &s->running, entry) {
		if (strcmp(v->id, id) == 0) {
			if (position != NULL)
				*position = 0;
			return v;
		}
	}
	TAILQ_FOREACH(v, &s->queued, entry) {
		pos++;
		if (strcmp(v->id, id) == 0) {
			if (position != NULL)
				*position = pos;
			return v;
		}
	}
	return NULL;
}

int
sup_position(struct sup *s, const char *id)
{
	int pos = -1;

	find_inv(s, id, &pos);
	return pos;
}

int
sup_active(struct sup *s)
{
	struct inv *v;
	int n = 0;

	TAILQ_FOREACH(v, &s->running, entry)
		n++;
	TAILQ_FOREACH(v, &s->queued, entry)
		n++;
	return n;
}

/* Queue an event: {"v":1,"event":type,"investigation":ID,"seq":N,...}. */
static void
emit(struct inv *v, const char *agent, const char *type, cJSON *fields)
{
	cJSON *o = cJSON_CreateObject(), *f;
	int64_t t = now_unix_ms();
	char *line;

	cJSON_AddNumberToObject(o, "v", PROTO_VERSION);
	cJSON_AddStringToObject(o, "event", type);
	cJSON_AddStringToObject(o, "investigation", v->id);
	cJSON_AddNumberToObject(o, "seq", (double)++v->seq);
	cJSON_AddNumberToObject(o, "time", (double)t);
	if (agent != NULL)
		cJSON_AddStringToObject(o, "agent", agent);
	if (fields != NULL) {
		while ((f = fields->child) != NULL) {
			cJSON_DetachItemViaPointer(fields, f);
			cJSON_AddItemToObject(o, f->string, f);
		}
		cJSON_Delete(fields);
	}
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	/* Never sent unless stored: its number goes to the next event. */
	if (store_add_event(v->sup->store, v->id, v->seq, t, agent, type, line) != 0) {
		fprintf(stderr, "perfd: an event of %s could not be stored and is not "
		    "sent: %s\n", v->id, store_error(v->sup->store));
		v->seq--;
	} else {
		buf_add(&v->pending, line, strlen(line) + 1);
		v->npending++;
	}
	free(line);
}

/*
 * Commit the queued events in one transaction, then broadcast them: a
 * watcher never sees an event the database could lose. When the commit
 * fails, the batch is rolled back and none of it is sent.
 */
static void
events_commit(struct inv *v)
{
	const char *p = v->pending.p;
	int64_t seq = v->seq - v->npending;

	if (v->sup->in_tx) {
		v->sup->in_tx = 0;
		if (store_commit(v->sup->store) != 0) {
			fprintf(stderr, "perfd: %d events of %s could not be stored and are "
			    "not sent: %s\n", v->npending, v->id, store_error(v->sup->store));
			store_rollback(v->sup->store);
			v->seq = seq;
			v->npending = 0;
		}
	}
	for (int i = 0; i < v->npending; i++) {
		if (v->sup->hooks.event != NULL)
			v->sup->hooks.event(v->sup->hooks.arg, v->id, ++seq, p);
		p += strlen(p) + 1;
	}
	buf_consume(&v->pending, v->pending.len);
	v->npending = 0;
}

/*
 * Start a batch of events: they are committed together by events_commit().
 * One transaction serves every investigation: the supervisor runs on one
 * thread, and each batch opens and is committed within one callback, so
 * no other investigation's events fall inside it.
 */
static void
events_begin(struct inv *v)
{
	if (!v->sup->in_tx && store_begin(v->sup->store) == 0)
		v->sup->in_tx = 1;
}

static void
emit_now(struct inv *v, const char *agent, const char *type, cJSON *fields)
{
	events_begin(v);
	emit(v, agent, type, fields);
	events_commit(v);
}

int
sup_emit(struct sup *s, const char *id, const char *type, const char *message)
{
	struct inv *v = find_inv(s, id, NULL);
	cJSON *f;

	if (v == NULL)
		return -1;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "message", message);
	emit_now(v, NULL, type, f);
	return 0;
}

static cJSON *
state_fields(const char *state, const char *status)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "state", state);
	if (status != NULL)
		cJSON_AddStringToObject(f, "status", status);
	return f;
}

/*
 * IDs sort by time: 20261121-091539.123-0001ab-5c09e1f2 (UTC, ms,
 * counter+pid, then 32 random bits: an ID, so the folder's name, cannot
 * be guessed and planted in advance).
 */
static char *
make_id(struct sup *s)
{
	int64_t ms = now_unix_ms();
	time_t t = (time_t)(ms / 1000);
	uint32_t r = 0;
	struct tm tm;
	char d[32];

	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (uint32_t)now_ns();	/* the exclusive mkdir still refuses a plant */
	gmtime_r(&t, &tm);
	strftime(d, sizeof d, "%Y%m%d-%H%M%S", &tm);
	return xasprintf("%s.%03d-%02x%04x-%08x", d, (int)(ms % 1000),
	    (s->id_counter++) & 0xff, (unsigned)getpid() & 0xffff, (unsigned)r);
}

char *
sup_resolve_baseline(struct store *st, const char *arg, char **cause)
{
	struct stat sb;
	cJSON *inv;
	char *dir = NULL, *spec;

	if (stat(arg, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		dir = path_absolute(NULL, arg);
		spec = path_join(dir, INV_SPEC_FILE);
		if (access(spec, R_OK) != 0) {
			*cause = xasprintf("baseline %s is not an investigation folder", arg);
			free(dir);
			dir = NULL;
		}
		free(spec);
		return dir;
	}
	inv = store_get(st, arg);
	if (inv == NULL)
		*cause = xasprintf("no investigation %s to use as the baseline", arg);
	else
		dir = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(inv, "dir")));
	cJSON_Delete(inv);
	return dir;
}

int
sup_submit(struct sup *s, struct spec *spec, const char *spec_path,
    const char *out_dir, const char *baseline_dir, char **idp, char **dirp,
    char **cause)
{
	struct inv *v = xcalloc(1, sizeof *v);
	char *json = NULL, *path = NULL, hash[17];

	v->sup = s;
	v->spec = spec;
	v->id = make_id(s);
	v->dir = xasprintf("%s/tmp/perf-optimization/%s", out_dir, v->id);
	if (paths_make_inv_dir(out_dir, v->id, cause) != 0)
		goto fail;
	v->spec_path = xstrdup(spec_path);
	v->baseline = baseline_dir != NULL ? xstrdup(baseline_dir) : NULL;
	v->status = xstrdup("queued");
	for (int i = 0; i < INV_AGENTS; i++) {
		struct agent_proc *a = &v->agents[i];

		a->inv = v;
		a->def = &inv_agents[i];
		a->dir = path_join(v->dir, a->def->name);
		a->lines.max = PROGRESS_MAX_LINE;
		if (file_mkdir_p(a->dir, 0755) != 0) {
			*cause = xasprintf("cannot create %s: %s", a->dir, strerror(errno));
			goto fail;
		}
	}
	json = spec_to_json(spec);
	path = path_join(v->dir, INV_SPEC_FILE);
	if (file_write_atomic(path, json, strlen(json), cause) != 0)
		goto fail;
	hash_hex(json, strlen(json), hash);
	if (store_add_investigation(s->store, v->id, spec->name, spec_path, json,
	    hash, v->dir, getpid()) != 0) {
		*cause = xasprintf("state database: %s", store_error(s->store));
		goto fail;
	}
	free(json);
	free(path);
	TAILQ_INSERT_TAIL(&s->queued, v, entry);
	emit_now(v, NULL, "investigation", state_fields("queued", NULL));
	*idp = xstrdup(v->id);
	*dirp = xstrdup(v->dir);
	start_next(s);
	return 0;
fail:
	free(json);
	free(path);
	for (int i = 0; i < INV_AGENTS; i++)
		free(v->agents[i].dir);
	spec_free(v->spec);
	free(v->id);
	free(v->dir);
	free(v->spec_path);
	free(v->baseline);
	free(v->status);
	free(v);
	return -1;
}

static void
inv_free(struct inv *v)
{
	for (int i = 0; i < INV_AGENTS; i++) {
		free(v->agents[i].dir);
		free(v->agents[i].spawn_error);
		proto_line_free(&v->agents[i].lines);
	}
	buf_free(&v->pending);
	spec_free(v->spec);
	free(v->id);
	free(v->dir);
	free(v->spec_path);
	free(v->baseline);
	free(v->status);
	free(v);
}

static void
maybe_shutdown_done(struct sup *s)
{
	if (s->shutdown_cb != NULL && TAILQ_EMPTY(&s->running) &&
	    TAILQ_EMPTY(&s->queued)) {
		void (*cb)(void *) = s->shutdown_cb;

		s->shutdown_cb = NULL;
		cb(s->shutdown_arg);
	}
}

static void
on_handle_closed(uv_handle_t *h)
{
	struct agent_proc *a = h->data;
	struct inv *v = a->inv;

	if (--v->handles == 0 && v->finished) {
		struct sup *s = v->sup;

		TAILQ_REMOVE(&s->running, v, entry);
		inv_free(v);
		start_next(s);
		maybe_shutdown_done(s);
	}
}

static void
close_handle(struct agent_proc *a, uv_handle_t *h)
{
	if (!uv_is_closing(h)) {
		h->data = a;
		uv_close(h, on_handle_closed);
	}
}

/* One process of a pass: stopped when its environment holds needle; 1 then. */
static int
kill_named(pid_t pid, void *arg)
{
	const char *needle = arg;
	size_t nlen = strlen(needle), len = 0;
	char path[64], *env, *cause = NULL;
	int hit = 0;

	snprintf(path, sizeof path, "/proc/%ld/environ", (long)pid);
	env = file_read(path, 1 << 20, &len, &cause);
	free(cause);
	for (size_t off = 0; env != NULL && off < len && !hit; off += strlen(env + off) + 1)
		hit = strncmp(env + off, needle, nlen) == 0 && env[off + nlen] == '\0';
	if (hit)
		proc_kill(pid);
	free(env);
	return hit;
}

int
sup_kill_leftovers(const char *id)
{
	char *needle = xasprintf("%s=%s", inv_env_names[INV_ENV_INVESTIGATION], id);
	int total = 0, n, passes = 0;

	/* A SIGKILLed process can stay visible for a moment: a pass cap. */
	while ((n = proc_each(kill_named, needle)) > 0 && ++passes < SUP_LEFTOVER_PASSES) {
		total += n;
		usleep(10000);
	}
	free(needle);
	return total + n;
}

/* proc_reap_children()'s spare: an agent of an investigation still supervised. */
static int
is_live_agent(pid_t pid, void *arg)
{
	struct sup *s = arg;
	struct inv *v;

	TAILQ_FOREACH(v, &s->running, entry)
		for (int i = 0; i < INV_AGENTS; i++)
			if (v->agents[i].spawned && !v->agents[i].exited &&
			    v->agents[i].proc.pid == pid)
				return 1;
	return 0;
}

/* The investigation ends once all five agents are finalized. */
static void
finish_inv(struct inv *v)
{
	char *report = path_join(v->dir, INV_MASTER_MD);
	const char *status, *error = NULL;
	int leftovers;
	cJSON *f;

	status = inv_outcome(v->cancelled, access(report, F_OK) == 0);
	if (strcmp(status, "failed") == 0)
		error = "no master report was written (see integration/status.json)";
	free(v->status);
	v->status = xstrdup(status);
	v->finished = 1;
	/*
	 * The agents are gone; whatever still carries the investigation's
	 * name (a stage of an agent that was killed, a server a stage left)
	 * goes before the investigation is called finished.
	 */
	leftovers = sup_kill_leftovers(v->id);
	/*
	 * Then our own children that are not live agents: orphans of an
	 * agent that died (we are their subreaper), whatever their environment.
	 */
	leftovers += proc_reap_children(is_live_agent, v->sup);
	events_begin(v);
	store_set_status(v->sup->store, v->id, status, error);
	if (strcmp(status, "done") == 0)
		store_set_report(v->sup->store, v->id, report);
	f = state_fields("finished", status);
	if (strcmp(status, "done") == 0)
		cJSON_AddStringToObject(f, "report", report);
	if (error != NULL)
		cJSON_AddStringToObject(f, "message", error);
	if (leftovers > 0)
		cJSON_AddNumberToObject(f, "leftovers_stopped", leftovers);
	emit(v, NULL, "investigation", f);
	events_commit(v);
	if (v->sup->hooks.finished != NULL)
		v->sup->hooks.finished(v->sup->hooks.arg, v->id, status,
		    strcmp(status, "done") == 0 ? report : NULL);
	free(report);
	for (int i = 0; i < INV_AGENTS; i++) {
		struct agent_proc *a = &v->agents[i];

		close_handle(a, (uv_handle_t *)&a->timer);
		close_handle(a, (uv_handle_t *)&a->kill_timer);
		close_handle(a, (uv_handle_t *)&a->pipe);
		if (a->spawned)
			close_handle(a, (uv_handle_t *)&a->proc);
	}
}

/* What the agent's end means: ok / failed / skipped / timeout / killed, and why. */
static const char *
agent_outcome(struct agent_proc *a, char **reason)
{
	char *fpath = path_join(a->dir, INV_FINDINGS_FILE), *cause = NULL;
	struct findings *f = NULL;
	const char *status;

	if (a->spawn_error != NULL) {
		*reason = xasprintf("could not start: %s", a->spawn_error);
		status = "failed";
	} else if (a->timed_out) {
		*reason = xasprintf("still running at agents.timeout (%.0fs): stopped",
		    (double)a->inv->spec->agents_timeout_ms / 1000);
		status = "timeout";
	} else if (a->killed) {
		*reason = xstrdup("cancelled");
		status = "killed";
	} else if (a->term_signal != 0) {
		*reason = xasprintf("killed by signal %d (%s)", a->term_signal,
		    strsignal(a->term_signal));
		status = "killed";
	} else if (a->exit_status != 0) {
		*reason = xasprintf("exited with status %lld (see %s/agent.log)",
		    (long long)a->exit_status, a->def->name);
		status = "failed";
	} else if (a->def->role == INV_INTEGRATOR) {
		*reason = NULL;
		status = "ok";
	} else if ((f = findings_read(fpath, a->inv->spec, &cause)) == NULL) {
		if (access(fpath, F_OK) != 0)
			*reason = xstrdup("exited 0 without writing findings.json");
		else
			*reason = xasprintf("wrote an invalid findings.json: %s", cause);
		status = "failed";
	} else {
		/*
		 * The agent ran to its end; whether it answered is its findings'
		 * word, so status.json never says ok beside a failed report.
		 */
		status = findings_status(f->status);	/* static: f is freed */
		*reason = strcmp(status, "ok") == 0 ? NULL :
		    xstrdup(f->headline != NULL ? f->headline : "no headline");
	}
	findings_free(f);
	free(cause);
	free(fpath);
	return status;
}

static void
write_status_json(struct agent_proc *a, const char *status, const char *reason)
{
	cJSON *o = cJSON_CreateObject();
	char *path = path_join(a->dir, INV_STATUS_FILE), *s, *cause = NULL, *t;
	int64_t now = now_unix_ms();

	cJSON_AddStringToObject(o, "agent", a->def->name);
	cJSON_AddStringToObject(o, "status", status);
	if (reason != NULL)
		cJSON_AddStringToObject(o, "reason", reason);
	else
		cJSON_AddNullToObject(o, "reason");
	if (a->spawned) {
		cJSON_AddNumberToObject(o, "pid", a->proc.pid);
		if (a->term_signal == 0)
			cJSON_AddNumberToObject(o, "exit_code", (double)a->exit_status);
		else
			cJSON_AddNumberToObject(o, "signal", a->term_signal);
	}
	t = now_iso(a->started_ms);
	cJSON_AddStringToObject(o, "started", t);
	free(t);
	t = now_iso(now);
	cJSON_AddStringToObject(o, "ended", t);
	free(t);
	cJSON_AddNumberToObject(o, "duration_ms", (double)(now - a->started_ms));
	s = cJSON_Print(o);
	if (file_write_atomic(path, s, strlen(s), &cause) != 0) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
	}
	cJSON_Delete(o);
	free(s);
	free(path);
}

/* Raw runs an agent left go into the state database, for compare and history. */
static void
import_runs(struct agent_proc *a)
{
	char *path = path_join(a->dir, "runs.csv");

	if (access(path, F_OK) == 0 &&
	    store_import_runs(a->inv->sup->store, a->inv->id, a->def->name, path) < 0)
		fprintf(stderr, "perfd: could not import %s\n", path);
	free(path);
}

/* The agent has exited and its pipe is drained (or its grace is over). */
static void
finalize_agent(struct agent_proc *a)
{
	struct inv *v = a->inv;
	const char *status;
	char *reason = NULL;
	cJSON *f;

	if (a->finalized)
		return;
	a->finalized = 1;
	uv_timer_stop(&a->timer);
	uv_timer_stop(&a->kill_timer);
	if (a->pipe_open) {
		uv_read_stop((uv_stream_t *)&a->pipe);
		a->pipe_open = 0;
	}
	status = agent_outcome(a, &reason);
	write_status_json(a, status, reason);
	events_begin(v);
	import_runs(a);
	store_agent_ended(v->sup->store, v->id, a->def->name, status,
	    (int)a->exit_status, a->term_signal, reason);
	f = state_fields("ended", status);
	if (reason != NULL)
		cJSON_AddStringToObject(f, "reason", reason);
	emit(v, a->def->name, "agent", f);
	events_commit(v);
	free(reason);
	if (--v->running == 0)
		finish_inv(v);
}

static void
on_pipe_grace(uv_timer_t *t)
{
	finalize_agent(t->data);
}

static void
on_agent_exit(uv_process_t *p, int64_t exit_status, int term_signal)
{
	struct agent_proc *a = p->data;

	a->exited = 1;
	a->exit_status = exit_status;
	a->term_signal = term_signal;
	uv_timer_stop(&a->timer);
	/* Whatever the agent left in its group goes with it. */
	uv_kill(-p->pid, SIGKILL);
	if (!a->pipe_open)
		finalize_agent(a);
	else {
		uv_timer_stop(&a->kill_timer);
		a->kill_timer.data = a;
		uv_timer_start(&a->kill_timer, on_pipe_grace, PIPE_GRACE_MS, 0);
	}
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	(void)h;
	b->base = xmalloc(suggested);
	b->len = suggested;
}

static void
bad_line(struct agent_proc *a, const char *why, const char *line)
{
	cJSON *f = cJSON_CreateObject();
	char *msg = xasprintf("invalid progress line from the agent (%s): %.120s%s",
	    why, line, strlen(line) > 120 ? "..." : "");

	cJSON_AddStringToObject(f, "level", "warning");
	cJSON_AddStringToObject(f, "message", msg);
	emit(a->inv, a->def->name, "log", f);
	free(msg);
}

/* Validate one progress line and turn it into an event. */
static void
on_line(void *arg, char *line)
{
	struct agent_proc *a = arg;
	cJSON *o = cJSON_Parse(line), *f = NULL, *type, *pct, *msg, *level;

	if (o == NULL || !cJSON_IsObject(o)) {
		bad_line(a, "not a JSON object", line);
		goto out;
	}
	type = cJSON_GetObjectItemCaseSensitive(o, "type");
	msg = cJSON_GetObjectItemCaseSensitive(o, "message");
	if (!cJSON_IsString(type) || !cJSON_IsString(msg)) {
		bad_line(a, "needs string 'type' and 'message'", line);
		goto out;
	}
	f = cJSON_CreateObject();
	if (strcmp(type->valuestring, "progress") == 0) {
		pct = cJSON_GetObjectItemCaseSensitive(o, "percent");
		if (!cJSON_IsNumber(pct) || pct->valuedouble < 0 || pct->valuedouble > 100) {
			bad_line(a, "'percent' must be a number from 0 to 100", line);
			goto out;
		}
		cJSON_AddNumberToObject(f, "percent", (int)pct->valuedouble);
	} else if (strcmp(type->valuestring, "log") == 0) {
		level = cJSON_GetObjectItemCaseSensitive(o, "level");
		cJSON_AddStringToObject(f, "level", cJSON_IsString(level) ?
		    level->valuestring : "info");
	} else if (strcmp(type->valuestring, "finding") != 0) {
		bad_line(a, "unknown type", line);
		goto out;
	}
	cJSON_AddStringToObject(f, "message", msg->valuestring);
	emit(a->inv, a->def->name, type->valuestring, f);
	f = NULL;
out:
	cJSON_Delete(f);
	cJSON_Delete(o);
}

static void
on_toolong(void *arg)
{
	bad_line(arg, "over 64 KiB", "");
}

static void
on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct agent_proc *a = st->data;

	if (n > 0) {
		events_begin(a->inv);
		proto_line_feed(&a->lines, b->base, (size_t)n, on_line, on_toolong, a);
		events_commit(a->inv);
	} else if (n < 0) {
		uv_read_stop(st);
		a->pipe_open = 0;
		if (a->exited)
			finalize_agent(a);
	}
	free(b->base);
}

static void
on_kill_timer(uv_timer_t *t)
{
	struct agent_proc *a = t->data;

	if (!a->exited)
		uv_kill(-a->proc.pid, SIGKILL);
}

/* SIGTERM the agent's whole process group; SIGKILL after a grace. */
static void
stop_agent(struct agent_proc *a)
{
	if (!a->spawned || a->exited)
		return;
	/* The group, not just the pid: stages the agent runs go too. */
	uv_kill(-a->proc.pid, SIGTERM);
	a->kill_timer.data = a;
	uv_timer_start(&a->kill_timer, on_kill_timer, KILL_GRACE_MS, 0);
}

static void
on_timeout(uv_timer_t *t)
{
	struct agent_proc *a = t->data;
	cJSON *f = cJSON_CreateObject();

	a->timed_out = 1;
	cJSON_AddStringToObject(f, "level", "warning");
	cJSON_AddStringToObject(f, "message", "agents.timeout reached: stopping the agent");
	emit_now(a->inv, a->def->name, "log", f);
	stop_agent(a);
}

/* The contract's environment for this investigation's agents. */
static char **
agent_env(struct inv *v)
{
	const char *values[INV_ENV_COUNT] = {
		[INV_ENV_INVESTIGATION] = v->id,
		[INV_ENV_LOCK] = v->sup->lock_path,
		[INV_ENV_SPEC_SOURCE] = v->spec_path,
		[INV_ENV_BASELINE] = v->baseline,
		[INV_ENV_DB_PASSWORD] = v->spec->db_secret,
	};

	return inv_env(environ, values);
}

static void
spawn_agent(struct inv *v, struct agent_proc *a, char **env)
{
	uv_loop_t *loop = v->sup->loop;
	uv_process_options_t o;
	uv_stdio_container_t io[4];
	char *log = path_join(a->dir, INV_LOG_FILE);
	char *spec = path_join(v->dir, INV_SPEC_FILE);
	char *args[] = { v->sup->agent_exe, (char *)a->def->name, "--spec", spec,
	    "--out", a->dir, "--progress-fd", "3", NULL };
	int64_t timeout = v->spec->agents_timeout_ms;
	int fd, rc;

	a->started_ms = now_unix_ms();
	uv_timer_init(loop, &a->timer);
	uv_timer_init(loop, &a->kill_timer);
	uv_pipe_init(loop, &a->pipe, 0);
	v->handles += 3;
	a->timer.data = a->kill_timer.data = a->pipe.data = a;
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	memset(&o, 0, sizeof o);
	memset(io, 0, sizeof io);
	io[0].flags = UV_IGNORE;
	io[1].flags = io[2].flags = fd >= 0 ? UV_INHERIT_FD : UV_IGNORE;
	io[1].data.fd = io[2].data.fd = fd;
	io[3].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[3].data.stream = (uv_stream_t *)&a->pipe;
	o.file = args[0];
	o.args = args;
	o.env = env;
	o.stdio = io;
	o.stdio_count = 4;
	o.exit_cb = on_agent_exit;
	/* DETACHED: a session and process group of its own, killed as one. */
	o.flags = UV_PROCESS_DETACHED;
	a->proc.data = a;
	rc = uv_spawn(loop, &a->proc, &o);
	if (fd >= 0)
		close(fd);
	a->spawned = 1;	/* the handle must be closed even when spawn failed */
	v->handles++;
	if (rc != 0) {
		a->spawn_error = xasprintf("%s: %s", args[0], uv_strerror(rc));
		a->exited = 1;
		a->exit_status = 127;
	} else {
		a->pipe_open = 1;
		uv_read_start((uv_stream_t *)&a->pipe, on_alloc, on_read);
		timeout += a->def->extra_timeout_ms;
		uv_timer_start(&a->timer, on_timeout, (uint64_t)timeout, 0);
		store_agent_started(v->sup->store, v->id, a->def->name, a->proc.pid);
		cJSON *f = state_fields("started", NULL);
		cJSON_AddNumberToObject(f, "pid", a->proc.pid);
		emit(v, a->def->name, "agent", f);
	}
	free(log);
	free(spec);
}

/* Spawn all five agents in one go. */
static void
start_inv(struct inv *v)
{
	char **env = agent_env(v);

	free(v->status);
	v->status = xstrdup("running");
	events_begin(v);
	store_set_status(v->sup->store, v->id, "running", NULL);
	emit(v, NULL, "investigation", state_fields("running", NULL));
	v->running = INV_AGENTS;
	for (int i = 0; i < INV_AGENTS; i++)
		spawn_agent(v, &v->agents[i], env);
	events_commit(v);
	inv_env_free(env);
	for (int i = 0; i < INV_AGENTS; i++) {
		if (v->agents[i].spawn_error != NULL)
			finalize_agent(&v->agents[i]);
	}
}

static void
start_next(struct sup *s)
{
	struct inv *v;
	int running = 0;

	if (s->shutdown_cb != NULL)
		return;
	TAILQ_FOREACH(v, &s->running, entry)
		running++;
	while (running < s->max_parallel && (v = TAILQ_FIRST(&s->queued)) != NULL) {
		TAILQ_REMOVE(&s->queued, v, entry);
		TAILQ_INSERT_TAIL(&s->running, v, entry);
		running++;
		start_inv(v);
	}
}

/* A queued investigation never started: end it without agents. */
static void
drop_queued(struct sup *s, struct inv *v)
{
	TAILQ_REMOVE(&s->queued, v, entry);
	events_begin(v);
	store_set_status(s->store, v->id, "cancelled", NULL);
	emit(v, NULL, "investigation", state_fields("finished", "cancelled"));
	events_commit(v);
	if (s->hooks.finished != NULL)
		s->hooks.finished(s->hooks.arg, v->id, "cancelled", NULL);
	inv_free(v);
}

static void
cancel_inv(struct inv *v)
{
	if (v->cancelled || v->finished)
		return;
	v->cancelled = 1;
	for (int i = 0; i < INV_AGENTS; i++) {
		struct agent_proc *a = &v->agents[i];

		if (a->spawned && !a->exited) {
			a->killed = 1;
			uv_timer_stop(&a->timer);	/* a cancel is not a timeout */
			stop_agent(a);
		}
	}
}

int
sup_cancel(struct sup *s, const char *id, char **cause)
{
	int pos;
	struct inv *v = find_inv(s, id, &pos);

	if (v == NULL) {
		*cause = xasprintf("investigation %s is not running or queued", id);
		return -1;
	}
	if (pos > 0)
		drop_queued(s, v);
	else
		cancel_inv(v);
	return 0;
}

void
sup_shutdown(struct sup *s, void (*done)(void *), void *arg)
{
	struct inv *v;

	s->shutdown_cb = done;
	s->shutdown_arg = arg;
	while ((v = TAILQ_FIRST(&s->queued)) != NULL)
		drop_queued(s, v);
	TAILQ_FOREACH(v, &s->running, entry)
		cancel_inv(v);
	maybe_shutdown_done(s);
}
