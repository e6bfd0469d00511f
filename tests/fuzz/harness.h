/* harness.h - the main() of a fuzz harness, around its fuzz_one().
 *
 * Under afl-clang-fast: AFL++'s persistent mode, one input per loop turn
 * from shared memory. Built plainly: every file named on the command line
 * once (the crash fixtures are replayed so). Included once, by the
 * harness's own file.
 */
#ifndef PERFD_HARNESS_H
#define PERFD_HARNESS_H

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>	/* AFL's test-case macros read(2) */

static void fuzz_one(const char *data, size_t len);

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();

int
main(void)
{
	__AFL_INIT();
	unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;

	while (__AFL_LOOP(10000))
		fuzz_one((const char *)buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
	return 0;
}
#else
int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *cause = NULL, *text;
		size_t len;

		if ((text = file_read(argv[i], 1 << 21, &len, &cause)) == NULL) {
			fprintf(stderr, "%s\n", cause);
			return 2;
		}
		fuzz_one(text, len);
		free(text);
	}
	return 0;
}
#endif

#endif
