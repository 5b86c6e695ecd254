/* SPDX-License-Identifier: MIT */
/* dll_user_threads.h with Win32 threads (CreateThread). */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>

#include "dll_user_threads.h"

struct start {
  void (*fn)(void *);
  void *arg;
};

static DWORD WINAPI run(LPVOID p) {
  struct start *s = p;
  s->fn(s->arg);
  return 0;
}

void dut_run_threads(int n, void (*fn)(void *), void **args) {
  HANDLE threads[16] = {0};
  struct start starts[16];
  for (int i = 0; i < n; i++) {
    starts[i].fn = fn;
    starts[i].arg = args[i];
    threads[i] = CreateThread(NULL, 0, run, &starts[i], 0, NULL);
    if (threads[i] == NULL) {
      fprintf(stderr, "CreateThread failed: %lu\n", GetLastError());
      exit(1);
    }
  }
  WaitForMultipleObjects((DWORD)n, threads, TRUE, INFINITE);
  for (int i = 0; i < n; i++) CloseHandle(threads[i]);
}
