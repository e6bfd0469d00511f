/* svg.c - charts as standalone SVG: bars with whiskers, more to come. */
#include "svg.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

char *
svg_escape(const char *s)
{
	struct buf b = { 0 };

	buf_add(&b, "", 0);
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '<':
			buf_puts(&b, "&lt;");
			break;
		case '>':
			buf_puts(&b, "&gt;");
			break;
		case '&':
			buf_puts(&b, "&amp;");
			break;
		case '"':
			buf_puts(&b, "&quot;");
			break;
		default:
			buf_add(&b, s, 1);
		}
	}
	return b.p;
}

double
svg_nice_step(double range, int ticks)
{
	double raw = range / (ticks > 0 ? ticks : 1), mag, f;

	if (!(raw > 0))
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/* svg_hbar()'s geometry: where the plot starts, its width, a row's height, the axis' end. */
struct hbar_geom {
	int	 left, plot, top, row;
	double	 max;
};

/* Bar i (the first in red: the one the others are against), its whisker and note. */
static void
hbar_bar(struct buf *b, const struct hbar_geom *g, const struct svg_bar *bar, int i,
    const char *unit)
{
	double y = g->top + g->row * i, w = g->plot * bar->value / g->max;
	char *label = svg_escape(bar->label), *note = svg_escape(bar->note);

	buf_printf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n"
	    "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
	    "<title>%s: %g %s</title></rect>\n", g->left - 8, y + g->row / 2.0 + 4, label,
	    g->left, y + 5, w, g->row - 10, i == 0 ? "#d9534f" : "#5b8bd9", label,
	    bar->value, unit);
	if (bar->whisker > bar->value) {
		double x1 = g->left + w, x2 = g->left + g->plot * bar->whisker / g->max;

		buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#333\"/><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#333\"/>\n", x1, y + g->row / 2.0, x2,
		    y + g->row / 2.0, x2, y + 9, x2, y + g->row - 9);
	}
	buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n",
	    g->left + g->plot * fmax(bar->value, bar->whisker) / g->max + 6,
	    y + g->row / 2.0 + 4, note);
	free(label);
	free(note);
}

char *
svg_hbar(const char *title, const char *unit, const struct svg_bar *bars, int n)
{
	const int right = 300, top = 44, row = 30;
	int left = 150, width, plot, height = top + row * n + 40;
	double max = 0, step;

	/* Room for the longest label (about 7 px a character at 12 px). */
	for (int i = 0; i < n; i++) {
		int need = 7 * (int)strlen(bars[i].label) + 20;

		left = need > left ? need : left;
	}
	width = left + 450 + right;
	plot = width - left - right;
	struct buf b = { 0 };
	char *t;

	for (int i = 0; i < n; i++) {
		max = fmax(max, bars[i].value);
		max = fmax(max, bars[i].whisker);
	}
	if (!(max > 0))
		max = 1;
	step = svg_nice_step(max, 5);
	max = ceil(max / step) * step;
	t = svg_escape(title);
	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	    "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>\n",
	    width, height, 10, t);
	free(t);
	for (double v = 0; v <= max + step / 2; v += step) {
		double x = left + plot * v / max;

		buf_printf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#ddd\"/>\n<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
		    "fill=\"#555\">%g</text>\n", x, top - 4, x, top + row * n, x,
		    top + row * n + 16, v);
	}
	t = svg_escape(unit);
	buf_printf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">"
	    "%s</text>\n", left + plot / 2, top + row * n + 34, t);
	free(t);
	{
		struct hbar_geom g = { left, plot, top, row, max };

		for (int i = 0; i < n; i++)
			hbar_bar(&b, &g, &bars[i], i, unit);
	}
	buf_puts(&b, "</svg>\n");
	return b.p;
}

/* svg_sweep()'s canvas: its size and margins, and the scales of its axes. */
enum { SW_W = 860, SW_H = 420, SW_L = 90, SW_R = 90, SW_T = 50, SW_B = 60 };

struct sweep_scale {
	double	 xmin, xmax;	/* log10 */
	double	 ymax, step;
	double	 y2max;
};

static double
sweep_px(const struct sweep_scale *s, double v)
{
	return SW_L + (SW_W - SW_L - SW_R) * (log10(v) - s->xmin) / (s->xmax - s->xmin);
}

static double
sweep_py(const struct sweep_scale *s, double v)
{
	return SW_H - SW_B - (SW_H - SW_T - SW_B) * (v) / s->ymax;
}

static double
sweep_py2(const struct sweep_scale *s, double v)
{
	return SW_H - SW_B - (SW_H - SW_T - SW_B) * (v) / (s->y2max > 0 ? s->y2max * 1.1 : 1);
}

/* The axes' ranges from the points that did not fail, with a margin. */
static void
sweep_scale(const struct svg_sweep *c, struct sweep_scale *s)
{
	s->xmin = INFINITY;
	s->xmax = -INFINITY;
	s->ymax = s->y2max = 0;
	for (int i = 0; i < c->n; i++) {
		s->xmin = fmin(s->xmin, log10(c->x[i]));
		s->xmax = fmax(s->xmax, log10(c->x[i]));
		if (c->failed == NULL || !c->failed[i])
			s->ymax = fmax(s->ymax, fmax(c->y[i], c->yhi != NULL ? c->yhi[i] : 0));
		if (c->y2 != NULL)
			s->y2max = fmax(s->y2max, c->y2[i]);
	}
	if (!(s->xmax > s->xmin)) {
		s->xmin -= 0.5;
		s->xmax += 0.5;
	}
	s->xmin -= 0.15;
	s->xmax += 0.15;
	s->step = svg_nice_step(s->ymax > 0 ? s->ymax : 1, 5);
	s->ymax = ceil((s->ymax > 0 ? s->ymax : 1) / s->step) * s->step;
}

/* The title, the band, the grid and the axes' labels. */
static void
sweep_frame(struct buf *b, const char *title, const struct svg_sweep *c,
    const struct sweep_scale *s)
{
	char *t = svg_escape(title);

	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
	    "height=\"100%%\" fill=\"white\"/>\n<text x=\"10\" y=\"24\" font-size=\"15\" "
	    "font-weight=\"bold\">%s</text>\n", SW_W, SW_H, t);
	free(t);
	if (c->band_hi > 0)
		buf_printf(b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
		    "fill=\"#d8f0d8\"><title>optimal range</title></rect>\n<text x=\"%.1f\" "
		    "y=\"%d\" fill=\"#3a7a3a\">optimal range</text>\n",
		    sweep_px(s, c->band_lo) - 6, SW_T,
		    sweep_px(s, c->band_hi) - sweep_px(s, c->band_lo) + 12, SW_H - SW_T - SW_B,
		    sweep_px(s, c->band_lo) - 4, SW_T + 14);
	for (double v = 0; v <= s->ymax + s->step / 2; v += s->step)
		buf_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"#e4e4e4\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
		    "fill=\"#555\">%g</text>\n", SW_L, sweep_py(s, v), SW_W - SW_R,
		    sweep_py(s, v), SW_L - 6, sweep_py(s, v) + 4, v);
	for (int e = (int)ceil(s->xmin); e <= (int)floor(s->xmax); e++)
		buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#e4e4e4\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
		    "fill=\"#555\">%g</text>\n", sweep_px(s, pow(10, e)), SW_T,
		    sweep_px(s, pow(10, e)), SW_H - SW_B, sweep_px(s, pow(10, e)),
		    SW_H - SW_B + 16, pow(10, e));
	buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n"
	    "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" "
	    "text-anchor=\"middle\">%s</text>\n", (SW_L + SW_W - SW_R) / 2, SW_H - 18,
	    c->xlabel, (SW_T + SW_H - SW_B) / 2, (SW_T + SW_H - SW_B) / 2, c->ylabel);
}

/* The second series, dashed, on its own axis at the right. */
static void
sweep_series2(struct buf *b, const struct svg_sweep *c, const struct sweep_scale *s)
{
	buf_printf(b, "<text x=\"%d\" y=\"%d\" transform=\"rotate(90 %d %d)\" "
	    "text-anchor=\"middle\" fill=\"#b5651d\">%s</text>\n", SW_W - 20,
	    (SW_T + SW_H - SW_B) / 2, SW_W - 20, (SW_T + SW_H - SW_B) / 2, c->y2label);
	for (int k = 0; k <= 4; k++) {
		double v = s->y2max * 1.1 * k / 4;

		buf_printf(b, "<text x=\"%d\" y=\"%.1f\" fill=\"#b5651d\">%.0f</text>\n",
		    SW_W - SW_R + 6, sweep_py2(s, v) + 4, v);
	}
	buf_puts(b, "<polyline fill=\"none\" stroke=\"#b5651d\" "
	    "stroke-dasharray=\"5,4\" points=\"");
	for (int i = 0; i < c->n; i++)
		if (c->failed == NULL || !c->failed[i])
			buf_printf(b, "%.1f,%.1f ", sweep_px(s, c->x[i]), sweep_py2(s, c->y2[i]));
	buf_puts(b, "\"/>\n");
}

/* The main series: its line, and each point with its CI or its failure. */
static void
sweep_points(struct buf *b, const struct svg_sweep *c, const struct sweep_scale *s)
{
	buf_puts(b, "<polyline fill=\"none\" stroke=\"#2f6fb3\" stroke-width=\"2\" points=\"");
	for (int i = 0; i < c->n; i++)
		if (c->failed == NULL || !c->failed[i])
			buf_printf(b, "%.1f,%.1f ", sweep_px(s, c->x[i]), sweep_py(s, c->y[i]));
	buf_puts(b, "\"/>\n");
	for (int i = 0; i < c->n; i++) {
		double x = sweep_px(s, c->x[i]);

		if (c->failed != NULL && c->failed[i]) {
			buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
			    "fill=\"#c00\" font-weight=\"bold\">x failed<title>%g failed"
			    "</title></text>\n", x, SW_H - SW_B - 8, c->x[i]);
			continue;
		}
		if (c->ylo != NULL && c->yhi != NULL)
			buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			    "stroke=\"#2f6fb3\"/>\n", x, sweep_py(s, c->ylo[i]), x,
			    sweep_py(s, c->yhi[i]));
		buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#2f6fb3\">"
		    "<title>%g: %.4g (CI %.4g-%.4g)</title></circle>\n", x, sweep_py(s, c->y[i]),
		    c->x[i], c->y[i], c->ylo ? c->ylo[i] : c->y[i], c->yhi ? c->yhi[i] : c->y[i]);
		if (c->y2 != NULL)
			buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" "
			    "fill=\"#b5651d\"><title>%g: %.0f</title></rect>\n", x - 3,
			    sweep_py2(s, c->y2[i]) - 3, c->x[i], c->y2[i]);
	}
}

/* A vertical mark at x in colour, its line dy below the plot's top, its label above it. */
static void
sweep_mark(struct buf *b, const struct sweep_scale *s, double x, const char *label,
    const char *colour, const char *line, int dy)
{
	buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
	    "stroke=\"%s\" %s/><text x=\"%.1f\" y=\"%d\" fill=\"%s\" "
	    "text-anchor=\"middle\">%s</text>\n", sweep_px(s, x), SW_T + dy, sweep_px(s, x),
	    SW_H - SW_B, colour, line, sweep_px(s, x), SW_T + dy - 4, colour, label);
}

char *
svg_sweep(const char *title, const struct svg_sweep *c)
{
	struct sweep_scale s;
	struct buf b = { 0 };

	sweep_scale(c, &s);
	sweep_frame(&b, title, c, &s);
	if (c->y2 != NULL && s.y2max > 0)
		sweep_series2(&b, c, &s);
	sweep_points(&b, c, &s);
	if (c->mark1 > 0)
		sweep_mark(&b, &s, c->mark1, c->mark1_label, "#c0392b",
		    "stroke-dasharray=\"3,3\"", 0);
	if (c->mark2 > 0)
		sweep_mark(&b, &s, c->mark2, c->mark2_label, "#27ae60",
		    "stroke-width=\"2\"", 40);
	buf_puts(&b, "</svg>\n");
	return b.p;
}

/* svg_lines()'s canvas, and its scales: npoints across, 0..ymax up. */
enum { LN_W = 900, LN_H = 440, LN_L = 80, LN_R = 170, LN_T = 50, LN_B = 70 };

struct lines_scale {
	int	 npoints;
	double	 ymax, step;
};

static double
lines_x(const struct lines_scale *s, int p)
{
	return LN_L + (s->npoints > 1 ? (LN_W - LN_L - LN_R) * (double)(p) / (s->npoints - 1) :
	    (LN_W - LN_L - LN_R) / 2.0);
}

static double
lines_y(const struct lines_scale *s, double v)
{
	return LN_H - LN_B - (LN_H - LN_T - LN_B) * (v) / s->ymax;
}

/* The title, the grid, the axes' labels, and a marker at each point marked. */
static void
lines_frame(struct buf *b, const struct lines_scale *s, const char *title,
    const char *ylabel, const char *const *xlabels, const char *const *marks)
{
	char *t = svg_escape(title);

	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n<rect "
	    "width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"10\" "
	    "y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", LN_W, LN_H, t);
	free(t);
	for (double v = 0; v <= s->ymax + s->step / 2; v += s->step)
		buf_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"#e4e4e4\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
		    "fill=\"#555\">%g</text>\n", LN_L, lines_y(s, v), LN_W - LN_R,
		    lines_y(s, v), LN_L - 6, lines_y(s, v) + 4, v);
	t = svg_escape(ylabel);
	buf_printf(b, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" "
	    "text-anchor=\"middle\">%s</text>\n", (LN_T + LN_H - LN_B) / 2,
	    (LN_T + LN_H - LN_B) / 2, t);
	free(t);
	for (int p = 0; p < s->npoints; p++) {
		char *x = svg_escape(xlabels[p]);

		buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" "
		    "transform=\"rotate(-30 %.1f %d)\" fill=\"#555\">%s</text>\n",
		    lines_x(s, p), LN_H - LN_B + 16, lines_x(s, p), LN_H - LN_B + 16, x);
		free(x);
		if (marks != NULL && marks[p] != NULL) {
			char *m = svg_escape(marks[p]);

			buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			    "stroke=\"#e67e22\" stroke-width=\"2\" stroke-dasharray=\"6,3\">"
			    "<title>%s</title></line><text x=\"%.1f\" y=\"%d\" fill=\"#e67e22\" "
			    "text-anchor=\"middle\">step</text>\n", lines_x(s, p), LN_T,
			    lines_x(s, p), LN_H - LN_B, m, lines_x(s, p), LN_T - 6);
			free(m);
		}
	}
}

/* Series k: its line, its points (NaN ones left out) and its legend entry. */
static void
lines_series(struct buf *b, const struct lines_scale *s, int k, const char *name,
    const char *const *xlabels, const double *values)
{
	static const char *const colours[] = { "#2f6fb3", "#c0392b", "#27ae60",
	    "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#2c3e50" };
	const char *col = colours[k % 8];
	char *n = svg_escape(name);

	buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
	    "points=\"", col);
	for (int p = 0; p < s->npoints; p++)
		if (isfinite(values[p]))
			buf_printf(b, "%.1f,%.1f ", lines_x(s, p), lines_y(s, values[p]));
	buf_puts(b, "\"/>\n");
	for (int p = 0; p < s->npoints; p++)
		if (isfinite(values[p]))
			buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
			    "fill=\"%s\"><title>%s, %s: %.2f</title></circle>\n", lines_x(s, p),
			    lines_y(s, values[p]), col, n, xlabels[p], values[p]);
	buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
	    "fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n", LN_W - LN_R + 14,
	    LN_T + 18 * k, col, LN_W - LN_R + 32, LN_T + 18 * k + 10, n);
	free(n);
}

char *
svg_lines(const char *title, const char *ylabel, int nseries, const char *const *names,
    int npoints, const char *const *xlabels, const double *const *values,
    const char *const *marks)
{
	struct lines_scale s = { npoints, 0, 0 };
	struct buf b = { 0 };

	for (int k = 0; k < nseries; k++)
		for (int p = 0; p < npoints; p++)
			if (isfinite(values[k][p]))
				s.ymax = fmax(s.ymax, values[k][p]);
	s.step = svg_nice_step(s.ymax > 0 ? s.ymax : 1, 5);
	s.ymax = ceil((s.ymax > 0 ? s.ymax : 1) / s.step) * s.step;
	lines_frame(&b, &s, title, ylabel, xlabels, marks);
	for (int k = 0; k < nseries; k++)
		lines_series(&b, &s, k, names[k], xlabels, values[k]);
	buf_puts(&b, "</svg>\n");
	return b.p;
}

/* svg_loglog()'s canvas, and its scales: log10 of x and y to pixels. */
enum { LL_W = 900, LL_H = 460, LL_L = 80, LL_R = 190, LL_T = 50, LL_B = 60 };

struct loglog_scale {
	double	 x0, x1, y0, y1;	/* log10 of the ends */
};

static double
loglog_x(const struct loglog_scale *s, double x)
{
	return LL_L + (LL_W - LL_L - LL_R) * (log10(x) - s->x0) / (s->x1 - s->x0);
}

static double
loglog_y(const struct loglog_scale *s, double y)
{
	return LL_H - LL_B - (LL_H - LL_T - LL_B) * (log10(y) - s->y0) / (s->y1 - s->y0);
}

/* The ends: the points' x, and every series' y with its CI, a little beyond. */
static void
loglog_range(int npoints, const double *x, int nseries, const struct svg_logseries *sr,
    struct loglog_scale *s)
{
	double ylo = INFINITY, yhi = 0, xlo = INFINITY, xhi = 0;

	for (int p = 0; p < npoints; p++) {
		xlo = fmin(xlo, x[p]);
		xhi = fmax(xhi, x[p]);
		for (int k = 0; k < nseries; k++) {
			double lo = sr[k].lo != NULL && sr[k].lo[p] > 0 ? sr[k].lo[p] : sr[k].y[p];
			double hi = sr[k].hi != NULL && sr[k].hi[p] > 0 ? sr[k].hi[p] : sr[k].y[p];

			if (sr[k].y[p] > 0) {
				ylo = fmin(ylo, lo);
				yhi = fmax(yhi, hi);
			}
		}
	}
	if (!(yhi > 0)) {
		ylo = 1;
		yhi = 10;
	}
	s->x0 = log10(xlo) - 0.05;
	s->x1 = log10(xhi > xlo ? xhi : xlo * 10) + 0.05;
	s->y0 = floor(log10(ylo));
	s->y1 = fmax(ceil(log10(yhi)), s->y0 + 1);
}

/* The title, the grid (1, 2, 5 per decade up; the points' x across) and the axes' labels. */
static void
loglog_frame(struct buf *b, const struct loglog_scale *s, const char *title, const char *xlabel,
    const char *ylabel, int npoints, const double *x)
{
	char *t = svg_escape(title), *xl = svg_escape(xlabel), *yl = svg_escape(ylabel);

	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" "
	    "fill=\"white\"/>\n<text x=\"10\" y=\"24\" font-size=\"15\" font-weight=\"bold\">"
	    "%s</text>\n", LL_W, LL_H, t);
	for (double d = s->y0; d < s->y1 + 0.5; d++)
		for (int m = 0; m < 3; m++) {
			double v = (m == 0 ? 1 : m == 1 ? 2 : 5) * pow(10, d);

			if (log10(v) > s->y1 + 1e-9)
				break;
			buf_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
			    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%g</text>\n",
			    LL_L, loglog_y(s, v), LL_W - LL_R, loglog_y(s, v), LL_L - 6,
			    loglog_y(s, v) + 4, v);
		}
	for (int p = 0; p < npoints; p++)
		buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e4e4e4\"/>"
		    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%g</text>\n",
		    loglog_x(s, x[p]), LL_T, loglog_x(s, x[p]), LL_H - LL_B, loglog_x(s, x[p]),
		    LL_H - LL_B + 16, x[p]);
	buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s (log scale)</text>\n"
	    "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">%s "
	    "(log scale)</text>\n", (LL_L + LL_W - LL_R) / 2, LL_H - 16, xl,
	    (LL_T + LL_H - LL_B) / 2, (LL_T + LL_H - LL_B) / 2, yl);
	free(t);
	free(xl);
	free(yl);
}

/* Series k: its CI band, its line and points, its legend entry. */
static void
loglog_series(struct buf *b, const struct loglog_scale *s, int k, int npoints, const double *x,
    const struct svg_logseries *sr)
{
	static const char *const colours[] = { "#2f6fb3", "#c0392b", "#27ae60",
	    "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#2c3e50" };
	const char *col = colours[k % 8];
	char *n = svg_escape(sr->name);

	if (sr->lo != NULL && sr->hi != NULL) {
		buf_printf(b, "<polygon fill=\"%s\" fill-opacity=\"0.15\" stroke=\"none\" points=\"", col);
		for (int p = 0; p < npoints; p++)
			if (sr->lo[p] > 0 && sr->y[p] > 0)
				buf_printf(b, "%.1f,%.1f ", loglog_x(s, x[p]), loglog_y(s, sr->lo[p]));
		for (int p = npoints - 1; p >= 0; p--)
			if (sr->hi[p] > 0 && sr->y[p] > 0)
				buf_printf(b, "%.1f,%.1f ", loglog_x(s, x[p]), loglog_y(s, sr->hi[p]));
		buf_puts(b, "\"/>\n");
	}
	buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
	for (int p = 0; p < npoints; p++)
		if (sr->y[p] > 0)
			buf_printf(b, "%.1f,%.1f ", loglog_x(s, x[p]), loglog_y(s, sr->y[p]));
	buf_puts(b, "\"/>\n");
	for (int p = 0; p < npoints; p++)
		if (sr->y[p] > 0)
			buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s at "
			    "%g: %.3g</title></circle>\n", loglog_x(s, x[p]), loglog_y(s, sr->y[p]),
			    col, n, x[p], sr->y[p]);
	buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text "
	    "x=\"%d\" y=\"%d\">%s</text>\n", LL_W - LL_R + 14, LL_T + 18 * k, col,
	    LL_W - LL_R + 32, LL_T + 18 * k + 10, n);
	free(n);
}

char *
svg_loglog(const char *title, const char *xlabel, const char *ylabel, int npoints,
    const double *x, int nseries, const struct svg_logseries *sr)
{
	struct loglog_scale s;
	struct buf b = { 0 };

	loglog_range(npoints, x, nseries, sr, &s);
	loglog_frame(&b, &s, title, xlabel, ylabel, npoints, x);
	for (int k = 0; k < nseries; k++)
		loglog_series(&b, &s, k, npoints, x, &sr[k]);
	buf_puts(&b, "</svg>\n");
	return b.p;
}
