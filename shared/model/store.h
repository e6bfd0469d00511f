/* store.h - the state database: investigations, agent runs, events, measurements. */
#ifndef PERFD_STORE_H
#define PERFD_STORE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#define STORE_FILE "perfd.db"

struct store;

/* Open (creating) dir/perfd.db in WAL mode; NULL with *cause. */
struct store *store_open(const char *dir, char **cause);
void store_close(struct store *);
const char *store_error(struct store *);

int store_begin(struct store *);
int store_commit(struct store *);
int store_rollback(struct store *);

int store_add_investigation(struct store *, const char *id, const char *name,
    const char *spec_path, const char *spec_json, const char *spec_hash,
    const char *dir, int64_t owner_pid);
/* Set the status; "running" stamps the start, an ending status the end. */
int store_set_status(struct store *, const char *id, const char *status,
    const char *error);
int store_set_report(struct store *, const char *id, const char *path);

int store_agent_started(struct store *, const char *id, const char *agent,
    int64_t pid);
int store_agent_ended(struct store *, const char *id, const char *agent,
    const char *status, int exit_code, int term_signal, const char *reason);

int store_add_event(struct store *, const char *id, int64_t seq, int64_t time_ms,
    const char *agent, const char *type, const char *body);
/*
 * Call fn for each stored event of id with seq > after, in order, at
 * most limit of them; returns how many, or -1.
 */
int store_each_event(struct store *, const char *id, int64_t after, int limit,
    void (*fn)(void *, int64_t seq, const char *body), void *arg);
int64_t store_last_seq(struct store *, const char *id);

/* One raw measurement; later issues compare runs from these. */
int store_add_measurement(struct store *, const char *id, const char *agent,
    const char *stage, int run, const char *metric, double value);

/*
 * Import an agent's runs.csv (header: run,warmup,stage,kind,ok,wall_ms,...):
 * every numeric column of each counted, successful run becomes a
 * measurement. Returns the rows imported, or -1.
 */
int store_import_runs(struct store *, const char *id, const char *agent,
    const char *csv_path);

/* The investigation with its agents, or NULL when the ID is unknown. */
/*
 * The least progress, in percent, among the investigation's agents still
 * running (integration aside: it waits for the others); -1 when none has
 * said any.
 */
int store_least_progress(struct store *, const char *id);

cJSON *store_get(struct store *, const char *id);
/* The last `limit` finished (done) investigations of a spec name, oldest first. */
cJSON *store_by_name(struct store *, const char *name, int limit);
/* The last limit investigations, newest first. */
cJSON *store_list(struct store *, int limit);

/*
 * After a crash: every investigation still queued or running whose owner
 * process is gone becomes "interrupted". Calls fn with each ID and the
 * agents' recorded pids, so the caller can stop what they left running.
 */
int store_recover(struct store *, void (*fn)(void *, const char *id,
    const int64_t *pids, int npids), void *arg);

int store_integrity_ok(struct store *);

#endif
