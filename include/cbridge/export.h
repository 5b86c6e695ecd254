/* SPDX-License-Identifier: MIT */
/* CBRIDGE_EXPORT marks a declaration of cbridge's public API: the library
 * is built with -fvisibility=hidden, so only what carries it (C functions,
 * C++ classes and functions in namespace cbridge) is in the shared
 * library's dynamic symbol table. Usable from C99. */
#ifndef CBRIDGE_EXPORT_H
#define CBRIDGE_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define CBRIDGE_EXPORT __attribute__((visibility("default")))
#else
#define CBRIDGE_EXPORT
#endif

#endif /* CBRIDGE_EXPORT_H */
