/* SPDX-License-Identifier: MIT */
/* The first callback of a process parks its handler (issue #11.1).
 *
 * first_park WHERE SHIFT: WHERE is "main" (call from main()) or "thread"
 * (from a new pthread); SHIFT bytes are taken off the caller's stack
 * first, so the runtime's frames land at another offset from the dynamic
 * linker's 64-byte-aligned XSAVE area. A SHIFT of 8 mod 16 makes the call
 * with the stack 8 bytes off the ABI's 16-byte alignment, as hand-written
 * assembly or a careless JIT may (x86-64 only): the callback's entry
 * realigns it. The handler
 * sleeps, so the callback's task parks and its M waits on its system
 * stack: the context it parks to must survive whatever the lazy resolver
 * (or an audit module, see stack_audit.c) wrote below the caller. Prints
 * PASS. */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int (*fn)(int);
static int shift;
static int result;

static void handler(void* ret, void** args, void* user) {
  (void)user;
  cbridge_sleep_ns(5000000);
  *(int*)ret = *(int*)args[0] + 1;
}

#if defined(__x86_64__)
/* call_misaligned(f, x) calls f(x) with %rsp 8 bytes off the alignment
 * the ABI requires at a call. */
int call_misaligned(int (*f)(int), int x);
__asm__(
    ".text\n"
    ".globl call_misaligned\n"
    ".type call_misaligned, @function\n"
    "call_misaligned:\n"
    "  pushq %rbp\n"
    "  movq %rsp, %rbp\n"
    "  subq $8, %rsp\n"
    "  movq %rdi, %rax\n"
    "  movl %esi, %edi\n"
    "  call *%rax\n"
    "  leave\n"
    "  ret\n"
    ".size call_misaligned, .-call_misaligned\n");
#endif

static void call(void) {
  /* The shift is a VLA the compiler cannot drop: it is written. */
  volatile char pad[shift + 1];
  pad[0] = 0;
#if defined(__x86_64__)
  if (shift % 16 == 8) {
    result = call_misaligned(fn, 1);
    return;
  }
#endif
  result = fn(1);
  (void)pad[0];
}

static void* thread(void* arg) {
  (void)arg;
  call();
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: first_park main|thread SHIFT\n");
    return 64;
  }
  shift = atoi(argv[2]);
  cbridge_callback* cb = cbridge_callback_new("int(int)", handler, NULL);
  if (cb == NULL) {
    fprintf(stderr, "cbridge_callback_new: %s\n", cbridge_last_error());
    return 1;
  }
  fn = (int (*)(int))cbridge_callback_fn(cb);
  if (strcmp(argv[1], "thread") == 0) {
    pthread_t t;
    pthread_create(&t, NULL, thread, NULL);
    pthread_join(t, NULL);
  } else {
    call();
  }
  printf("%s\n", result == 2 ? "PASS" : "FAIL");
  cbridge_callback_free(cb);
  return 0;
}
