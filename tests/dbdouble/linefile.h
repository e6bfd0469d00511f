/* linefile.h - the tests' second database kind. */
#ifndef PERFD_LINEFILE_H
#define PERFD_LINEFILE_H

#include "dbdriver.h"

extern const struct db_driver linefile_driver;

#endif
