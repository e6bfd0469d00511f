/* alloc.c - a stage that uses a known amount of memory: alloc MIB [MS]. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 64;
	char *p;

	if (mib == 0)
		return 0;
	p = malloc(mib << 20);

	if (p == NULL)
		return 1;
	memset(p, 1, mib << 20);	/* touched, so resident */
	if (argc > 2)
		usleep((useconds_t)atol(argv[2]) * 1000);
	{
		int rc = p[mib] == 1 ? 0 : 2;

		free(p);
		return rc;
	}
}
