/* openmetrics.c - metrics written in the OpenMetrics text format. */
#include "openmetrics.h"
#include "util.h"

#include <math.h>
#include <string.h>

/* s onto b with \ and line breaks escaped, and " too where quoted. */
static void
openmetrics_escape(struct buf *b, const char *s, int quoted)
{
	for (; *s != '\0'; s++)
		if (*s == '\n')
			buf_puts(b, "\\n");
		else if (*s == '\\' || (quoted && *s == '"'))
			buf_printf(b, "\\%c", *s);
		else
			buf_add(b, s, 1);
}

void
openmetrics_family(struct buf *b, const char *name, const char *type, const char *unit,
    const char *help)
{
	buf_printf(b, "# TYPE %s %s\n", name, type);
	if (unit != NULL)
		buf_printf(b, "# UNIT %s %s\n", name, unit);
	buf_printf(b, "# HELP %s ", name);
	openmetrics_escape(b, help, 0);
	buf_puts(b, "\n");
}

void
openmetrics_sample(struct buf *b, const char *name, const char *const *labels, double value)
{
	int n = 0;

	buf_puts(b, name);
	for (int i = 0; labels != NULL && labels[i] != NULL; i += 2) {
		if (labels[i + 1] == NULL)
			continue;
		buf_printf(b, "%s%s=\"", n++ == 0 ? "{" : ",", labels[i]);
		openmetrics_escape(b, labels[i + 1], 1);
		buf_puts(b, "\"");
	}
	if (n > 0)
		buf_puts(b, "}");
	if (isnan(value))
		buf_puts(b, " NaN\n");
	else if (isinf(value))
		buf_puts(b, value > 0 ? " +Inf\n" : " -Inf\n");
	else
		buf_printf(b, " %.17g\n", value);
}

void
openmetrics_end(struct buf *b)
{
	buf_puts(b, "# EOF\n");
}
