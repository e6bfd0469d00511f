/* server.h - the daemon: socket, clients, request dispatch, broadcasting. */
#ifndef PERFD_SERVER_H
#define PERFD_SERVER_H

#include <cjson/cJSON.h>
#include <sys/queue.h>
#include <uv.h>

#include "proto.h"
#include "store.h"
#include "supervisor.h"

/*
 * A live watcher with more than this unsent goes back to reading the
 * database (replay), which it leaves once it has caught up: the daemon
 * never holds more than this for one client.
 */
#define WATCH_HIGH_WATER	(1024u * 1024)
/* Replay refills a watcher's buffer only below this. */
#define WATCH_LOW_WATER		(256u * 1024)
/* Events read from the database per refill. */
#define WATCH_PAGE		512
/* A watcher whose socket takes nothing for this long is dropped. */
#define WATCH_STALL_MS		10000
/*
 * Any client with more than WATCH_HIGH_WATER unsent stops being read (its
 * requests wait, unparsed, in the kernel and in its line buffer) until it
 * is below WATCH_LOW_WATER again; one that then takes nothing for
 * WATCH_STALL_MS is dropped. One client costs the daemon at most about
 * the high water mark plus one request's answer.
 */

struct server;
struct submit_work;

struct client {
	struct server		*srv;
	uv_pipe_t		 pipe;
	uv_timer_t		 drop_timer;	/* stall detection, then the drop */
	uv_write_t		 wreq;
	struct buf		 out;		/* waiting to be written */
	struct buf		 inflight;	/* being written */
	int			 writing;
	struct linebuf		 in;
	char			*watch_id;
	int64_t			 sent_seq;	/* the last event sent */
	int			 catching_up;	/* replaying from the database */
	int			 closing;
	int			 dropping;
	int			 paused;	/* not read: too much unsent ... */
	int			 blocked;	/* ... or a request in progress */
	struct submit_work	*submitting;	/* a spec being parsed for it */
	LIST_ENTRY(client)	 entry;
};

struct server {
	uv_loop_t		*loop;
	uv_pipe_t		 listener;
	uv_signal_t		 sigterm;
	uv_signal_t		 sigint;
	struct store		*store;
	struct sup		*sup;
	char			*socket_path;
	int			 lock_fd;
	int			 stopping;
	LIST_HEAD(, client)	 clients;
};

struct server_opts {
	const char	*socket_path;
	const char	*state_dir;
	int		 max_parallel;
};

/* Run the daemon in the foreground until shutdown; the exit status. */
int server_main(const struct server_opts *);

/* Send one JSON line; takes o. */
void server_send_json(struct client *, cJSON *o);
void server_send_line(struct client *, const char *line);
void server_error(struct client *, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* {"v":1,"ok":true} to fill in and send. */
cJSON *server_ok(void);
void server_stop(struct server *);
/*
 * Take no further request from this client until unblocked: for a request
 * finished off the loop (its answer must come before the next one's).
 */
void server_block(struct client *);
void server_unblock(struct client *);
/* Start sending id's events after seq: replay, then live. */
void server_watch(struct client *, const char *id, int64_t after);

/* A string field of the request, or NULL (and an error sent) when absent. */
const char *server_req_string(struct client *, cJSON *req, const char *field, int required);

/* One handler per request, in req-*.c. */
void req_ping(struct client *, cJSON *);
void req_submit(struct client *, cJSON *);
/* The client of a submit in progress is gone: its result is dropped. */
void req_submit_detach(struct submit_work *);
void req_status(struct client *, cJSON *);
void req_list(struct client *, cJSON *);
void req_watch(struct client *, cJSON *);
void req_cancel(struct client *, cJSON *);
void req_shutdown(struct client *, cJSON *);

/* Also used by the CLI without a daemon. */
cJSON *req_status_json(struct store *, struct sup *, const char *id);

#endif
