#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H
// Debian's hiredis 0.14.1. No pkgConfig: its .pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM warns about.
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#endif
