/* hash.h - a short stable hash of a byte string. */
#ifndef PERFD_HASH_H
#define PERFD_HASH_H

#include <stddef.h>

/* FNV-1a 64 of a byte string, printed as 16 hex digits into out[17]. */
void hash_hex(const void *data, size_t len, char out[17]);

#endif
