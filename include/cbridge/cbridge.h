/* SPDX-License-Identifier: MIT */
/* cbridge's C API: usable from C99 and C++. */
#ifndef CBRIDGE_H
#define CBRIDGE_H

#include <stddef.h>
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

/* Errors. Every function below that returns int follows one convention
 * (libuv's): 0 on success, else a negative code, with the reason in
 * cbridge_last_error(). A failure of the system (of an fd, dlopen, memory)
 * is the negated errno: -ETIMEDOUT, -EAGAIN, -EPERM, -ENOMEM, ... (errno
 * values lie below 4096). A failure of cbridge's own is one of the
 * CBRIDGE_ERR_* codes below, which lie in [CBRIDGE_ERR_LAST,
 * CBRIDGE_ERR_FIRST] = [-10999, -10001], far below every -errno, so the
 * two never collide; codes added later stay in that range.
 * cbridge_strerror() names any of them.
 *
 * A misuse a C host can check for (a NULL argument, the close of a closed
 * channel, the free of a channel or wait group with waiters, a wait group
 * counter below zero) is never fatal: the call returns the documented
 * code, and one line on stderr, once per process and kind of misuse,
 * names the call and the fix. */
enum cbridge_error {
  CBRIDGE_OK = 0,
  /* A NULL or out-of-range argument (fn, signature, args, a stat name, a
   * mode, a config field, an element size). */
  CBRIDGE_ERR_ARGUMENT = -10001,
  /* The signature does not parse, or libffi refused it. */
  CBRIDGE_ERR_SIGNATURE = -10002,
  /* The runtime was shut down (or the process is exiting, or is a fork()
   * child). */
  CBRIDGE_ERR_SHUTDOWN = -10003,
  /* The channel is closed: a send on it, a second close, or a receive
   * once it is closed and drained (Go's "v, ok := <-c" with ok false). */
  CBRIDGE_ERR_CLOSED = -10004,
  /* The object has waiters: the free of a channel or wait group that a
   * task or thread still waits on. Nothing was freed. Also: an execution
   * trace is already recording (cbridge_trace_start). */
  CBRIDGE_ERR_BUSY = -10005,
  /* A wait group's counter would go below zero (Go panics: "sync:
   * negative WaitGroup counter"). The counter is unchanged. */
  CBRIDGE_ERR_RANGE = -10006,
  /* dlopen, dlsym or dlclose failed; cbridge_last_error() has dlerror's
   * text. */
  CBRIDGE_ERR_LIBRARY = -10007,
  /* cbridge_init after the runtime started (by an earlier cbridge_init or
   * by first use) or was shut down. */
  CBRIDGE_ERR_RUNNING = -10008
};
/* CBRIDGE_ERR_FIRST and CBRIDGE_ERR_LAST bound the range kept for
 * cbridge's own codes, now and in later versions: FIRST >= code >= LAST. */
#define CBRIDGE_ERR_FIRST (-10001)
#define CBRIDGE_ERR_LAST (-10999)

/* cbridge_strerror describes code: a static text for CBRIDGE_OK and each
 * CBRIDGE_ERR_*, the C library's description for -errno ("Connection
 * timed out" for -ETIMEDOUT), and "unknown error N" otherwise. Never NULL;
 * the text is immutable and lives as long as the process, so any thread
 * may call it at any time and keep the result (no buffer is shared or
 * reused between calls). */
CBRIDGE_EXPORT const char *cbridge_strerror(int code);

/* cbridge_call calls the C function fn, whose signature is a C prototype
 * without names ("int(int, double, const char*)", "void(void)",
 * "double(struct {int; double})", "int(const char*, ..., int, double)": for
 * a variadic function the types after "..." are those of this call's
 * variadic arguments). args[i] points to the i-th argument; the result is
 * stored in *ret, a buffer of the C return type (NULL to drop it). From a
 * task the call runs as foreign code (syscall state, on the system stack);
 * errno after the call is what fn left. Each signature is parsed once and
 * cached: the CBRIDGE_SIGNATURE_CACHE_SIZE most recently used signatures
 * are kept for the whole process, and each thread keeps its last few in
 * front of that, compared by text (a buffer reused for another signature
 * is told apart), so a repeated call costs a lookup, not a parse; a
 * program cycling through more signatures parses again (some
 * microseconds) instead of growing. A call made many times is cheaper
 * still through cbridge_fn_new. Returns CBRIDGE_OK;
 * CBRIDGE_ERR_SIGNATURE for a signature that does not parse (the message
 * quotes at most 80 characters of it, around the error);
 * CBRIDGE_ERR_ARGUMENT for a NULL fn or signature, or NULL args with
 * arguments to pass. */
#define CBRIDGE_SIGNATURE_CACHE_SIZE 256 /* signatures cbridge_call keeps parsed */
CBRIDGE_EXPORT int cbridge_call(void *fn, const char *signature, void *ret, void **args);

/* Prepared calls: a function and its signature, parsed once, for calls
 * made many times (a plugin's entry points). A cbridge_fn is immutable:
 * any number of tasks and threads may call it at once. */
typedef struct cbridge_fn cbridge_fn;

/* cbridge_fn_new prepares calls of fn with signature (the syntax of
 * cbridge_call; variadic too: the types after "..." fix those of every
 * call). Returns NULL on error, with the reason in cbridge_last_error():
 * a NULL fn or signature, or a signature that does not parse (the column
 * is named). Free it with cbridge_fn_free. */
CBRIDGE_EXPORT cbridge_fn *cbridge_fn_new(void *fn, const char *signature);
/* cbridge_fn_call calls f's function with the arguments args[i] points
 * to, one per parameter (args may be NULL when there are none), and
 * stores the result in *ret, a buffer of the C return type (NULL to drop
 * it). As for cbridge_call, from a task it runs as foreign code and errno
 * is what the function left. Returns CBRIDGE_OK, or CBRIDGE_ERR_ARGUMENT
 * (nothing called) for a NULL f, or NULL args with arguments to pass. */
CBRIDGE_EXPORT int cbridge_fn_call(const cbridge_fn *f, void *ret, void **args);
/* cbridge_fn_free frees f; no call of it may be in flight. NULL is
 * ignored. */
CBRIDGE_EXPORT void cbridge_fn_free(cbridge_fn *f);

/* Libraries: dlopen, dlsym and dlclose, with dlerror's text in
 * cbridge_last_error() when they fail. */
typedef struct cbridge_lib cbridge_lib;

/* cbridge_lib_open loads the shared object at path (searched as dlopen
 * searches: LD_LIBRARY_PATH, the cache, /lib, /usr/lib), binding its
 * symbols now and keeping them local to it (RTLD_NOW | RTLD_LOCAL); a NULL
 * path opens the main program and what it loaded, as dlopen(NULL) does.
 * Returns NULL on failure, with "cannot load library "path": <dlerror>"
 * in cbridge_last_error(). Each open must be closed by cbridge_lib_close. */
CBRIDGE_EXPORT cbridge_lib *cbridge_lib_open(const char *path);
/* cbridge_lib_sym is the address of the symbol name in lib (and what lib
 * depends on), for cbridge_fn_new or cbridge_call. Returns NULL when there
 * is none, with dlerror's text in cbridge_last_error(), or when lib or
 * name is NULL (CBRIDGE_ERR_ARGUMENT's text). A symbol that exists with
 * the value NULL (a weak undefined one) also returns NULL: then
 * cbridge_last_error() is "". */
CBRIDGE_EXPORT void *cbridge_lib_sym(cbridge_lib *lib, const char *name);
/* cbridge_lib_close closes lib (the object is unloaded when nothing else
 * holds it: its functions, prepared or not, must not be called after
 * that) and frees lib in every case. Returns CBRIDGE_OK,
 * CBRIDGE_ERR_LIBRARY when dlclose fails (dlerror's text), or
 * CBRIDGE_ERR_ARGUMENT for a NULL lib. */
CBRIDGE_EXPORT int cbridge_lib_close(cbridge_lib *lib);

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
 * netpoll_breaks, netpoll_breaks_lost, netpoll_uring (1 when the
 * netpoller runs on io_uring, 0 on epoll), iobatch_uring (1 when the
 * socket calls of a P's tasks are batched into one io_uring_enter, 0 when
 * each is its own system call), iobatch_calls and iobatch_submits (the
 * calls so batched, and the system calls that made them),
 * stacks_unguarded (task stacks
 * made without a guard region near vm.max_map_count), timers_armed,
 * timer_runners, timer_funcs. 0, or CBRIDGE_ERR_ARGUMENT for an unknown
 * name (value untouched). */
CBRIDGE_EXPORT int cbridge_stat(const char *name, uint64_t *value);
/* cbridge_dump writes to fd what SIGQUIT prints (see the README, "When
 * something goes wrong"), without exiting: every task with its state,
 * what it waits for and since when, its stack and where it was created,
 * then every M. It is async-signal-safe, for a host whose own SIGQUIT
 * handler keeps cbridge from installing its own: it allocates nothing,
 * takes no lock and only writes to fd (errors of the write are ignored).
 * The other threads go on meanwhile, so it is a snapshot: a task that
 * moves while its stack is read says so. Returns 0, or
 * CBRIDGE_ERR_ARGUMENT for fd < 0 (cbridge_last_error() is not set: that
 * would allocate). */
CBRIDGE_EXPORT int cbridge_dump(int fd);
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

/* The execution trace (see cbridge/trace.hpp and the README, "Execution
 * trace"). cbridge_trace_start begins recording, into path (created or
 * truncated at once), what tasks, threads and the scheduler do, with
 * nanosecond times: a track per M and per task, runs, parks with their
 * reasons, wake-ups, foreign calls, callbacks with the calling C thread,
 * sysmon's retakes, netpoll waits, stack-bound refreshes and preemptions.
 * cbridge_trace_stop ends it and writes path as Chrome trace event JSON,
 * which Perfetto (ui.perfetto.dev) and chrome://tracing open; a trace
 * still recording at exit is written then. Env CBRIDGE_TRACE=path records
 * from the runtime's start. cbridge_trace_start returns CBRIDGE_OK;
 * -errno when path cannot be opened (-ENOENT, -EACCES, ...);
 * CBRIDGE_ERR_BUSY while a trace is recording; CBRIDGE_ERR_ARGUMENT for
 * a NULL path. cbridge_trace_stop returns CBRIDGE_OK, also when no trace
 * was recording, or -errno when the file could not be written (-ENOSPC,
 * ...). Any thread may call them. */
CBRIDGE_EXPORT int cbridge_trace_start(const char *path);
CBRIDGE_EXPORT int cbridge_trace_stop(void);

/* The runtime's life. Without cbridge_init the runtime starts with its
 * defaults on first use (a task, a channel, a callback, a call from a
 * task). */

/* The runtime's settings. The struct can grow without breaking the ABI:
 * size comes first and says how many bytes the program knows of (set by
 * cbridge_config_init to sizeof(cbridge_config) of the headers the
 * program was built with); fields are only ever added at the end. A
 * library newer than the program reads only the first size bytes and
 * gives the fields beyond them their defaults; a library older than the
 * program accepts the fields it does not know only if they are zero
 * (their default), as Linux's clone3 and openat2 do, and otherwise
 * refuses the config (CBRIDGE_ERR_ARGUMENT): the program asked for
 * something this library cannot do. Zero is every field's default. */
typedef struct cbridge_config {
  size_t size;               /* sizeof(cbridge_config): use cbridge_config_init */
  int32_t maxprocs;          /* Ps (GOMAXPROCS), [0, 1024]; 0: env CBRIDGE_MAXPROCS, else the CPU count */
  uint32_t debug;            /* CBRIDGE_DEBUG_* bits, added to those env CBRIDGE_DEBUG names */
  size_t stack_size;         /* default task stack in bytes (up to a size class: +1/4 at most); 0: 256 KiB */
  /* How long a foreign call may hold its P before sysmon hands the P to
   * another M, >= 0; 0: 20 us (Go's). */
  int64_t syscall_retake_ns;
  /* How long a task may hold its P before sysmon asks it to stop, 0 or in
   * [100000, 10000000000] (100 us to 10 s); 0: env CBRIDGE_FORCE_PREEMPT_NS,
   * else 10 ms (Go's forcePreemptNS). */
  int64_t force_preempt_ns;
} cbridge_config;

/* Debug reports (cbridge_config.debug), as env CBRIDGE_DEBUG=shutdown,...
 * turns them on: unfinished work at shutdown and exit; each free of a
 * callback with calls in flight; a deadlock (every task blocked). */
#define CBRIDGE_DEBUG_SHUTDOWN 0x1u
#define CBRIDGE_DEBUG_CALLBACKS 0x2u
#define CBRIDGE_DEBUG_DEADLOCK 0x4u

/* cbridge_config_init sets every field of *cfg to its default (zero) and
 * cfg->size to sizeof(cbridge_config). cfg must not be NULL. */
CBRIDGE_EXPORT void cbridge_config_init(cbridge_config *cfg);
/* cbridge_init starts the runtime with cfg (NULL: the defaults); call it
 * once, before any other use. Returns CBRIDGE_OK; CBRIDGE_ERR_ARGUMENT for
 * a field out of range or a size the library cannot take (see
 * cbridge_config), naming the field; CBRIDGE_ERR_RUNNING if the runtime
 * already started (by cbridge_init or by first use) or was shut down.
 * The runtime is not started on error. */
CBRIDGE_EXPORT int cbridge_init(const cbridge_config *cfg);
/* cbridge_run runs fn(arg) as a task and blocks the calling thread until
 * it returns, starting the runtime with its defaults if nothing has.
 * Called from a task it just calls fn(arg). Returns CBRIDGE_OK once fn
 * returned; CBRIDGE_ERR_ARGUMENT for a NULL fn and CBRIDGE_ERR_SHUTDOWN
 * after shutdown (fn did not run). */
CBRIDGE_EXPORT int cbridge_run(void (*fn)(void *), void *arg);
/* cbridge_shutdown stops the runtime (see cbridge/runtime.hpp,
 * shutdown()): new tasks and callbacks are refused, callbacks in flight
 * run to completion, idle threads exit, and tasks that never finished are
 * reported. It waits at most one second, only for threads whose task
 * holds a P. The runtime cannot start again. Returns CBRIDGE_OK (also when
 * the runtime never started: it never will), or CBRIDGE_ERR_SHUTDOWN if
 * it was shut down already (nothing is done). */
CBRIDGE_EXPORT int cbridge_shutdown(void);

/* Channels (Go's chan) of fixed-size elements, copied in and out by value
 * (memcpy). Usable from tasks, whose blocking operations park, and from
 * any thread, whose blocking operations block it: one channel connects
 * both. timeout_ns < 0 waits for as long as it takes, 0 only tries, > 0
 * waits at most that long. */
typedef struct cbridge_chan cbridge_chan;

/* cbridge_chan_new makes a channel of elements of elem_size bytes (0 is
 * allowed: a channel of signals) with room for capacity of them (0:
 * unbuffered, a send waits for a receiver). Returns NULL on error, with
 * the reason in cbridge_last_error(): elem_size over 65536 (Go's limit)
 * or a buffer that does not fit in memory. */
CBRIDGE_EXPORT cbridge_chan *cbridge_chan_new(size_t elem_size, size_t capacity);
/* cbridge_chan_send copies elem_size bytes from elem into ch, waiting
 * (see timeout_ns) until a receiver takes them or the buffer has room.
 * Returns CBRIDGE_OK; -EAGAIN when timeout_ns is 0 and the send would
 * wait; -ETIMEDOUT when timeout_ns passed; CBRIDGE_ERR_CLOSED when ch is
 * closed, or is closed while the send waits (nothing was sent);
 * CBRIDGE_ERR_ARGUMENT for a NULL ch, or a NULL elem with elem_size > 0. */
CBRIDGE_EXPORT int cbridge_chan_send(cbridge_chan *ch, const void *elem, int64_t timeout_ns);
/* cbridge_chan_recv receives one element into elem (elem_size bytes; NULL
 * drops it), waiting (see timeout_ns) until one is there. Values sent
 * before a close are still received after it. Returns CBRIDGE_OK;
 * CBRIDGE_ERR_CLOSED when ch is closed and drained (a receiver waiting
 * when ch is closed wakes with it); -EAGAIN when timeout_ns is 0 and
 * nothing is there; -ETIMEDOUT when timeout_ns passed; CBRIDGE_ERR_ARGUMENT
 * for a NULL ch. *elem is written only on CBRIDGE_OK. */
CBRIDGE_EXPORT int cbridge_chan_recv(cbridge_chan *ch, void *elem, int64_t timeout_ns);
/* cbridge_chan_close closes ch: no more sends; receivers drain what is
 * buffered and then get CBRIDGE_ERR_CLOSED; every waiting receiver and
 * sender wakes. Returns CBRIDGE_OK, CBRIDGE_ERR_CLOSED if ch was closed
 * already (Go panics), CBRIDGE_ERR_ARGUMENT for a NULL ch. */
CBRIDGE_EXPORT int cbridge_chan_close(cbridge_chan *ch);
/* cbridge_chan_len is the number of elements buffered in ch now (0 for a
 * NULL ch). */
CBRIDGE_EXPORT size_t cbridge_chan_len(const cbridge_chan *ch);
/* cbridge_chan_free frees ch and the elements still buffered. It must be
 * the last use of ch: no operation may be under way or start later.
 * Returns CBRIDGE_OK (also for NULL), or CBRIDGE_ERR_BUSY when a task or
 * thread still waits on ch: then nothing is freed (close it first, and
 * free it once the waiters are gone). */
CBRIDGE_EXPORT int cbridge_chan_free(cbridge_chan *ch);

/* Wait groups (Go's sync.WaitGroup): wait for a set of tasks or threads
 * to finish. Usable from tasks (wait parks) and from any thread (wait
 * blocks it). */
typedef struct cbridge_waitgroup cbridge_waitgroup;

/* cbridge_waitgroup_new makes a wait group with a counter of 0; NULL only
 * when memory runs out. */
CBRIDGE_EXPORT cbridge_waitgroup *cbridge_waitgroup_new(void);
/* cbridge_waitgroup_add adds delta (may be negative) to wg's counter; when
 * it reaches 0 every waiter is released. Returns CBRIDGE_OK;
 * CBRIDGE_ERR_RANGE if the counter would go below 0 (Go panics; here the
 * counter is left unchanged and the call fails, which C can check);
 * CBRIDGE_ERR_ARGUMENT for a NULL wg. */
CBRIDGE_EXPORT int cbridge_waitgroup_add(cbridge_waitgroup *wg, int64_t delta);
/* cbridge_waitgroup_done is cbridge_waitgroup_add(wg, -1). */
CBRIDGE_EXPORT int cbridge_waitgroup_done(cbridge_waitgroup *wg);
/* cbridge_waitgroup_wait waits until wg's counter is 0. Returns CBRIDGE_OK,
 * or CBRIDGE_ERR_ARGUMENT for a NULL wg. */
CBRIDGE_EXPORT int cbridge_waitgroup_wait(cbridge_waitgroup *wg);
/* cbridge_waitgroup_free frees wg; it must be the last use of it. Returns
 * CBRIDGE_OK (also for NULL), or CBRIDGE_ERR_BUSY when a task or thread
 * still waits on wg (nothing is freed). */
CBRIDGE_EXPORT int cbridge_waitgroup_free(cbridge_waitgroup *wg);

/* cbridge_last_error describes the last failed cbridge_* call of the
 * calling task (or thread, outside tasks); "" if there was none. The text
 * stays valid until the next failing call. */
CBRIDGE_EXPORT const char *cbridge_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* CBRIDGE_H */
