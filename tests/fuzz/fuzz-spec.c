/* fuzz-spec.c - AFL++ harness for the spec parser.
 *
 * Built by tests/fuzz/run.sh with afl-clang-fast under ASan and UBSan; each
 * input is one spec file's bytes. Built by meson without AFL, it parses
 * every file named on its command line once: the crash fixtures in
 * tests/fuzz/spec-crashes/ are replayed that way by the test suite.
 */
#include "harness.h"
#include "dbdriver.h"
#include "matrix.h"
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
fuzz_one(const char *data, size_t len)
{
	char *errors = NULL;
	struct spec *sp = spec_parse_text("fuzz.yaml", "/tmp", data, len, &db_driver_spec_kinds, &errors);

	/* Exactly one of the two, always. */
	if ((sp == NULL) == (errors == NULL))
		abort();
	/* A matrix's every cell makes a spec, or says why not. */
	for (int k = 0; sp != NULL && sp->matrix != NULL && k < sp->matrix->ncells && k < 8; k++) {
		char *why = NULL;
		struct spec *cell = matrix_cell_spec(sp, k, &why);

		if ((cell == NULL) == (why == NULL))
			abort();
		spec_free(cell);
		free(why);
	}
	spec_free(sp);
	free(errors);
}
