/* expo.h - the Prometheus / OpenMetrics text exposition format, read. */
#ifndef PERFD_EXPO_H
#define PERFD_EXPO_H

#include <stddef.h>
#include <stdint.h>

/* What a scrape may hold, at most: a target beyond these is refused, not cut. */
#define EXPO_MAX_BYTES		(16 << 20)
#define EXPO_MAX_SAMPLES	200000
#define EXPO_MAX_LABELS		64

enum expo_type {
	EXPO_UNTYPED, EXPO_COUNTER, EXPO_GAUGE, EXPO_HISTOGRAM, EXPO_SUMMARY, EXPO_INFO,
	EXPO_STATESET, EXPO_GAUGEHISTOGRAM
};

/*
 * One sample: its name as written (a histogram's name_bucket, name_sum,
 * name_count; a counter's name_total), its labels in a canonical form
 * (name="value" pairs sorted by name, values escaped as in the format,
 * comma-separated; "" for none), the family's type, its value (+Inf, -Inf
 * and NaN as such) and, when the line has one, its timestamp in ms.
 */
struct expo_sample {
	char		*name;
	char		*labels;
	char		*family;	/* the # TYPE name it belongs to, or its own name */
	enum expo_type	 type;
	double		 value;
	int		 has_ts;
	int64_t		 ts_ms;
};

struct expo {
	struct expo_sample *s;
	int		 n;
};

/*
 * Parse a scrape: comments and # HELP are skipped, # TYPE sets the type of
 * the samples of its family, exemplars (" # {...} v") and # EOF are
 * ignored. 0, or -1 with *cause naming the first bad line ("line 3: ...")
 * and nothing kept: as Prometheus does, a scrape with one bad line is
 * refused whole, never half read.
 */
int expo_parse(const char *text, size_t len, struct expo *, char **cause);
void expo_free(struct expo *);

/* The value of a label in a canonical labels text (caller frees), or NULL. */
char *expo_label(const char *labels, const char *name);

const char *expo_type_name(enum expo_type);

#endif
