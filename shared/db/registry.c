/* registry.c - the database kinds perfd knows: one line per kind. */
#include "dbdriver.h"

#include <stddef.h>

/*
 * Adding a kind: its driver file beside db-sqlite.c, its line here, its
 * rules file in agents/rules/. Kept alone in this file so that a test
 * program can link a registry of its own (tests/dbdouble/) in its place.
 */
const struct db_driver *const db_registry[] = {
	&db_sqlite_driver,
	&db_postgresql_driver,
	NULL
};
