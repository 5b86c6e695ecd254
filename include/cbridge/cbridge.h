/* cbridge's C API: usable from C99 and C++. */
#ifndef CBRIDGE_H
#define CBRIDGE_H

#include <stdint.h>

#include "cbridge/export.h"
#include "cbridge/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* cbridge_version returns the version of the library the program runs
 * with, as CBRIDGE_VERSION_HEX gives the headers' (0xMMmmpp); it cannot
 * fail. cbridge_version_string returns it as "MAJOR.MINOR.PATCH", a
 * static string. */
CBRIDGE_EXPORT unsigned int cbridge_version(void);
CBRIDGE_EXPORT const char* cbridge_version_string(void);

/* Results of the functions below that return int (libuv's convention):
 * 0 on success, else a negative code, with the reason in
 * cbridge_last_error(). A failure of the system or of an fd is the
 * negated errno (-ETIMEDOUT, -EPERM, ...; errno values are below 4096); a
 * failure of cbridge's own is one of the CBRIDGE_ERR_* codes below, which
 * lie far below every -errno, so the two never collide. */
enum cbridge_error {
  CBRIDGE_OK = 0,
  CBRIDGE_ERR_ARGUMENT = -10001,  /* a NULL or unknown argument (fn, signature, args, stat name, mode) */
  CBRIDGE_ERR_SIGNATURE = -10002, /* the signature does not parse, or libffi refused it */
  CBRIDGE_ERR_SHUTDOWN = -10003   /* the runtime was shut down */
};

/* cbridge_call calls the C function fn, whose signature is a C prototype
 * without names ("int(int, double, const char*)", "void(void)",
 * "double(struct {int; double})", "int(const char*, ..., int, double)": for
 * a variadic function the types after "..." are those of this call's
 * variadic arguments). args[i] points to the i-th argument; the result is
 * stored in *ret, a buffer of the C return type (NULL to drop it). From a
 * task the call runs as foreign code (syscall state, on the system stack);
 * errno after the call is what fn left. Each signature is parsed once and
 * cached; the cache keeps the CBRIDGE_SIGNATURE_CACHE_SIZE most recently
 * used signatures, so a program cycling through more parses again (some
 * microseconds) instead of growing. Returns CBRIDGE_OK or a cbridge_error;
 * a message quotes at most 80 characters of the signature, around the
 * error. */
#define CBRIDGE_SIGNATURE_CACHE_SIZE 256 /* signatures cbridge_call keeps parsed */
CBRIDGE_EXPORT int cbridge_call(void *fn, const char *signature, void *ret, void **args);

/* Callbacks: C function pointers that run a handler as managed code (on a
 * task, with a P, free to block on channels, timers and I/O and to call C
 * again) while the calling thread waits. Any thread may call them: one the
 * runtime never created gets an M on its first call, kept until it exits.
 * args[i] points to the i-th argument; the handler stores the result in
 * *ret, a buffer of the C return type. */
typedef void (*cbridge_handler)(void *ret, void **args, void *user);
typedef struct cbridge_callback cbridge_callback;

/* cbridge_callback_new makes a callback with a signature in the same
 * syntax as cbridge_call (not variadic). NULL on error, with the reason in
 * cbridge_last_error(). */
CBRIDGE_EXPORT cbridge_callback *cbridge_callback_new(const char *signature, cbridge_handler h, void *user);
/* cbridge_callback_fn is the C function pointer, valid until freed. */
CBRIDGE_EXPORT void *cbridge_callback_fn(const cbridge_callback *cb);
/* cbridge_callback_free frees cb; it may be called while calls of cb are
 * in flight, from its own handler too: its closure is freed when they
 * return (said once per process on stderr). Calling the function pointer
 * after the free is undefined. NULL is ignored. */
CBRIDGE_EXPORT void cbridge_callback_free(cbridge_callback *cb);

/* cbridge_go starts fn(arg) as a task: 0, or CBRIDGE_ERR_SHUTDOWN after
 * shutdown, during exit, and in the child of fork() (only exec is
 * supported after fork, as in Go: there callbacks also return a zero
 * result without running their handler, and one line says why, once). */
CBRIDGE_EXPORT int cbridge_go(void (*fn)(void *), void *arg);
/* cbridge_sleep_ns parks the calling task (a handler's too) for ns
 * nanoseconds; outside tasks it sleeps the thread. */
CBRIDGE_EXPORT void cbridge_sleep_ns(int64_t ns);
/* cbridge_stat reads a runtime counter by name: ms_created, ms_idle,
 * extra_ms_idle, extra_ms_in_use, callbacks, callback_cache_hits,
 * extra_m_stacks_released (idle extra Ms' task stacks given back),
 * stack_bound_updates, tasks_created, tasks_live, procs, syscall_retakes,
 * preempt_attempts, preempt_refused, preempt_async, preempt_cooperative,
 * preempt_ack_timeouts, netpoll_events, netpoll_stale,
 * netpoll_breaks, netpoll_breaks_lost, stacks_unguarded (task stacks
 * made without a guard region near vm.max_map_count), timers_armed,
 * timer_runners, timer_funcs. 0, or CBRIDGE_ERR_ARGUMENT for an unknown
 * name (value untouched). */
CBRIDGE_EXPORT int cbridge_stat(const char *name, uint64_t *value);
/* cbridge_current_m is the id of the calling thread's M, -1 if it has
 * none yet. */
CBRIDGE_EXPORT int64_t cbridge_current_m(void);

/* cbridge_wait_fd parks the calling task (or thread) until fd is ready
 * for mode (CBRIDGE_WAIT_READ or CBRIDGE_WAIT_WRITE) or timeout_ns passes
 * (< 0: no deadline). From a callback handler too, and from any thread:
 * the first call starts the runtime if nothing has. fd stays the
 * caller's; it is registered with the poller only while the call waits,
 * so one waiter per fd at a time: a second cbridge_wait_fd on the same fd
 * while one waits (in either mode), or a wait on an fd that a
 * cbridge::net::File owns, returns -EEXIST at once and the first waiter
 * is not disturbed. Returns 0 when ready; -ETIMEDOUT when the deadline
 * passed; -EIO for a read wait when the poller reports only an error
 * condition on fd (EPOLLERR alone: it cannot be polled); -EPERM for an fd
 * epoll does not take (a regular file); another -errno;
 * CBRIDGE_ERR_ARGUMENT for a bad mode; CBRIDGE_ERR_SHUTDOWN after the
 * runtime was shut down (one line on stderr per process; a thread waiting
 * then returns it too). */
#define CBRIDGE_WAIT_READ 1  /* wait until fd is readable */
#define CBRIDGE_WAIT_WRITE 2 /* wait until fd is writable */
CBRIDGE_EXPORT int cbridge_wait_fd(int fd, int mode, int64_t timeout_ns);

/* Preemption (see cbridge/preempt.hpp and the README, "Preemption"): a
 * task that holds its P for 10 ms is asked to stop. cbridge_checkpoint
 * yields the P if the calling task was asked (it resumes later, maybe on
 * another thread); otherwise it returns at once. Outside tasks it does
 * nothing. */
CBRIDGE_EXPORT void cbridge_checkpoint(void);
/* cbridge_preemptible runs fn(arg) as a region where the task may also be
 * stopped asynchronously, by a signal, at any instruction of the main
 * executable or of a module given to cbridge_allow_preemption_in (never in
 * libc or cbridge): fn must hold no OS lock across such code and use no
 * thread-local state. Regions nest. */
CBRIDGE_EXPORT void cbridge_preemptible(void (*fn)(void *), void *arg);
/* cbridge_allow_preemption_in lets preemptible regions be interrupted in
 * the code of the loaded module containing address. 0, or
 * CBRIDGE_ERR_ARGUMENT (with the reason in cbridge_last_error()) when no
 * module contains it, when it is libc, libstdc++, libgcc, the loader, a
 * sanitizer runtime or cbridge, or when 32 modules are registered. */
CBRIDGE_EXPORT int cbridge_allow_preemption_in(const void *address);

/* cbridge_last_error describes the last failed cbridge_* call of the
 * calling task (or thread, outside tasks); "" if there was none. The text
 * stays valid until the next failing call. */
CBRIDGE_EXPORT const char *cbridge_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* CBRIDGE_H */
