/* SPDX-License-Identifier: MIT */
/* CBRIDGE_EXPORT marks a declaration of cbridge's public API (C functions,
 * C++ classes and functions in namespace cbridge). Usable from C99.
 *
 * ELF (Linux): the library is built with -fvisibility=hidden, so only what
 * carries it, default visibility, is in libcbridge.so's dynamic symbol
 * table; a user of either library sees the same declarations.
 *
 * Windows (mingw-w64), as libuv's UV_EXTERN: which library a program links
 * decides what the declarations must say, so the build says it:
 *   - CBRIDGE_BUILDING_DLL: compiling libcbridge.dll itself (the build
 *     defines it privately): __declspec(dllexport), and the DLL exports
 *     these declarations and nothing else;
 *   - CBRIDGE_STATIC: a user of the static library, libcbridge.a (the
 *     cbridge::cbridge_static target defines it in its users' compiles;
 *     define it yourself when linking libcbridge.a by hand) and the static
 *     library's own objects: nothing;
 *   - neither: a user of the DLL, through its import library
 *     libcbridge.dll.a (cbridge::cbridge): __declspec(dllimport). */
#ifndef CBRIDGE_EXPORT_H
#define CBRIDGE_EXPORT_H

#if defined(_WIN32)
#if defined(CBRIDGE_BUILDING_DLL)
#define CBRIDGE_EXPORT __declspec(dllexport)
#elif defined(CBRIDGE_STATIC)
#define CBRIDGE_EXPORT
#else
#define CBRIDGE_EXPORT __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define CBRIDGE_EXPORT __attribute__((visibility("default")))
#else
#define CBRIDGE_EXPORT
#endif

#endif /* CBRIDGE_EXPORT_H */
