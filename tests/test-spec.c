/* test-spec.c - the spec parser: good specs, defaults, and the fixtures. */
#include "test.h"
#include "dbdriver.h"

#include "spec.h"
#include "util.h"

#include <unistd.h>

static const char full_spec[] =
	"version: 1\n"
	"name: btcusdt-ingest\n"
	"description: free text\n"
	"hypothesis: ingest\n"
	"workdir: .\n"
	"env: {MODE: fast, N: 3}\n"
	"rows: 44000\n"
	"pipeline:\n"
	"  warmup: 2\n"
	"  repetitions: 7\n"
	"  timeout: 90s\n"
	"  setup: ./reset.sh\n"
	"  teardown: ./cleanup.sh\n"
	"  stages:\n"
	"    - name: download\n"
	"      fetch: {url: \"http://127.0.0.1:8080/data.csv.gz\", output: data.csv.gz}\n"
	"      concurrency: [1, 4, 8]\n"
	"    - name: parse\n"
	"      run: ./parse.sh data.csv > rows.csv\n"
	"      threshold: 7%\n"
	"    - name: ingest\n"
	"      run: ./ingest.sh\n"
	"database:\n"
	"  kind: sqlite\n"
	"  path: target.db\n"
	"  table: trades\n"
	"client:\n"
	"  stage: ingest\n"
	"batch:\n"
	"  stage: ingest\n"
	"  command: ./ingest.sh --batch {batch}\n"
	"  current: 10\n"
	"  sizes: [1, 10, 100]\n"
	"agents:\n"
	"  timeout: 2m\n";

static struct spec *
parse(const char *text)
{
	const char *path = test_write("spec.yaml", text);
	char *errors = NULL;
	struct spec *sp = spec_parse_file(path, &db_driver_spec_kinds, &errors);

	if (sp == NULL)
		fprintf(stderr, "unexpected errors:\n%s", errors);
	free(errors);
	return sp;
}

TEST_IMPL(spec_good_full)
{
	struct spec *sp = parse(full_spec);

	ASSERT(sp != NULL);
	ASSERT_STR(sp->name, "btcusdt-ingest");
	ASSERT_STR(sp->hypothesis, "ingest");
	ASSERT_INT(sp->nenv, ==, 2);
	ASSERT_STR(sp->env[0], "MODE=fast");
	ASSERT_INT(sp->rows, ==, 44000);
	ASSERT_INT(sp->warmup, ==, 2);
	ASSERT_INT(sp->repetitions, ==, 7);
	ASSERT_INT(sp->timeout_ms, ==, 90000);
	ASSERT_INT(sp->nstages, ==, 3);
	ASSERT_STR(sp->stages[0].fetch_url, "http://127.0.0.1:8080/data.csv.gz");
	ASSERT_INT(sp->stages[0].nconcurrency, ==, 3);
	ASSERT_INT(sp->stages[0].concurrency[2], ==, 8);
	ASSERT_NEAR(sp->stages[1].threshold_pct, 7, 1e-9);
	ASSERT_NEAR(sp->stages[2].threshold_pct, -1, 1e-9);
	ASSERT_STR(sp->stages[1].run, "./parse.sh data.csv > rows.csv");
	ASSERT(sp->has_database);
	ASSERT(sp->db_path[0] == '/');
	ASSERT_STR(sp->db_table, "trades");
	ASSERT_STR(sp->client_stage, "ingest");
	ASSERT(sp->has_batch);
	ASSERT_INT(sp->batch_current, ==, 10);
	ASSERT_INT(sp->nbatch_sizes, ==, 3);
	ASSERT_INT(sp->agents_timeout_ms, ==, 120000);
	ASSERT_STR(sp->workdir, test_tmp());
	spec_free(sp);
	return 0;
}

TEST_IMPL(spec_defaults)
{
	struct spec *sp = parse("version: 1\nname: x\npipeline:\n  stages:\n"
	    "    - {name: a, run: 'true'}\nbatch: {stage: a}\n");

	ASSERT(sp != NULL);
	ASSERT_INT(sp->warmup, ==, 1);
	ASSERT_INT(sp->repetitions, ==, SPEC_REPS_AUTO);
	ASSERT_INT(spec_reps(sp, 6), ==, 6);
	ASSERT_INT(sp->timeout_ms, ==, 60000);
	ASSERT_INT(sp->agents_timeout_ms, ==, 30 * 60000);
	ASSERT_INT(sp->nbatch_sizes, ==, 6);
	ASSERT_INT(sp->batch_sizes[5], ==, 100000);
	ASSERT(sp->hypothesis == NULL);
	ASSERT(!sp->has_database);
	spec_free(sp);
	return 0;
}

/* spec.json is itself a valid spec, and normalising it again is a no-op. */
TEST_IMPL(spec_json_roundtrip)
{
	struct spec *sp = parse(full_spec), *again;
	char *json = spec_to_json(sp), *json2, *errors = NULL;
	const char *path = test_write("spec.json", json);

	again = spec_parse_file(path, &db_driver_spec_kinds, &errors);
	if (again == NULL)
		fprintf(stderr, "%s", errors);
	ASSERT(again != NULL);
	json2 = spec_to_json(again);
	ASSERT_STR(json2, json);
	free(json);
	free(json2);
	spec_free(sp);
	spec_free(again);
	return 0;
}

TEST_IMPL(spec_durations)
{
	ASSERT_INT(spec_parse_duration("250ms"), ==, 250);
	ASSERT_INT(spec_parse_duration("60s"), ==, 60000);
	ASSERT_INT(spec_parse_duration("1.5s"), ==, 1500);
	ASSERT_INT(spec_parse_duration("2m"), ==, 120000);
	ASSERT_INT(spec_parse_duration("1h"), ==, 3600000);
	ASSERT_INT(spec_parse_duration("60"), ==, -1);
	ASSERT_INT(spec_parse_duration("s"), ==, -1);
	ASSERT_INT(spec_parse_duration("5 s"), ==, -1);
	ASSERT_INT(spec_parse_duration("-1s"), ==, -1);
	ASSERT_INT(spec_parse_duration("3d"), ==, 259200000);
	ASSERT_INT(spec_parse_duration("3w"), ==, -1);
	return 0;
}

/* One run of the parser reports every problem, each with its position. */
TEST_IMPL(spec_collects_all_errors)
{
	const char *path = test_write("s.yaml", "version: 1\nname: x\nbogus: 1\n"
	    "pipeline:\n  repetitions: 0\n  stages:\n    - {name: a, run: 'true'}\n");
	char *errors = NULL;
	struct spec *sp = spec_parse_file(path, &db_driver_spec_kinds, &errors);
	char want[2048];

	ASSERT(sp == NULL);
	snprintf(want, sizeof want,
	    "%s:3:1: the top level: unknown key 'bogus' (allowed: version, name, "
	    "description, hypothesis, workdir, env, rows, pipeline, database, client, "
	    "batch, agents, budget, matrix)\n"
	    "%s:5:16: pipeline.repetitions: 0 is out of range (1 to 10000)\n", path, path);
	ASSERT_STR(errors, want);
	free(errors);
	return 0;
}

TEST_IMPL(spec_alias_bomb)
{
	struct buf b = { 0 };
	char *errors = NULL;
	struct spec *sp;
	const char *path;

	buf_puts(&b, "version: 1\nname: x\npipeline:\n  stages: [{name: a, run: x}]\n"
	    "a0: &a0 {k: v}\n");
	for (int i = 1; i < 20; i++)
		buf_printf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d]\n", i, i, i - 1, i - 1,
		    i - 1, i - 1);
	path = test_write("bomb.yaml", b.p);
	sp = spec_parse_file(path, &db_driver_spec_kinds, &errors);
	ASSERT(sp == NULL);
	ASSERT(strstr(errors, "unknown key 'a0'") != NULL);
	free(errors);
	buf_free(&b);
	return 0;
}

TEST_IMPL(spec_oversize)
{
	struct buf b = { 0 };
	char *errors = NULL;
	const char *path;

	buf_puts(&b, "version: 1\n");
	while (b.len <= SPEC_MAX_BYTES)
		buf_puts(&b, "# padding padding padding padding padding padding\n");
	path = test_write("big.yaml", b.p);
	ASSERT(spec_parse_file(path, &db_driver_spec_kinds, &errors) == NULL);
	ASSERT(strstr(errors, ":1:1: the file is ") != NULL);
	ASSERT(strstr(errors, "over the 1 MiB limit") != NULL);
	free(errors);
	buf_free(&b);
	return 0;
}

/* One bad-spec fixture: the parser must refuse it with exactly the message. */
int
test_spec_fixture(const char *yaml)
{
	char dir[512], path[600], expected_path[600], *errors = NULL, *want, *cause = NULL;
	struct spec *sp;
	size_t n = strlen(yaml);

	snprintf(dir, sizeof dir, "%s/tests/specs", test_src());
	ASSERT(chdir(dir) == 0);
	snprintf(path, sizeof path, "bad/%s", yaml);
	snprintf(expected_path, sizeof expected_path, "bad/%.*s.expected", (int)(n - 5), yaml);
	want = file_read(expected_path, 1 << 20, NULL, &cause);
	if (want == NULL)
		fprintf(stderr, "%s\n", cause);
	ASSERT(want != NULL);
	sp = spec_parse_file(path, &db_driver_spec_kinds, &errors);
	ASSERT(sp == NULL);
	ASSERT_STR(errors, want);
	free(errors);
	free(want);
	return 0;
}

/* A fetch may write outside the workdir only where the spec says so. */
/*
 * A spec perfd stored is read back without the kinds' check: a dsn and a
 * relative path both survive, each owned once (the first version freed the
 * dsn when it made the path absolute, and never in spec_free()).
 */
TEST_IMPL(spec_dsn_kept)
{
	const char *text = "version: 1\nname: x\npipeline:\n  stages:\n"
	    "    - {name: a, run: 'true'}\ndatabase: {kind: other, path: rel.db, "
	    "dsn: 'dir=data', table: t}\n";
	char *errors = NULL, *json;
	struct spec *sp = spec_parse_text("spec.yaml", "/tmp", text, strlen(text), NULL,
	    &errors);

	ASSERT(sp != NULL);
	ASSERT_STR(sp->db_dsn, "dir=data");
	ASSERT_STR(sp->db_path, "/tmp/rel.db");
	json = spec_to_json(sp);
	ASSERT(strstr(json, "\"dsn\":\t\"dir=data\"") != NULL);
	free(json);
	spec_free(sp);
	return 0;
}

TEST_IMPL(spec_fetch_outside_workdir)
{
	struct spec *sp = parse("version: 1\nname: x\npipeline:\n  stages:\n"
	    "    - name: get\n      fetch: {url: 'http://127.0.0.1/x', output: /tmp/x.gz,"
	    " outside_workdir: true}\n");
	char *json, *errors = NULL;
	struct spec *again;

	ASSERT(sp != NULL);
	ASSERT_INT(sp->stages[0].fetch_outside, ==, 1);
	json = spec_to_json(sp);
	ASSERT(strstr(json, "\"outside_workdir\"") != NULL);
	again = spec_parse_text("spec.json", "/", json, strlen(json), &db_driver_spec_kinds,
	    &errors);
	ASSERT(again != NULL && again->stages[0].fetch_outside == 1);
	ASSERT_STR(again->stages[0].fetch_output, "/tmp/x.gz");
	spec_free(again);
	spec_free(sp);
	free(json);
	return 0;
}

/*
 * A password in a PostgreSQL dsn is taken out of it at parse: kept in
 * db_secret only, never in spec.json (which the agents read), and never
 * in what a report names the database by.
 */
TEST_IMPL(spec_pg_password_kept_apart)
{
	const char *text = "version: 1\nname: x\npipeline:\n  stages:\n"
	    "    - {name: a, run: 'true'}\ndatabase: {kind: postgresql, dsn: "
	    "'password=s3cr3t-pw host=/run/postgresql dbname=market user=loader', "
	    "table: public.trades}\n";
	const char *uri = "version: 1\nname: x\npipeline:\n  stages:\n"
	    "    - {name: a, run: 'true'}\ndatabase: {kind: postgresql, dsn: "
	    "'postgresql://loader:s3cr3t-pw@localhost:5433/market', table: trades}\n";
	char *errors = NULL, *json, *label;
	struct spec *sp = spec_parse_text("spec.yaml", "/tmp", text, strlen(text),
	    &db_driver_spec_kinds, &errors);

	ASSERT(sp != NULL);
	ASSERT_STR(sp->db_secret, "s3cr3t-pw");
	ASSERT(strstr(sp->db_dsn, "s3cr3t") == NULL);
	ASSERT(strstr(sp->db_dsn, "dbname=market") != NULL);
	ASSERT(strstr(sp->db_dsn, "password") == NULL);
	json = spec_to_json(sp);
	ASSERT(strstr(json, "s3cr3t") == NULL);
	ASSERT(strstr(json, "user=loader") != NULL);
	label = db_driver("postgresql")->label(sp);
	ASSERT(strstr(label, "s3cr3t") == NULL && strstr(label, "dbname=market") != NULL);
	free(label);
	free(json);
	spec_free(sp);
	/* A URI's password too; what remains still reaches the same server. */
	sp = spec_parse_text("spec.yaml", "/tmp", uri, strlen(uri), &db_driver_spec_kinds,
	    &errors);
	ASSERT(sp != NULL);
	ASSERT_STR(sp->db_secret, "s3cr3t-pw");
	ASSERT(strstr(sp->db_dsn, "s3cr3t") == NULL);
	ASSERT(strstr(sp->db_dsn, "port=5433") != NULL && strstr(sp->db_dsn, "user=loader"));
	spec_free(sp);
	/* No password: nothing kept, the dsn as written. */
	text = "version: 1\nname: x\npipeline:\n  stages:\n    - {name: a, run: 'true'}\n"
	    "database: {kind: postgresql, dsn: 'dbname=market', table: trades}\n";
	sp = spec_parse_text("spec.yaml", "/tmp", text, strlen(text), &db_driver_spec_kinds,
	    &errors);
	ASSERT(sp != NULL && sp->db_secret == NULL);
	ASSERT_STR(sp->db_dsn, "dbname=market");
	spec_free(sp);
	return 0;
}

#include "matrix.h"

static const char matrix_spec[] =
	"version: 1\n"
	"name: scaling\n"
	"env: {TASKS: \"{tasks}\", HOME_TOO: \"${HOME}\"}\n"
	"rows: \"{tasks}000\"\n"
	"pipeline:\n"
	"  setup: ./split.sh {tasks}\n"
	"  stages:\n"
	"    - name: run\n"
	"      run: xargs -P {jobs} -n 1 ./task.sh < tasks.txt\n"
	"    - name: merge\n"
	"      run: awk '{ print $1 }' out/* | sort > merged.txt\n"
	"matrix:\n"
	"  parameters:\n"
	"    tasks: {from: 4, to: 32, factor: 2}\n"
	"    jobs: [1, 5, 10]\n"
	"  concurrency: jobs\n"
	"  repetitions: 3\n"
	"  seed: 42\n";

/*
 * A matrix: ranges and lists expanded, every combination a cell (the
 * first parameter slowest), the spec's JSON a spec again with the same
 * matrix, and a cell's spec with every {name} replaced and nothing else
 * touched (${HOME}, awk's braces).
 */
TEST_IMPL(spec_matrix_cells)
{
	struct spec *sp = parse(matrix_spec), *again, *cell;
	const struct matrix *m;
	char *json, *errors = NULL, *why = NULL, *label;

	ASSERT(sp != NULL && (m = sp->matrix) != NULL);
	ASSERT(m->nparams == 2 && m->ncells == 12 && !m->listed);
	ASSERT(m->params[0].nvalues == 4 && m->params[0].numeric);
	ASSERT_STR(m->params[0].values[3], "32");
	ASSERT_STR(matrix_value(m, 0, 0), "4");
	ASSERT_STR(matrix_value(m, 0, 1), "1");
	ASSERT_STR(matrix_value(m, 1, 1), "5");
	ASSERT_STR(matrix_value(m, 11, 0), "32");
	ASSERT(m->repetitions == 3 && m->seed == 42);
	ASSERT_STR(m->concurrency, "jobs");
	ASSERT_STR(sp->rows_template, "{tasks}000");
	label = matrix_label(m, 5);
	ASSERT_STR(label, "tasks=8 jobs=10");
	free(label);
	json = spec_to_json(sp);
	again = spec_parse_text("spec.json", "/", json, strlen(json), NULL, &errors);
	ASSERT(again != NULL && again->matrix->ncells == 12);
	ASSERT_STR(matrix_value(again->matrix, 5, 0), "8");
	free(json);
	cell = matrix_cell_spec(again, 5, &why);
	ASSERT(cell != NULL && cell->matrix == NULL && cell->rows == 8000);
	ASSERT_STR(cell->setup, "./split.sh 8");
	ASSERT_STR(cell->stages[0].run, "xargs -P 10 -n 1 ./task.sh < tasks.txt");
	ASSERT_STR(cell->stages[1].run, "awk '{ print $1 }' out/* | sort > merged.txt");
	ASSERT(cell->nenv == 2);
	ASSERT(strcmp(cell->env[0], "TASKS=8") == 0 || strcmp(cell->env[1], "TASKS=8") == 0);
	ASSERT(strcmp(cell->env[0], "HOME_TOO=${HOME}") == 0 ||
	    strcmp(cell->env[1], "HOME_TOO=${HOME}") == 0);
	spec_free(cell);
	spec_free(again);
	spec_free(sp);
	return 0;
}

/* Listed cells (a subset, as a plan's S1-S6), kept in their order; a shuffle a permutation, repeatable. */
TEST_IMPL(spec_matrix_listed)
{
	const char *text = "version: 1\nname: s\npipeline:\n  stages:\n"
	    "    - {name: a, run: './a.sh {tasks} {jobs}'}\n"
	    "matrix:\n  parameters: {tasks: [4, 8, 16], jobs: [1, 5]}\n"
	    "  cells:\n    - {tasks: 16, jobs: 1}\n    - {jobs: 5, tasks: 8}\n";
	struct spec *sp = parse(text);
	int a[50], b[50], seen[50] = { 0 };

	ASSERT(sp != NULL && sp->matrix->listed && sp->matrix->ncells == 2);
	ASSERT_STR(matrix_value(sp->matrix, 0, 0), "16");
	ASSERT_STR(matrix_value(sp->matrix, 1, 1), "5");
	ASSERT(sp->matrix->repetitions == MATRIX_REPS_AUTO && sp->matrix->seed == 0);
	spec_free(sp);
	matrix_shuffle(a, 50, 7);
	matrix_shuffle(b, 50, 7);
	ASSERT(memcmp(a, b, sizeof a) == 0);
	for (int i = 0; i < 50; i++)
		seen[a[i]]++;
	for (int i = 0; i < 50; i++)
		ASSERT(seen[i] == 1);
	matrix_shuffle(b, 50, 8);
	ASSERT(memcmp(a, b, sizeof a) != 0);
	return 0;
}
