// SPDX-License-Identifier: MIT
// Faults, the same program on Linux (the SIGSEGV/SIGBUS/SIGFPE handler,
// signal_unix.cpp) and on Windows (the vectored exception handler,
// signal_windows.cpp, under Wine). Each fault runs in a child (this
// program again, with the fault's name), and the parent prints what came
// of it in words both systems share, so the outputs must be the same
// (scripts/test-windows):
//   - a null dereference and an integer division by zero in a task:
//     "fatal error: unexpected signal", exit status 2;
//   - a foreign call that recurses off the end of a runtime M's system
//     stack: "fatal error: stack overflow on the system stack", exit 2;
//   - a null dereference in foreign code: not the runtime's, so no report
//     of cbridge's, and the process ends as the OS ends it (SIGSEGV on
//     Linux, the unhandled exception 0xc0000005 on Windows).
#include <cbridge/call.hpp>
#include <cbridge/runtime.hpp>
#include <cbridge/task.hpp>
#include <cbridge/waitgroup.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

extern "C" {
// fault_test_foreign.c: C code, called as foreign code.
int fault_recurse(int n);
int fault_deref(int* p);
}

#if !defined(_WIN32)
#include <sys/wait.h>
#endif

namespace {

using namespace std::chrono_literals;

volatile int* volatile nullInt = nullptr;
volatile int zero = 0;

void inTask(void (*f)()) {
  cbridge::run([f] {
    cbridge::WaitGroup wg;
    wg.add(1);
    cbridge::go([&] {
      f();
      wg.done();
    });
    wg.wait();
    return 0;
  });
}

int child(const char* what) {
  if (std::strcmp(what, "nil") == 0) inTask([] { std::printf("%d\n", *nullInt); });
  if (std::strcmp(what, "div") == 0) inTask([] { std::printf("%d\n", 7 / zero); });
  if (std::strcmp(what, "g0overflow") == 0)
    inTask([] { std::printf("%d\n", cbridge::call(fault_recurse, 1)); });
  if (std::strcmp(what, "foreign") == 0) inTask([] { std::printf("%d\n", cbridge::call(fault_deref, nullptr)); });
  std::fflush(stdout);
  return 0;
}

struct Outcome {
  int status;  // the exit status, or -1: ended by a signal or an exception
  std::string err;
};

Outcome run(const char* self, const char* what) {
  std::string log = (std::filesystem::temp_directory_path() / "cbridge_fault_test_child.log").string();
  std::string cmd = std::string(self) + " " + what + " 2>" + log;
  int status = std::system(cmd.c_str());
#if defined(_WIN32)
  // An unhandled exception's code is the exit status: 0xc0000005.
  if (unsigned(status) >= 0xc0000000u) status = -1;
#else
  status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // /bin/sh reports a child killed by a signal as 128 + the signal.
  if (status > 128) status = -1;
#endif
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  // Wine may hold the file a moment after the child is gone.
  for (int i = 0; i < 100 && std::remove(log.c_str()) != 0; i++) std::this_thread::sleep_for(10ms);
  return {status, text};
}

void report(const char* self, const char* what, const char* label) {
  Outcome o = run(self, what);
  const char* said = o.err.find("fatal error: stack overflow on the system stack") != std::string::npos
                         ? "fatal error: stack overflow on the system stack"
                     : o.err.find("fatal error: unexpected signal") != std::string::npos
                         ? "fatal error: unexpected signal"
                     : o.err.find("fatal error") != std::string::npos ? "another fatal error"
                                                                      : "no report of cbridge's";
  if (o.status == -1)
    std::printf("%s: %s, ended by the OS\n", label, said);
  else
    std::printf("%s: %s, exit status %d\n", label, said, o.status);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) return child(argv[1]);
  report(argv[0], "nil", "null dereference in a task");
  report(argv[0], "div", "division by zero in a task");
  report(argv[0], "g0overflow", "foreign call off the end of the system stack");
  report(argv[0], "foreign", "null dereference in foreign code");
  std::printf("done\n");
  return 0;
}
