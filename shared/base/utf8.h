/* utf8.h - text that is valid UTF-8. */
#ifndef PERFD_UTF8_H
#define PERFD_UTF8_H

/* s with every byte that is not part of valid UTF-8 written as \xNN (caller frees). */
char *utf8_escape(const char *s);

#endif
