/* util.h - the base layer's small modules, for a file that wants them all. */
#ifndef PERFD_UTIL_H
#define PERFD_UTIL_H

#include "buf.h"
#include "csv.h"
#include "file.h"
#include "hash.h"
#include "now.h"
#include "path.h"
#include "utf8.h"
#include "xmalloc.h"

#define PERFD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
