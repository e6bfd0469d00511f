/* rules.h - tuning rules loaded from a YAML data file (agents/rules/). */
#ifndef PERFD_RULES_H
#define PERFD_RULES_H

struct cond {
	char	*setting;
	char	**values;	/* any of these */
	int	 nvalues;
};

struct rule {
	char		*setting;
	char		*recommend;
	struct cond	*when;
	int		 nwhen;
	struct cond	*requires;	/* setting = values[0] */
	int		 nrequires;
	char		*rationale;
	char		*risk;
};

struct rules {
	struct rule	*r;
	int		 n;
};

/* Load path; 0, or -1 with *cause (file:line:column for bad YAML). */
int rules_load(const char *path, struct rules *, char **cause);
void rules_free(struct rules *);
/* The rules file: $PERFD_RULES_DIR/NAME, beside the source, or installed. */
char *rules_path(const char *name);

#endif
