/* Compiled as strict C99: cbridge.h must be usable from C. */
#include <cbridge/cbridge.h>

#include <string.h>

#include "tests/cfuncs.h"

int c99_call_add3(int a, int b, int c, int* out) {
  void* args[3];
  args[0] = &a;
  args[1] = &b;
  args[2] = &c;
  /* ISO C has no cast from a function pointer to void*: copy the bits. */
  int (*fp)(int, int, int) = add3;
  void* fn;
  memcpy(&fn, &fp, sizeof fn);
  return cbridge_call(fn, "int(int, int, int)", out, args);
}

/* The headers' version against the library's. */
int c99_version_matches(void) {
  const char* s = cbridge_version_string();
  return cbridge_version() == CBRIDGE_VERSION_HEX && s != NULL && s[0] != '\0';
}
