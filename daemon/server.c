/* server.c - the daemon: socket, clients, request dispatch, broadcasting. */
#include "server.h"

#include "lock.h"
#include "paths.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct request {
	const char	*name;
	void		(*fn)(struct client *, cJSON *);
} requests[] = {
	{ "ping", req_ping },
	{ "submit", req_submit },
	{ "status", req_status },
	{ "list", req_list },
	{ "watch", req_watch },
	{ "cancel", req_cancel },
	{ "shutdown", req_shutdown },
};

static void client_pump(struct client *);
static void client_flush(struct client *);
static void client_resume(struct client *);
static void on_stall(uv_timer_t *);

/* Bytes accepted for this client and not yet taken by its socket. */
static size_t
client_queued(struct client *c)
{
	return c->out.len + (c->writing ? c->inflight.len : 0);
}

static void
on_write(uv_write_t *w, int status)
{
	struct client *c = w->data;

	c->writing = 0;
	buf_consume(&c->inflight, c->inflight.len);
	/* Keep a small buffer for the next burst, not a large one forever. */
	if (c->inflight.cap > 64 * 1024)
		buf_free(&c->inflight);
	if (status != 0 || c->closing)
		return;
	if (((c->watch_id != NULL && c->catching_up) || c->paused) && !c->dropping)
		uv_timer_start(&c->drop_timer, on_stall, WATCH_STALL_MS, 0);
	if (c->catching_up && !c->dropping)
		client_pump(c);
	if (c->paused && !c->blocked && !c->dropping && client_queued(c) < WATCH_LOW_WATER)
		client_resume(c);
	client_flush(c);
}

/*
 * One write in flight per client: what is sent meanwhile accumulates in
 * c->out and goes out in a single write when the previous one is done,
 * so a burst of events costs one system call per client, not one each.
 */
static void
client_flush(struct client *c)
{
	struct buf tmp;
	uv_buf_t b;

	if (c->writing || c->closing || c->out.len == 0)
		return;
	tmp = c->inflight;
	c->inflight = c->out;
	c->out = tmp;
	c->wreq.data = c;
	b = uv_buf_init(c->inflight.p, (unsigned)c->inflight.len);
	if (uv_write(&c->wreq, (uv_stream_t *)&c->pipe, &b, 1, on_write) == 0)
		c->writing = 1;
	else
		buf_consume(&c->inflight, c->inflight.len);
}

void
server_send_line(struct client *c, const char *line)
{
	if (c->closing)
		return;
	buf_puts(&c->out, line);
	buf_add(&c->out, "\n", 1);
	client_flush(c);
}

void
server_send_json(struct client *c, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	server_send_line(c, s);
	free(s);
	cJSON_Delete(o);
}

cJSON *
server_ok(void)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "v", PROTO_VERSION);
	cJSON_AddTrueToObject(o, "ok");
	return o;
}

void
server_error(struct client *c, const char *code, const char *fmt, ...)
{
	va_list ap;
	char *msg, *line, *clean;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* A message may quote the request: never echo bytes that are not UTF-8. */
	clean = utf8_escape(msg);
	line = proto_error(code, "%s", clean);
	free(clean);
	server_send_line(c, line);
	free(line);
	free(msg);
}

const char *
server_req_string(struct client *c, cJSON *req, const char *field, int required)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(req, field);

	if (v == NULL || cJSON_IsNull(v)) {
		if (required)
			server_error(c, "missing_field", "'%s' is required", field);
		return NULL;
	}
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
		server_error(c, "bad_field", "'%s' must be a non-empty string", field);
		return NULL;
	}
	return v->valuestring;
}

static void
on_client_closed(uv_handle_t *h)
{
	struct client *c = h->data;

	if (!uv_is_closing((uv_handle_t *)&c->drop_timer)) {
		uv_close((uv_handle_t *)&c->drop_timer, on_client_closed);
		return;
	}
	proto_line_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->inflight);
	free(c->watch_id);
	free(c);
}

static void
client_close(struct client *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	if (c->submitting != NULL)
		req_submit_detach(c->submitting);
	LIST_REMOVE(c, entry);
	uv_close((uv_handle_t *)&c->pipe, on_client_closed);
}

static void
on_drop_timer(uv_timer_t *t)
{
	client_close(t->data);
}

/*
 * The socket took nothing for WATCH_STALL_MS while events waited: the
 * watcher has stopped reading. It gets a final error line (if there is
 * room for it) and is closed a second later.
 */
static void
on_stall(uv_timer_t *t)
{
	struct client *c = t->data;
	char *err;

	if (c->watch_id != NULL) {
		err = proto_error("slow_watcher", "nothing read for %d ms: this watcher "
		    "is dropped; watch again with since", WATCH_STALL_MS);
		fprintf(stderr, "perfd: dropped a watcher of %s: nothing read for %d "
		    "ms\n", c->watch_id, WATCH_STALL_MS);
	} else {
		err = proto_error("slow_client", "nothing read for %d ms with answers "
		    "waiting: this connection is dropped", WATCH_STALL_MS);
		fprintf(stderr, "perfd: dropped a client: nothing read for %d ms with "
		    "%zu bytes of answers waiting\n", WATCH_STALL_MS, client_queued(c));
	}
	c->dropping = 1;
	server_send_line(c, err);
	free(err);
	uv_read_stop((uv_stream_t *)&c->pipe);
	uv_timer_start(&c->drop_timer, on_drop_timer, 1000, 0);
}

/* A new event; watchers still replaying will read it from the database. */
static void
on_event(void *arg, const char *id, int64_t seq, const char *line)
{
	struct server *srv = arg;
	struct client *c, *next;

	for (c = LIST_FIRST(&srv->clients); c != NULL; c = next) {
		next = LIST_NEXT(c, entry);
		if (c->watch_id == NULL || c->catching_up || c->dropping ||
		    seq <= c->sent_seq || strcmp(c->watch_id, id) != 0)
			continue;
		if (client_queued(c) > WATCH_HIGH_WATER) {
			/* Behind: from here it reads the database at its own pace. */
			c->catching_up = 1;
			uv_timer_start(&c->drop_timer, on_stall, WATCH_STALL_MS, 0);
			continue;
		}
		server_send_line(c, line);
		c->sent_seq = seq;
	}
}

static void
replay_one(void *arg, int64_t seq, const char *body)
{
	struct client *c = arg;

	server_send_line(c, body);
	c->sent_seq = seq;
}

/*
 * Replay stored events a page at a time, only while the socket keeps up:
 * the write callback calls this again. A short page means the database
 * has nothing newer, and the loop is single-threaded, so from here the
 * live events carry on without a gap or a repeat.
 */
static void
client_pump(struct client *c)
{
	struct store *st = c->srv->store;
	cJSON *inv, *e;
	int n;

	while (client_queued(c) < WATCH_LOW_WATER) {
		n = store_each_event(st, c->watch_id, c->sent_seq, WATCH_PAGE, replay_one, c);
		if (n == WATCH_PAGE)
			continue;
		c->catching_up = 0;
		uv_timer_stop(&c->drop_timer);
		if (sup_position(c->srv->sup, c->watch_id) >= 0)
			return;
		/* Not active here (ended, or interrupted by a crash): say so. */
		inv = store_get(st, c->watch_id);
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "v", PROTO_VERSION);
		cJSON_AddStringToObject(e, "event", "investigation");
		cJSON_AddStringToObject(e, "investigation", c->watch_id);
		cJSON_AddStringToObject(e, "state", "finished");
		cJSON_AddItemToObject(e, "status", cJSON_Duplicate(cJSON_GetObjectItem(inv,
		    "status"), 1));
		cJSON_AddTrueToObject(e, "replayed");
		server_send_json(c, e);
		cJSON_Delete(inv);
		free(c->watch_id);
		c->watch_id = NULL;
		return;
	}
}

void
server_watch(struct client *c, const char *id, int64_t after)
{
	free(c->watch_id);
	c->watch_id = xstrdup(id);
	c->sent_seq = after;
	c->catching_up = 1;
	uv_timer_start(&c->drop_timer, on_stall, WATCH_STALL_MS, 0);
	client_pump(c);
}

/*
 * A client that sends requests and does not read the answers: stop taking
 * its requests (the rest of what it sent stays in the line buffer, and the
 * kernel's socket buffer fills, which stops its writes) until the answers
 * drain. The stall timer drops it if they never do.
 */
static void
client_pause(struct client *c)
{
	if (c->paused || c->closing)
		return;
	c->paused = 1;
	proto_line_pause(&c->in);
	uv_read_stop((uv_stream_t *)&c->pipe);
}

static void
client_backpressure(struct client *c)
{
	if (c->closing || c->blocked || client_queued(c) <= WATCH_HIGH_WATER)
		return;
	client_pause(c);
	uv_timer_start(&c->drop_timer, on_stall, WATCH_STALL_MS, 0);
}

void
server_block(struct client *c)
{
	c->blocked = 1;
	client_pause(c);
}

void
server_unblock(struct client *c)
{
	c->blocked = 0;
	if (client_queued(c) > WATCH_HIGH_WATER)
		uv_timer_start(&c->drop_timer, on_stall, WATCH_STALL_MS, 0);
	else if (c->paused && !c->closing && !c->dropping)
		client_resume(c);
}

static void dispatch(void *, char *);
static void on_toolong(void *);
static void on_alloc(uv_handle_t *, size_t, uv_buf_t *);
static void on_read(uv_stream_t *, ssize_t, const uv_buf_t *);

/* The answers drained: the requests held meanwhile, then the socket again. */
static void
client_resume(struct client *c)
{
	c->paused = 0;
	if (c->watch_id == NULL || !c->catching_up)
		uv_timer_stop(&c->drop_timer);
	proto_line_resume(&c->in, dispatch, on_toolong, c);
	if (!c->paused && !c->closing && !c->dropping)
		uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
}

static void
dispatch(void *arg, char *line)
{
	struct client *c = arg;
	const char *code, *name;
	char *msg = NULL;
	cJSON *req;

	if (c->closing || c->dropping)
		return;
	if (line[0] == '\0' && !c->in.nul)
		return;
	req = proto_request(line, c->in.nul, &code, &msg);
	if (req == NULL) {
		server_error(c, code, "%s", msg);
		free(msg);
		goto out;
	}
	name = cJSON_GetObjectItemCaseSensitive(req, "cmd")->valuestring;
	for (size_t i = 0; i < PERFD_ARRAY_LEN(requests); i++) {
		if (strcmp(requests[i].name, name) == 0) {
			requests[i].fn(c, req);
			goto out;
		}
	}
	server_error(c, "unknown_command", "unknown command '%.64s' (known: ping, "
	    "submit, status, list, watch, cancel, shutdown)", name);
out:
	cJSON_Delete(req);
	client_backpressure(c);
}

static void
on_toolong(void *arg)
{
	server_error(arg, "line_too_long", "a request line is limited to %d bytes",
	    PROTO_MAX_LINE);
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	(void)h;
	b->base = xmalloc(suggested);
	b->len = suggested;
}

static void
on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct client *c = st->data;

	if (n > 0)
		proto_line_feed(&c->in, b->base, (size_t)n, dispatch, on_toolong, c);
	else if (n < 0)
		client_close(c);
	free(b->base);
}

/* Only the daemon's own user may talk to it. */
static int
peer_is_us(uv_pipe_t *p)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)p, &fd) != 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return 0;
	return cred.uid == getuid();
}

static void
on_connection(uv_stream_t *l, int status)
{
	struct server *srv = l->data;
	struct client *c;

	if (status != 0)
		return;
	c = xcalloc(1, sizeof *c);
	c->srv = srv;
	c->in.max = PROTO_MAX_LINE;
	uv_pipe_init(srv->loop, &c->pipe, 0);
	uv_timer_init(srv->loop, &c->drop_timer);
	c->pipe.data = c->drop_timer.data = c;
	LIST_INSERT_HEAD(&srv->clients, c, entry);
	if (uv_accept(l, (uv_stream_t *)&c->pipe) != 0) {
		client_close(c);
		return;
	}
	if (!peer_is_us(&c->pipe)) {
		fprintf(stderr, "perfd: refused a connection from another user\n");
		client_close(c);
		return;
	}
	uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
}

static void
on_stopped(void *arg)
{
	struct server *srv = arg;
	struct client *c;

	while ((c = LIST_FIRST(&srv->clients)) != NULL)
		client_close(c);
	uv_close((uv_handle_t *)&srv->listener, NULL);
	uv_close((uv_handle_t *)&srv->sigterm, NULL);
	uv_close((uv_handle_t *)&srv->sigint, NULL);
}

void
server_stop(struct server *srv)
{
	if (srv->stopping)
		return;
	srv->stopping = 1;
	fprintf(stderr, "perfd: shutting down\n");
	sup_shutdown(srv->sup, on_stopped, srv);
}

static void
on_signal(uv_signal_t *s, int signum)
{
	(void)signum;
	server_stop(s->data);
}

/* An interrupted investigation: stop what it left running (see sup_kill_leftovers()). */
static void
kill_leftovers(void *arg, const char *id, const int64_t *pids, int npids)
{
	int killed = sup_kill_leftovers(id);

	(void)arg;
	(void)pids;
	(void)npids;
	fprintf(stderr, "perfd: investigation %s was interrupted; stopped %d "
	    "leftover process%s\n", id, killed, killed == 1 ? "" : "es");
}

static int
bind_socket(struct server *srv, char **cause)
{
	char *lockpath = xasprintf("%s.lock", srv->socket_path);
	struct stat st;
	mode_t old;
	int rc;

	/* The lock, held for the daemon's life, decides who owns the socket. */
	srv->lock_fd = lock_try(lockpath);
	if (srv->lock_fd < 0) {
		*cause = xasprintf("another perfd daemon is running on %s", srv->socket_path);
		free(lockpath);
		return -1;
	}
	free(lockpath);
	/* We hold the lock, so a socket file there is a dead daemon's. */
	if (lstat(srv->socket_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(srv->socket_path);
	uv_pipe_init(srv->loop, &srv->listener, 0);
	srv->listener.data = srv;
	old = umask(0177);
	rc = uv_pipe_bind(&srv->listener, srv->socket_path);
	umask(old);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&srv->listener, 128, on_connection);
	if (rc != 0) {
		*cause = xasprintf("%s: %s", srv->socket_path, uv_strerror(rc));
		return -1;
	}
	if (lstat(srv->socket_path, &st) != 0 || (st.st_mode & 0777) != 0600) {
		*cause = xasprintf("%s: socket mode is not 0600", srv->socket_path);
		return -1;
	}
	return 0;
}

int
server_main(const struct server_opts *o)
{
	struct server srv;
	struct sup_hooks hooks = { on_event, NULL, &srv };
	char *cause = NULL, *state = NULL;
	int rc = 1, n;

	memset(&srv, 0, sizeof srv);
	srv.lock_fd = -1;
	LIST_INIT(&srv.clients);
	srv.loop = uv_default_loop();
	signal(SIGPIPE, SIG_IGN);
	srv.socket_path = paths_socket(o->socket_path, &cause);
	if (srv.socket_path == NULL)
		goto out;
	state = paths_state_dir(o->state_dir, &cause);
	if (state == NULL)
		goto out;
	if (bind_socket(&srv, &cause) != 0)
		goto out;
	srv.store = store_open(state, &cause);
	if (srv.store == NULL)
		goto out;
	n = store_recover(srv.store, kill_leftovers, &srv);
	if (n > 0)
		fprintf(stderr, "perfd: marked %d investigation%s interrupted\n", n,
		    n == 1 ? "" : "s");
	srv.sup = sup_new(srv.loop, srv.store, o->max_parallel, &hooks);
	uv_signal_init(srv.loop, &srv.sigterm);
	uv_signal_init(srv.loop, &srv.sigint);
	srv.sigterm.data = srv.sigint.data = &srv;
	uv_signal_start(&srv.sigterm, on_signal, SIGTERM);
	uv_signal_start(&srv.sigint, on_signal, SIGINT);
	fprintf(stderr, "perfd: daemon %s listening on %s (state %s/%s)\n",
	    PERFD_VERSION, srv.socket_path, state, STORE_FILE);
	uv_run(srv.loop, UV_RUN_DEFAULT);
	unlink(srv.socket_path);
	rc = 0;
out:
	if (cause != NULL) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
	}
	sup_free(srv.sup);
	store_close(srv.store);
	uv_loop_close(srv.loop);
	lock_release(srv.lock_fd);
	free(srv.socket_path);
	free(state);
	return rc;
}
