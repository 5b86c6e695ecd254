/* The empty C function every call benchmark calls, in its own file so
 * that no call can be inlined. */
void cbridge_bench_empty(void) {}
