/* flame.h - fold perf stacks and draw them as a flame graph. */
#ifndef PERFD_FLAME_H
#define PERFD_FLAME_H

/*
 * Fold the output of `perf script` into Brendan Gregg's collapsed format:
 * one line per distinct stack, "comm;root;...;leaf count", sorted. Frames
 * without a symbol are named after their object: [dash], [unknown].
 */
char *flame_fold(const char *perf_script);

/* A flame graph of folded stacks: a standalone SVG (caller frees). */
char *flame_svg(const char *folded, const char *title);

struct flame_self {
	char	*func;
	long	 samples;
};

/* The n leaf functions with the most samples; returns how many, fills out. */
int flame_top_self(const char *folded, int n, struct flame_self *out, long *total);

/* Samples whose leaf frame has no symbol ("[unknown]", "[dash]"). */
long flame_unnamed(const char *folded);

#endif
