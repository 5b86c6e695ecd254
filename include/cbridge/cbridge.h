/* cbridge's C API: usable from C99 and C++. */
#ifndef CBRIDGE_H
#define CBRIDGE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Results of the functions below: 0 or one of these negative codes, with
 * the reason in cbridge_last_error(). */
enum cbridge_error {
  CBRIDGE_OK = 0,
  CBRIDGE_ERR_ARGUMENT = -1,  /* a NULL fn or signature, or NULL args for a function with parameters */
  CBRIDGE_ERR_SIGNATURE = -2  /* the signature does not parse, or libffi refused it */
};

/* cbridge_call calls the C function fn, whose signature is a C prototype
 * without names ("int(int, double, const char*)", "void(void)",
 * "double(struct {int; double})", "int(const char*, ..., int, double)": for
 * a variadic function the types after "..." are those of this call's
 * variadic arguments). args[i] points to the i-th argument; the result is
 * stored in *ret, a buffer of the C return type (NULL to drop it). From a
 * task the call runs as foreign code (syscall state, on the system stack);
 * errno after the call is what fn left. Each signature is parsed once and
 * cached. Returns CBRIDGE_OK or a cbridge_error. */
int cbridge_call(void *fn, const char *signature, void *ret, void **args);

/* cbridge_last_error describes the last failed cbridge_* call of the
 * calling task (or thread, outside tasks); "" if there was none. The text
 * stays valid until the next failing call. */
const char *cbridge_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* CBRIDGE_H */
