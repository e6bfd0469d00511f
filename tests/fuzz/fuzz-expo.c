/* fuzz-expo.c - AFL++ harness for the exposition-format parser.
 *
 * Built by tests/fuzz/run.sh with afl-clang-fast under ASan and UBSan; each
 * input is one scrape's bytes, as a target might answer. Built by meson
 * without AFL, it parses every file named on its command line once.
 */
#include "harness.h"
#include "expo.h"

#include <stdlib.h>
#include <string.h>

static void
fuzz_one(const char *data, size_t len)
{
	struct expo x;
	char *cause = NULL;
	int rc = expo_parse(data, len, &x, &cause);

	/* Samples or a cause, never both, never neither; every label readable back. */
	if ((rc == 0) == (cause != NULL))
		abort();
	for (int i = 0; i < x.n; i++) {
		char *le = expo_label(x.s[i].labels, "le");

		if (x.s[i].name == NULL || x.s[i].labels == NULL || x.s[i].family == NULL)
			abort();
		free(le);
	}
	expo_free(&x);
	free(cause);
}
