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
	const int left = 150, right = 300, top = 44, row = 30, width = 900;
	int plot = width - left - right, height = top + row * n + 40;
	double max = 0, step;
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
