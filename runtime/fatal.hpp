// Fatal runtime errors: print "fatal error: ..." and exit 2, as Go does.
#pragma once

namespace cbridge::rt {

// fatal prints "fatal error: <message>" followed by the current task and M
// to stderr and exits the process with status 2. It allocates nothing and
// takes no lock, so it is safe from a signal handler and with any runtime
// lock held.
[[noreturn]] void fatal(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// usererror prints one line "cbridge: <message>" to stderr: the report of a
// misuse that has a documented, non-fatal result.
void usererror(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace cbridge::rt
