/* flame.c - fold perf stacks and draw them as a flame graph. */
#include "flame.h"
#include "svg.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A frame's name from a perf script stack line: "addr sym+0x1f (dso)". */
static char *
frame_name(const char *line)
{
	const char *p = line, *sym, *end, *dso;

	while (*p == ' ' || *p == '\t')
		p++;
	while (*p != '\0' && *p != ' ')	/* the address */
		p++;
	while (*p == ' ')
		p++;
	sym = p;
	dso = strrchr(p, '(');
	end = dso != NULL ? dso : p + strlen(p);
	while (end > sym && end[-1] == ' ')
		end--;
	if (end - sym >= 9 && strncmp(sym, "[unknown]", 9) == 0 && dso != NULL) {
		const char *base = strrchr(dso, '/'), *close = strrchr(dso, ')');

		base = base != NULL ? base + 1 : dso + 1;
		if (close != NULL && close > base && strncmp(base, "[unknown]", 9) != 0)
			return xasprintf("[%.*s]", (int)(close - base), base);
		return xstrdup("[unknown]");
	}
	/* Drop the +0x offset: samples of one function fold together. */
	for (const char *q = sym; q < end; q++) {
		if (*q == '+' && q[1] == '0' && q[2] == 'x') {
			end = q;
			break;
		}
	}
	return xstrndup(sym, (size_t)(end - sym));
}

struct stack {
	char	*key;
	long	 count;
};

static int
cmp_stack(const void *a, const void *b)
{
	return strcmp(((const struct stack *)a)->key, ((const struct stack *)b)->key);
}

/* Close one sample: frames were read leaf first; the folded key is root first. */
static void
end_sample(struct stack **st, int *n, char *comm, char **frames, int nframes)
{
	struct buf key = { 0 };

	if (comm == NULL)
		return;
	buf_puts(&key, comm);
	for (int i = nframes - 1; i >= 0; i--) {
		for (char *c = frames[i]; *c != '\0'; c++)
			if (*c == ';')
				*c = ':';
		buf_printf(&key, ";%s", frames[i]);
	}
	*st = xrealloc(*st, sizeof **st * (size_t)(*n + 1));
	(*st)[*n].key = key.p;
	(*st)[*n].count = 1;
	(*n)++;
}

char *
flame_fold(const char *text)
{
	struct stack *st = NULL;
	char *copy = xstrdup(text), *line, *save = NULL, *comm = NULL, **frames = NULL;
	int n = 0, nframes = 0, cap = 0;
	struct buf out = { 0 };

	buf_add(&out, "", 0);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != ' ' && line[0] != '\t') {
			/* A sample header: "comm pid [cpu] time: period event:". */
			end_sample(&st, &n, comm, frames, nframes);
			for (int i = 0; i < nframes; i++)
				free(frames[i]);
			nframes = 0;
			free(comm);
			comm = xstrndup(line, strcspn(line, " \t"));
			continue;
		}
		if (nframes == cap) {
			cap = cap ? cap * 2 : 64;
			frames = xrealloc(frames, sizeof *frames * (size_t)cap);
		}
		frames[nframes++] = frame_name(line);
	}
	end_sample(&st, &n, comm, frames, nframes);
	for (int i = 0; i < nframes; i++)
		free(frames[i]);
	free(frames);
	free(comm);
	free(copy);
	if (n > 1)
		qsort(st, (size_t)n, sizeof *st, cmp_stack);
	for (int i = 0; i < n; ) {
		int j = i;
		long count = 0;

		while (j < n && strcmp(st[j].key, st[i].key) == 0)
			count += st[j++].count;
		buf_printf(&out, "%s %ld\n", st[i].key, count);
		i = j;
	}
	for (int i = 0; i < n; i++)
		free(st[i].key);
	free(st);
	return out.p;
}

struct node {
	char		*name;
	long		 count;
	struct node	*child, *next;
};

static struct node *
child_named(struct node *parent, const char *name, size_t len)
{
	struct node **pp = &parent->child;

	for (; *pp != NULL; pp = &(*pp)->next)
		if (strlen((*pp)->name) == len && strncmp((*pp)->name, name, len) == 0)
			return *pp;
	*pp = xcalloc(1, sizeof **pp);
	(*pp)->name = xstrndup(name, len);
	return *pp;
}

static void
free_tree(struct node *n)
{
	while (n != NULL) {
		struct node *next = n->next;

		free_tree(n->child);
		free(n->name);
		free(n);
		n = next;
	}
}

/* Parse "a;b;c count" lines into a tree under root; returns the max depth. */
static int
build_tree(struct node *root, const char *folded)
{
	const char *line = folded;
	int maxdepth = 0;

	while (*line != '\0') {
		const char *eol = strchr(line, '\n'), *sp, *p;
		struct node *at = root;
		long count;
		int depth = 0;

		if (eol == NULL)
			eol = line + strlen(line);
		for (sp = eol; sp > line && sp[-1] != ' '; sp--)
			;
		count = sp > line ? atol(sp) : 0;
		if (count > 0) {
			root->count += count;
			for (p = line; p < sp - 1; ) {
				const char *semi = memchr(p, ';', (size_t)(sp - 1 - p));
				const char *e = semi != NULL ? semi : sp - 1;

				at = child_named(at, p, (size_t)(e - p));
				at->count += count;
				depth++;
				p = e + 1;
			}
			if (depth > maxdepth)
				maxdepth = depth;
		}
		line = *eol != '\0' ? eol + 1 : eol;
	}
	return maxdepth;
}

#define FLAME_WIDTH	1200
#define FLAME_ROW	17

/* Warm colours, stable per name. */
static void
colour(const char *name, char out[32])
{
	unsigned h = 2166136261u;

	for (const char *p = name; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(out, 32, "rgb(%u,%u,%u)", 205 + h % 50, 80 + (h >> 8) % 130, 40 + (h >> 16) % 50);
}

static void
draw(struct buf *b, struct node *n, double x, int depth, int height, double scale,
    long total)
{
	double w = n->count * scale;
	char fill[32], *name, *label;
	int chars;

	if (w < 0.3)
		return;
	name = svg_escape(n->name);
	colour(n->name, fill);
	chars = (int)((w - 6) / 7);
	if (chars < 3)
		label = xstrdup("");
	else {
		char *raw = strlen(n->name) <= (size_t)chars ? xstrdup(n->name) :
		    xasprintf("%.*s..", chars - 2, n->name);

		label = svg_escape(raw);
		free(raw);
	}
	buf_printf(b, "<g><title>%s (%ld samples, %.2f%%)</title><rect x=\"%.2f\" "
	    "y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" rx=\"2\"/>", name,
	    n->count, 100.0 * n->count / total, x, height - (depth + 1) * FLAME_ROW,
	    w, FLAME_ROW - 1, fill);
	if (label[0] != '\0')
		buf_printf(b, "<text x=\"%.2f\" y=\"%d\">%s</text>", x + 3,
		    height - depth * FLAME_ROW - 5, label);
	buf_puts(b, "</g>\n");
	for (struct node *c = n->child; c != NULL; c = c->next) {
		draw(b, c, x, depth + 1, height, scale, total);
		x += c->count * scale;
	}
	free(name);
	free(label);
}

char *
flame_svg(const char *folded, const char *title)
{
	struct node root = { .name = (char *)"all" };
	int depth = build_tree(&root, folded), height = (depth + 1) * FLAME_ROW + 40;
	struct buf b = { 0 };
	char *t = svg_escape(title);

	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" font-family=\"monospace\" font-size=\"11\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#fdfdf6\"/>\n"
	    "<text x=\"%d\" y=\"20\" font-size=\"15\" font-family=\"sans-serif\" "
	    "text-anchor=\"middle\">%s (%ld samples)</text>\n", FLAME_WIDTH, height,
	    FLAME_WIDTH / 2, t, root.count);
	if (root.count > 0)
		draw(&b, &root, 0, 0, height, (double)FLAME_WIDTH / root.count, root.count);
	buf_puts(&b, "</svg>\n");
	free(t);
	free_tree(root.child);
	return b.p;
}

static int
cmp_self(const void *a, const void *b)
{
	long x = ((const struct flame_self *)a)->samples;
	long y = ((const struct flame_self *)b)->samples;

	return (x < y) - (x > y);
}

int
flame_top_self(const char *folded, int n, struct flame_self *out, long *total)
{
	struct flame_self *all = NULL;
	int nall = 0;
	const char *line = folded;

	*total = 0;
	while (*line != '\0') {
		const char *eol = strchr(line, '\n'), *sp, *leaf;
		long count;
		int i;

		if (eol == NULL)
			eol = line + strlen(line);
		for (sp = eol; sp > line && sp[-1] != ' '; sp--)
			;
		count = sp > line ? atol(sp) : 0;
		for (leaf = sp - 1; leaf > line && leaf[-1] != ';'; leaf--)
			;
		if (count > 0 && sp > line) {
			size_t len = (size_t)(sp - 1 - leaf);

			*total += count;
			for (i = 0; i < nall; i++)
				if (strlen(all[i].func) == len && strncmp(all[i].func, leaf, len) == 0)
					break;
			if (i == nall) {
				all = xrealloc(all, sizeof *all * (size_t)(nall + 1));
				all[nall].func = xstrndup(leaf, len);
				all[nall++].samples = 0;
			}
			all[i].samples += count;
		}
		line = *eol != '\0' ? eol + 1 : eol;
	}
	if (nall > 1)
		qsort(all, (size_t)nall, sizeof *all, cmp_self);
	for (int i = 0; i < nall; i++) {
		if (i < n)
			out[i] = all[i];
		else
			free(all[i].func);
	}
	free(all);
	return nall < n ? nall : n;
}

long
flame_unnamed(const char *folded)
{
	struct flame_self top[1];
	long n = 0, total;
	const char *line = folded;

	/* One line at a time through flame_top_self(), which finds the leaf. */
	while (*line != '\0') {
		const char *eol = strchr(line, '\n');
		char *one;

		if (eol == NULL)
			eol = line + strlen(line);
		one = xstrndup(line, (size_t)(eol - line));
		if (flame_top_self(one, 1, top, &total) == 1) {
			if (top[0].func[0] == '[')
				n += total;
			free(top[0].func);
		}
		free(one);
		line = *eol != '\0' ? eol + 1 : eol;
	}
	return n;
}
