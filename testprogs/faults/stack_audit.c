/* SPDX-License-Identifier: MIT */
/* An rtld-audit module (LD_AUDIT) that does what the dynamic linker's
 * lazy resolver may do below a caller's stack pointer, only more: on
 * every PLT call it writes 16 KiB of garbage below its own frame (AMX's
 * XSAVE area is about 11 KiB). Tracers such as glibc's sotruss run their
 * code at the same place. A runtime that keeps anything on a system stack
 * below a live stack pointer, where an ordinary call can write, fails
 * under it at the first such call. */
#define _GNU_SOURCE
#include <link.h>
#include <string.h>

enum { kScribble = 16384 };

unsigned int la_version(unsigned int version) {
  (void)version;
  return LAV_CURRENT;
}

unsigned int la_objopen(struct link_map* map, Lmid_t lmid, uintptr_t* cookie) {
  (void)map, (void)lmid, (void)cookie;
  return LA_FLG_BINDTO | LA_FLG_BINDFROM;
}

/* No LA_SYMB_NOPLTENTER: pltenter runs on every call, not the first only. */
uintptr_t la_symbind64(Elf64_Sym* sym, unsigned int ndx, uintptr_t* refcook, uintptr_t* defcook,
                       unsigned int* flags, const char* symname) {
  (void)ndx, (void)refcook, (void)defcook, (void)flags, (void)symname;
  return sym->st_value;
}

Elf64_Addr la_x86_64_gnu_pltenter(Elf64_Sym* sym, unsigned int ndx, uintptr_t* refcook,
                                  uintptr_t* defcook, La_x86_64_regs* regs, unsigned int* flags,
                                  const char* symname, long* framesizep) {
  (void)ndx, (void)refcook, (void)defcook, (void)regs, (void)flags, (void)symname, (void)framesizep;
  char scribble[kScribble];
  memset(scribble, 0xa5, sizeof scribble);
  __asm__ volatile("" : : "r"(scribble) : "memory"); /* the stores are not dead */
  return sym->st_value;
}
