/* dbdriver.c - the registry of database kinds. */
#include "dbdriver.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* The kinds perfd knows: add a driver here and a rules file beside sqlite.yaml. */
static const struct db_driver *const drivers[] = { &db_sqlite_driver };

const struct db_driver *
db_driver(const char *kind)
{
	for (size_t i = 0; i < PERFD_ARRAY_LEN(drivers); i++)
		if (kind != NULL && strcmp(drivers[i]->kind, kind) == 0)
			return drivers[i];
	return NULL;
}

const char *
db_driver_kinds(void)
{
	static char list[256];

	if (list[0] == '\0')
		for (size_t i = 0; i < PERFD_ARRAY_LEN(drivers); i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
			    i ? ", " : "", drivers[i]->kind);
	return list;
}

static int
known(const char *kind)
{
	return db_driver(kind) != NULL;
}

const struct spec_kinds db_driver_spec_kinds = { known, db_driver_kinds };
