/* profiling-perf.c - sample a CPU-bound bottleneck with perf: flame graph, self time. */
#include "profiling.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Sampling rate: odd, so it does not beat with periodic work. */
#define PERF_HZ "999"

static int
perf_usable(struct prof *p)
{
	if (run_works((char *const[]){ "perf", "--version", NULL }))
		return 1;
	p->perf_note = xstrdup("perf is not installed, so there is no flame graph "
	    "(Debian: apt-get install linux-perf).");
	return 0;
}

/* Frames perf could not name hide where the time goes: a word on that share. */
#define UNNAMED_WORTH	0.2

/* How much of the profile is unnamed, and how to get the names (caller frees). */
static char *
unnamed_note(const char *folded, long samples)
{
	long n = flame_unnamed(folded);

	if (samples <= 0 || n < UNNAMED_WORTH * (double)samples)
		return xstrdup("");
	return xasprintf(" %.0f%% of the samples end in frames without a symbol "
	    "(`[unknown]`, or the program's name in brackets): those programs carry "
	    "no symbols, so their functions cannot be named. To see them, install "
	    "their debug symbols (on Debian, each program's `-dbgsym` package from "
	    "the debian-debug archive) or rebuild them with `-g "
	    "-fno-omit-frame-pointer`, and run perfd again.", 100.0 * (double)n /
	    (double)samples);
}

/* perf record one more run of stage b, set up as in a counted run. */
static int
record(struct prof *p, int b, const char *data, char **why)
{
	const struct spec *sp = p->a->spec;
	char *err = agent_path(p->a, "perf-record.stderr");
	char *const argv[] = { "perf", "record", "-q", "-F", PERF_HZ, "-g", "-o",
	    (char *)data, "--", "/bin/sh", "-c", sp->stages[b].run, NULL };
	struct run_opts o = { .argv = argv, .cwd = sp->workdir, .env = sp->env,
	    .nenv = sp->nenv, .timeout_ms = sp->timeout_ms * 2, .stderr_path = err };
	struct run_result r;
	int rc = 0;

	agent_lock(p->a);
	if (pipeline_prepare(sp, b, p->a->dir, why) != 0) {
		agent_unlock(p->a);
		free(err);
		return -1;
	}
	run_command(&o, &r);
	if (!run_ok(&r)) {
		char *tail = file_tail(err, 5);

		*why = xasprintf("perf record failed (%s; perf_event_paranoid may forbid "
		    "it): %s", run_describe(&r, sp->timeout_ms * 2), tail);
		free(tail);
		rc = -1;
	}
	if (sp->teardown != NULL) {
		char *ignored = NULL;

		pipeline_hook(sp, "teardown", sp->teardown, p->a->dir, &ignored);
		free(ignored);
	}
	agent_unlock(p->a);
	unlink(err);
	free(err);
	return rc;
}


/* perf script's text of data (script: where it goes meanwhile), or NULL with perf_note set. */
static char *
script_text(struct prof *p, char *data, char *script)
{
	char *const argv[] = { "perf", "script", "-i", data, NULL };
	struct run_opts o = { .argv = argv, .stdout_path = script, .timeout_ms = 120000 };
	struct run_result r;
	char *text, *cause = NULL;

	run_command(&o, &r);
	text = run_ok(&r) ? file_read(script, 512 << 20, NULL, &cause) : NULL;
	unlink(script);
	if (text == NULL) {
		p->perf_note = xasprintf("No flame graph: perf script failed (%s).",
		    cause != NULL ? cause : run_describe(&r, 120000));
		free(cause);
	}
	return text;
}

/* The stacks folded, the flame graph and the self-time table from perf's text. */
static void
flame_from(struct prof *p, const struct prof_stage *b, const char *text)
{
	char *folded = flame_fold(text), *title, *svg;

	p->ntop = flame_top_self(folded, 10, p->top, &p->perf_samples);
	title = xasprintf("%s: stage %s, one extra run sampled at %s Hz",
	    p->a->spec->name, b->name, PERF_HZ);
	svg = flame_svg(folded, title);
	if (p->perf_samples > 0 && prof_write(p, "stacks.folded", folded) == 0 &&
	    prof_write(p, "flamegraph.svg", svg) == 0) {
		char *unnamed = unnamed_note(folded, p->perf_samples);

		p->have_flame = 1;
		p->perf_note = xasprintf("The bottleneck (%s) is CPU-bound: one extra run "
		    "was sampled with `perf record -F %s -g` (%ld samples).%s", b->name,
		    PERF_HZ, p->perf_samples, unnamed);
		free(unnamed);
	} else
		p->perf_note = xstrdup("No flame graph: perf recorded no samples.");
	free(folded);
	free(svg);
	free(title);
}

void
prof_perf(struct prof *p)
{
	struct prof_stage *b;
	char *data, *script, *text, *why = NULL;

	if (p->bottleneck < 0) {
		p->perf_note = xstrdup("No bottleneck was measured: nothing to sample.");
		return;
	}
	b = &p->st[p->bottleneck];
	if (strcmp(b->klass, "cpu-bound") != 0) {
		p->perf_note = xasprintf("The bottleneck (%s) is %s, not CPU-bound "
		    "(utilisation %.2f): CPU samples would not explain its time, so "
		    "perf was not run.", b->name, b->klass, b->util);
		return;
	}
	if (!perf_usable(p))
		return;
	agent_progress(p->a, 92, "sampling %s with perf", b->name);
	data = agent_path(p->a, "perf.data");
	script = agent_path(p->a, "perf.script");
	if (record(p, p->bottleneck, data, &why) != 0) {
		p->perf_note = xasprintf("No flame graph: %s", why);
		free(why);
	} else if ((text = script_text(p, data, script)) != NULL) {
		flame_from(p, b, text);
		free(text);
	}
	free(data);
	free(script);
}
