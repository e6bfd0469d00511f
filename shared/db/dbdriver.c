/* dbdriver.c - the registry of database kinds. */
#include "dbdriver.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

const struct db_driver *
db_driver(const char *kind)
{
	for (size_t i = 0; db_registry[i] != NULL; i++)
		if (kind != NULL && strcmp(db_registry[i]->kind, kind) == 0)
			return db_registry[i];
	return NULL;
}

const char *
db_driver_kinds(void)
{
	static char list[256];

	if (list[0] == '\0')
		for (size_t i = 0; db_registry[i] != NULL; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
			    i ? ", " : "", db_registry[i]->kind);
	return list;
}

static int
known(const char *kind)
{
	return db_driver(kind) != NULL;
}

static int
check(const struct spec *sp, const char **key, char **why)
{
	return db_driver(sp->db_kind)->check(sp, key, why);
}

static void
keep_secret(struct spec *sp)
{
	const struct db_driver *d = db_driver(sp->db_kind);

	if (d->keep_secret != NULL)
		d->keep_secret(sp);
}

const struct spec_kinds db_driver_spec_kinds = { known, db_driver_kinds, check, keep_secret };
