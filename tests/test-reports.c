/* test-reports.c - stack folding, the flame graph, charts, markdown helpers. */
#include "test.h"

#include "flame.h"
#include "md.h"
#include "svg.h"
#include "util.h"

static const char perf_script[] =
	"dash 100 [000] 1.0:    1001001 cpu-clock:pppH: \n"
	"\t          166cde __strchr_evex+0x1e (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\t            ae77 evalcmd+0x17 (/usr/bin/dash)\n"
	"\t            1234 main+0x20 (/usr/bin/dash)\n"
	"\n"
	"dash 100 [000] 1.1:    1001001 cpu-clock:pppH: \n"
	"\t          166cd0 __strchr_evex+0x10 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\t            ae70 evalcmd+0x10 (/usr/bin/dash)\n"
	"\t            1230 main+0x1c (/usr/bin/dash)\n"
	"\n"
	"dash 100 [000] 1.2:    1001001 cpu-clock:pppH: \n"
	"\t            e100 [unknown] (/usr/bin/dash)\n"
	"\t            1230 main+0x1c (/usr/bin/dash)\n"
	"\n"
	"awk 101 [001] 1.3:    1001001 cpu-clock:pppH: \n"
	"\t               0 [unknown] ([unknown])\n";

TEST_IMPL(flame_fold_perf_script)
{
	char *folded = flame_fold(perf_script);

	/* Root first, offsets dropped, unnamed frames named by object, counted. */
	ASSERT_STR(folded,
	    "awk;[unknown] 1\n"
	    "dash;main;[dash] 1\n"
	    "dash;main;evalcmd;__strchr_evex 2\n");
	free(folded);
	return 0;
}

TEST_IMPL(flame_top_self)
{
	struct flame_self top[10];
	long total;
	int n = flame_top_self("a;b;c 5\na;b 2\nx;c 1\n", 10, top, &total);

	ASSERT_INT(n, ==, 2);
	ASSERT_INT(total, ==, 8);
	ASSERT_STR(top[0].func, "c");
	ASSERT_INT(top[0].samples, ==, 6);
	ASSERT_STR(top[1].func, "b");
	for (int i = 0; i < n; i++)
		free(top[i].func);
	return 0;
}

TEST_IMPL(flame_unnamed_leaves)
{
	/* Leaves without a symbol, whatever their object; named ones are not counted. */
	ASSERT_INT(flame_unnamed("a;[unknown] 5\nb;main;[dash] 2\nc;main;work 3\n"), ==, 7);
	ASSERT_INT(flame_unnamed("c;main;work 3\n"), ==, 0);
	ASSERT_INT(flame_unnamed(""), ==, 0);
	return 0;
}

TEST_IMPL(flame_svg_frames)
{
	char *svg = flame_svg("main;work;<hot> 75\nmain;idle 25\n", "t & t");

	ASSERT(strncmp(svg, "<svg ", 5) == 0);
	ASSERT(strstr(svg, "t &amp; t (100 samples)") != NULL);
	/* One rectangle per frame, width in proportion, tooltip with share. */
	ASSERT(strstr(svg, "<title>work (75 samples, 75.00%)</title>") != NULL);
	ASSERT(strstr(svg, "<title>&lt;hot&gt; (75 samples, 75.00%)</title>") != NULL);
	ASSERT(strstr(svg, "<title>idle (25 samples, 25.00%)</title>") != NULL);
	ASSERT(strstr(svg, "width=\"900.00\"") != NULL);	/* 75% of 1200 */
	ASSERT(strstr(svg, "width=\"300.00\"") != NULL);
	free(svg);
	return 0;
}

TEST_IMPL(svg_hbar_chart)
{
	struct svg_bar bars[] = { { "download", 420, 440, "84.9%" }, { "ingest", 43, 0, "8.5%" } };
	char *svg = svg_hbar("title", "ms", bars, 2);

	ASSERT(strstr(svg, ">download</text>") != NULL);
	ASSERT(strstr(svg, "84.9%") != NULL);
	ASSERT(strstr(svg, "<title>download: 420 ms</title>") != NULL);
	ASSERT_NEAR(svg_nice_step(440, 5), 100, 1e-9);
	ASSERT_NEAR(svg_nice_step(7, 5), 2, 1e-9);
	free(svg);
	return 0;
}

TEST_IMPL(md_helpers)
{
	char *s = md_cell("a|b\nc");

	ASSERT_STR(s, "a\\|b c");
	free(s);
	s = md_duration(0.5);
	ASSERT_STR(s, "500 µs");
	free(s);
	s = md_duration(1234.5);
	ASSERT_STR(s, "1.23 s");
	free(s);
	s = md_duration(125000);
	ASSERT_STR(s, "2m 05s");
	free(s);
	return 0;
}
