/* matrix.h - a parameter matrix: the cells at which a pipeline is profiled. */
#ifndef PERFD_MATRIX_H
#define PERFD_MATRIX_H

#include <stddef.h>
#include <stdint.h>

struct spec;

#define MATRIX_MAX_PARAMS	8
#define MATRIX_MAX_VALUES	64
/* More cells than this must be confirmed (matrix.confirm_cells): each is a profile. */
#define MATRIX_SANE_CELLS	64
#define MATRIX_MAX_CELLS	4096
/* matrix.repetitions: auto, the default (rounds until every cell's shares settle). */
#define MATRIX_REPS_AUTO	0

struct matrix_param {
	char	*name;
	char	**values;	/* as the spec writes them: "8", "0.5", "fast" */
	int	 nvalues;
	int	 numeric;	/* every value a number above 0: growth is fitted against it */
};

/*
 * The spec's matrix section. Stage commands, their prepare, env values,
 * setup, teardown and rows may name a parameter as {name}; each cell is
 * one value of every parameter. The cells are every combination, or the
 * ones matrix.cells lists. The investigation's own spec is the first cell
 * (what every agent but profiling measures); profiling measures them all.
 */
struct matrix {
	struct matrix_param *params;
	int		 nparams;
	int		*cells;		/* ncells * nparams value indexes */
	int		 ncells;
	int		 listed;	/* the cells are matrix.cells */
	int64_t		 repetitions;	/* counted runs of each cell, or MATRIX_REPS_AUTO */
	int64_t		 seed;		/* of the shuffled order; 0: chosen per run */
	char		*concurrency;	/* the parameter that is the jobs at once, or NULL */
	int64_t		 confirm_cells;	/* must equal ncells above MATRIX_SANE_CELLS */
};

/* Value v (an index) of parameter p in cell c. */
const char *matrix_value(const struct matrix *, int c, int p);
/* The same as a number (0 when not numeric). */
double matrix_number(const struct matrix *, int c, int p);
/* Index of the parameter called name, or -1; len bytes of name count. */
int matrix_param_index(const struct matrix *, const char *name, size_t len);

/*
 * Each {name} in text (a letter or _, then letters, digits, _; not after
 * a '$', which is the shell's ${name}): fn(arg, name, len).
 */
void matrix_scan(const char *text, void (*fn)(void *, const char *, size_t), void *arg);
/* text with each {name} of a parameter replaced by its value in cell c (caller frees). */
char *matrix_subst(const struct matrix *, int c, const char *text);
/* "tasks=8 jobs=1" (caller frees). */
char *matrix_label(const struct matrix *, int c);

/*
 * The spec of cell c: the spec with every {name} replaced, and no matrix;
 * NULL with *why when that cell's spec is not valid (rows not a number).
 */
struct spec *matrix_cell_spec(const struct spec *, int c, char **why);

/* order[0..n) a permutation of 0..n-1 drawn from seed (xorshift; the same seed, the same order). */
void matrix_shuffle(int *order, int n, uint32_t seed);

void matrix_free(struct matrix *);

#endif
