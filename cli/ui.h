/* ui.h - show an investigation's progress: live lines or JSON lines. */
#ifndef PERFD_UI_H
#define PERFD_UI_H

#include <cjson/cJSON.h>
#include <stdio.h>

struct ui;

/* live: one redrawn line per agent (a terminal); else JSON lines. */
struct ui *ui_new(FILE *, int live);
/* Take one event line; returns 1 when it says the investigation ended. */
int ui_event(struct ui *, const char *line);
void ui_free(struct ui *);

#endif
