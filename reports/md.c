/* md.c - small helpers for writing markdown reports. */
#include "md.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
md_duration(double ms)
{
	if (!isfinite(ms))
		return xstrdup("n/a");
	if (ms < 1)
		return xasprintf("%.0f µs", ms * 1000);
	if (ms < 1000)
		return xasprintf("%.*f ms", ms < 10 ? 2 : 1, ms);
	if (ms < 60000)
		return xasprintf("%.*f s", ms < 10000 ? 2 : 1, ms / 1000);
	return xasprintf("%dm %02ds", (int)(ms / 60000), (int)fmod(ms / 1000, 60));
}

char *
md_cell(const char *text)
{
	struct buf b = { 0 };

	buf_add(&b, "", 0);
	for (const char *p = text != NULL ? text : ""; *p != '\0'; p++) {
		if (*p == '|')
			buf_puts(&b, "\\|");
		else if (*p == '\n' || *p == '\r')
			buf_puts(&b, " ");
		else
			buf_add(&b, p, 1);
	}
	return b.p;
}

void
md_row(struct buf *b, int n, const char *const *cells)
{
	buf_puts(b, "|");
	for (int i = 0; i < n; i++) {
		char *c = md_cell(cells[i]);

		buf_printf(b, " %s |", c);
		free(c);
	}
	buf_puts(b, "\n");
}

void
md_rule(struct buf *b, int n)
{
	buf_puts(b, "|");
	for (int i = 0; i < n; i++)
		buf_puts(b, "---|");
	buf_puts(b, "\n");
}

char *
md_rate(double v)
{
	char digits[64], out[96];
	int n, k = 0;

	if (!(v >= 100) && !(v <= -100))
		return xasprintf("%.3g", v);
	snprintf(digits, sizeof digits, "%.0f", v);
	n = (int)strlen(digits);
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0 && digits[i - 1] != '-')
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
	return xstrdup(out);
}
