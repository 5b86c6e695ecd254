/* SPDX-License-Identifier: MIT */
/* cbridge's version, usable from C99 and C++. Semantic versioning: the
 * major number changes when the C ABI breaks, and the shared library's
 * SONAME carries it (libcbridge.so.0). CMake reads the version from here,
 * so this is its one source. */
#ifndef CBRIDGE_VERSION_H
#define CBRIDGE_VERSION_H

/* The major, minor and patch numbers of the headers' version. */
#define CBRIDGE_VERSION_MAJOR 0
#define CBRIDGE_VERSION_MINOR 1
#define CBRIDGE_VERSION_PATCH 0

/* The version as one number, 0xMMmmpp (libuv's UV_VERSION_HEX): compare
 * it with cbridge_version() to tell the headers a program was built with
 * from the library it runs with. */
#define CBRIDGE_VERSION_HEX \
  ((CBRIDGE_VERSION_MAJOR << 16) | (CBRIDGE_VERSION_MINOR << 8) | (CBRIDGE_VERSION_PATCH))

#endif /* CBRIDGE_VERSION_H */
