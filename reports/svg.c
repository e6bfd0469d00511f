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
	for (int i = 0; i < n; i++) {
		double y = top + row * i, w = plot * bars[i].value / max;
		char *label = svg_escape(bars[i].label), *note = svg_escape(bars[i].note);

		buf_printf(&b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n"
		    "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
		    "<title>%s: %g %s</title></rect>\n", left - 8, y + row / 2.0 + 4, label,
		    left, y + 5, w, row - 10, i == 0 ? "#d9534f" : "#5b8bd9", label,
		    bars[i].value, unit);
		if (bars[i].whisker > bars[i].value) {
			double x1 = left + w, x2 = left + plot * bars[i].whisker / max;

			buf_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			    "stroke=\"#333\"/><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#333\"/>\n", x1, y + row / 2.0, x2,
			    y + row / 2.0, x2, y + 9, x2, y + row - 9);
		}
		buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n",
		    left + plot * fmax(bars[i].value, bars[i].whisker) / max + 6,
		    y + row / 2.0 + 4, note);
		free(label);
		free(note);
	}
	buf_puts(&b, "</svg>\n");
	return b.p;
}

char *
svg_sweep(const char *title, const struct svg_sweep *c)
{
	const int W = 860, H = 420, L = 90, R = 90, T = 50, B = 60;
	double xmin = INFINITY, xmax = -INFINITY, ymax = 0, y2max = 0, step;
	struct buf b = { 0 };
	char *t;

	for (int i = 0; i < c->n; i++) {
		xmin = fmin(xmin, log10(c->x[i]));
		xmax = fmax(xmax, log10(c->x[i]));
		if (c->failed == NULL || !c->failed[i])
			ymax = fmax(ymax, fmax(c->y[i], c->yhi != NULL ? c->yhi[i] : 0));
		if (c->y2 != NULL)
			y2max = fmax(y2max, c->y2[i]);
	}
	if (!(xmax > xmin)) {
		xmin -= 0.5;
		xmax += 0.5;
	}
	xmin -= 0.15;
	xmax += 0.15;
	step = svg_nice_step(ymax > 0 ? ymax : 1, 5);
	ymax = ceil((ymax > 0 ? ymax : 1) / step) * step;
#define PX(v) (L + (W - L - R) * (log10(v) - xmin) / (xmax - xmin))
#define PY(v) (H - B - (H - T - B) * (v) / ymax)
#define PY2(v) (H - B - (H - T - B) * (v) / (y2max > 0 ? y2max * 1.1 : 1))
	t = svg_escape(title);
	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
	    "height=\"100%%\" fill=\"white\"/>\n<text x=\"10\" y=\"24\" font-size=\"15\" "
	    "font-weight=\"bold\">%s</text>\n", W, H, t);
	free(t);
	if (c->band_hi > 0)
		buf_printf(&b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
		    "fill=\"#d8f0d8\"><title>optimal range</title></rect>\n<text x=\"%.1f\" "
		    "y=\"%d\" fill=\"#3a7a3a\">optimal range</text>\n", PX(c->band_lo) - 6, T,
		    PX(c->band_hi) - PX(c->band_lo) + 12, H - T - B, PX(c->band_lo) - 4, T + 14);
	for (double v = 0; v <= ymax + step / 2; v += step)
		buf_printf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"#e4e4e4\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
		    "fill=\"#555\">%g</text>\n", L, PY(v), W - R, PY(v), L - 6, PY(v) + 4, v);
	for (int e = (int)ceil(xmin); e <= (int)floor(xmax); e++)
		buf_printf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#e4e4e4\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
		    "fill=\"#555\">%g</text>\n", PX(pow(10, e)), T, PX(pow(10, e)), H - B,
		    PX(pow(10, e)), H - B + 16, pow(10, e));
	buf_printf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n"
	    "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" "
	    "text-anchor=\"middle\">%s</text>\n", (L + W - R) / 2, H - 18, c->xlabel,
	    (T + H - B) / 2, (T + H - B) / 2, c->ylabel);
	if (c->y2 != NULL && y2max > 0) {
		buf_printf(&b, "<text x=\"%d\" y=\"%d\" transform=\"rotate(90 %d %d)\" "
		    "text-anchor=\"middle\" fill=\"#b5651d\">%s</text>\n", W - 20,
		    (T + H - B) / 2, W - 20, (T + H - B) / 2, c->y2label);
		for (int k = 0; k <= 4; k++) {
			double v = y2max * 1.1 * k / 4;

			buf_printf(&b, "<text x=\"%d\" y=\"%.1f\" fill=\"#b5651d\">%.0f</text>\n",
			    W - R + 6, PY2(v) + 4, v);
		}
		buf_puts(&b, "<polyline fill=\"none\" stroke=\"#b5651d\" "
		    "stroke-dasharray=\"5,4\" points=\"");
		for (int i = 0; i < c->n; i++)
			if (c->failed == NULL || !c->failed[i])
				buf_printf(&b, "%.1f,%.1f ", PX(c->x[i]), PY2(c->y2[i]));
		buf_puts(&b, "\"/>\n");
	}
	buf_puts(&b, "<polyline fill=\"none\" stroke=\"#2f6fb3\" stroke-width=\"2\" points=\"");
	for (int i = 0; i < c->n; i++)
		if (c->failed == NULL || !c->failed[i])
			buf_printf(&b, "%.1f,%.1f ", PX(c->x[i]), PY(c->y[i]));
	buf_puts(&b, "\"/>\n");
	for (int i = 0; i < c->n; i++) {
		double x = PX(c->x[i]);

		if (c->failed != NULL && c->failed[i]) {
			buf_printf(&b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
			    "fill=\"#c00\" font-weight=\"bold\">x failed<title>%g failed"
			    "</title></text>\n", x, H - B - 8, c->x[i]);
			continue;
		}
		if (c->ylo != NULL && c->yhi != NULL)
			buf_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			    "stroke=\"#2f6fb3\"/>\n", x, PY(c->ylo[i]), x, PY(c->yhi[i]));
		buf_printf(&b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#2f6fb3\">"
		    "<title>%g: %.4g (CI %.4g-%.4g)</title></circle>\n", x, PY(c->y[i]),
		    c->x[i], c->y[i], c->ylo ? c->ylo[i] : c->y[i], c->yhi ? c->yhi[i] : c->y[i]);
		if (c->y2 != NULL)
			buf_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" "
			    "fill=\"#b5651d\"><title>%g: %.0f</title></rect>\n", x - 3,
			    PY2(c->y2[i]) - 3, c->x[i], c->y2[i]);
	}
	if (c->mark1 > 0)
		buf_printf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#c0392b\" stroke-dasharray=\"3,3\"/><text x=\"%.1f\" y=\"%d\" "
		    "fill=\"#c0392b\" text-anchor=\"middle\">%s</text>\n", PX(c->mark1), T,
		    PX(c->mark1), H - B, PX(c->mark1), T - 4, c->mark1_label);
	if (c->mark2 > 0)
		buf_printf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#27ae60\" stroke-width=\"2\"/><text x=\"%.1f\" y=\"%d\" "
		    "fill=\"#27ae60\" text-anchor=\"middle\">%s</text>\n", PX(c->mark2), T + 40,
		    PX(c->mark2), H - B, PX(c->mark2), T + 36, c->mark2_label);
#undef PX
#undef PY
#undef PY2
	buf_puts(&b, "</svg>\n");
	return b.p;
}

char *
svg_lines(const char *title, const char *ylabel, int nseries, const char *const *names,
    int npoints, const char *const *xlabels, const double *const *values,
    const char *const *marks)
{
	static const char *const colours[] = { "#2f6fb3", "#c0392b", "#27ae60",
	    "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#2c3e50" };
	const int W = 900, H = 440, L = 80, R = 170, T = 50, B = 70;
	double ymax = 0, step;
	struct buf b = { 0 };
	char *t;

	for (int s = 0; s < nseries; s++)
		for (int p = 0; p < npoints; p++)
			if (isfinite(values[s][p]))
				ymax = fmax(ymax, values[s][p]);
	step = svg_nice_step(ymax > 0 ? ymax : 1, 5);
	ymax = ceil((ymax > 0 ? ymax : 1) / step) * step;
#define LX(p) (L + (npoints > 1 ? (W - L - R) * (double)(p) / (npoints - 1) : (W - L - R) / 2.0))
#define LY(v) (H - B - (H - T - B) * (v) / ymax)
	t = svg_escape(title);
	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n<rect "
	    "width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"10\" "
	    "y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", W, H, t);
	free(t);
	for (double v = 0; v <= ymax + step / 2; v += step)
		buf_printf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"#e4e4e4\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
		    "fill=\"#555\">%g</text>\n", L, LY(v), W - R, LY(v), L - 6, LY(v) + 4, v);
	t = svg_escape(ylabel);
	buf_printf(&b, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" "
	    "text-anchor=\"middle\">%s</text>\n", (T + H - B) / 2, (T + H - B) / 2, t);
	free(t);
	for (int p = 0; p < npoints; p++) {
		char *x = svg_escape(xlabels[p]);

		buf_printf(&b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" "
		    "transform=\"rotate(-30 %.1f %d)\" fill=\"#555\">%s</text>\n", LX(p),
		    H - B + 16, LX(p), H - B + 16, x);
		free(x);
		if (marks != NULL && marks[p] != NULL) {
			char *m = svg_escape(marks[p]);

			buf_printf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			    "stroke=\"#e67e22\" stroke-width=\"2\" stroke-dasharray=\"6,3\">"
			    "<title>%s</title></line><text x=\"%.1f\" y=\"%d\" fill=\"#e67e22\" "
			    "text-anchor=\"middle\">step</text>\n", LX(p), T, LX(p), H - B, m,
			    LX(p), T - 6);
			free(m);
		}
	}
	for (int s = 0; s < nseries; s++) {
		const char *col = colours[s % 8];
		char *n = svg_escape(names[s]);

		buf_printf(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
		    "points=\"", col);
		for (int p = 0; p < npoints; p++)
			if (isfinite(values[s][p]))
				buf_printf(&b, "%.1f,%.1f ", LX(p), LY(values[s][p]));
		buf_puts(&b, "\"/>\n");
		for (int p = 0; p < npoints; p++)
			if (isfinite(values[s][p]))
				buf_printf(&b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
				    "fill=\"%s\"><title>%s, %s: %.2f</title></circle>\n", LX(p),
				    LY(values[s][p]), col, n, xlabels[p], values[s][p]);
		buf_printf(&b, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
		    "fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n", W - R + 14,
		    T + 18 * s, col, W - R + 32, T + 18 * s + 10, n);
		free(n);
	}
#undef LX
#undef LY
	buf_puts(&b, "</svg>\n");
	return b.p;
}
