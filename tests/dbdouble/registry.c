/* registry.c - the tests' database kinds: perfd's, and the double. */
#include "dbdriver.h"
#include "linefile.h"

#include <stddef.h>

/*
 * Linked into the double's programs ahead of the databases layer, so the
 * layer's own registry.c is never pulled from its archive.
 */
const struct db_driver *const db_registry[] = {
	&db_sqlite_driver,
	&linefile_driver,
	NULL
};
