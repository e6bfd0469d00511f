/* test.h - assertions and helpers for perfd's unit tests. */
#ifndef PERFD_TEST_H
#define PERFD_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Each test runs in a process of its own: a failed assertion exits it. */
#define ASSERT(x) do {							\
	if (!(x)) {							\
		fprintf(stderr, "%s:%d: assertion failed: %s\n",	\
		    __FILE__, __LINE__, #x);				\
		exit(1);						\
	}								\
} while (0)

#define ASSERT_INT(a, op, b) do {					\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (!(a_ op b_)) {						\
		fprintf(stderr, "%s:%d: assertion failed: %s %s %s "	\
		    "(%lld vs %lld)\n", __FILE__, __LINE__, #a, #op, #b,	\
		    a_, b_);						\
		exit(1);						\
	}								\
} while (0)

#define ASSERT_STR(a, b) do {						\
	const char *a_ = (a), *b_ = (b);				\
	if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {		\
		fprintf(stderr, "%s:%d: assertion failed: %s == %s\n"	\
		    "  got:  %s\n  want: %s\n", __FILE__, __LINE__, #a,	\
		    #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");		\
		exit(1);						\
	}								\
} while (0)

#define ASSERT_NEAR(a, b, tol) do {					\
	double a_ = (a), b_ = (b);					\
	if (!(a_ >= b_ - (tol) && a_ <= b_ + (tol))) {			\
		fprintf(stderr, "%s:%d: assertion failed: %s ~ %s "	\
		    "(%g vs %g, tolerance %g)\n", __FILE__, __LINE__,	\
		    #a, #b, a_, b_, (double)(tol));			\
		exit(1);						\
	}								\
} while (0)

#define TEST_IMPL(name) int test_##name(void)

/* The source tree, the build folder, and a fresh folder for this test. */
const char *test_src(void);
const char *test_build(void);
const char *test_tmp(void);
/* Write text to tmp/name; returns the path (static until next call). */
const char *test_write(const char *name, const char *text);
/* Whether pid is alive and not a zombie. */
int test_pid_running(pid_t pid);

#endif
