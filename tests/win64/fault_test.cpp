// SPDX-License-Identifier: MIT
// Faults, the same program on Linux (the SIGSEGV/SIGBUS/SIGFPE handler,
// signal_unix.cpp) and on Windows (the vectored exception handler,
// signal_windows.cpp, under Wine). Each fault runs in a child (this
// program again, with the fault's name), and the parent prints what came
// of it in words both systems share, so the outputs must be the same
// (scripts/test-windows):
//   - a null dereference and an integer division by zero in a task:
//     "fatal error: unexpected signal", exit status 2;
//   - a task that recurses off the end of its own stack, on a runtime M
//     and as a callback's handler on a thread the runtime never made:
//     "fatal error: stack overflow in task", exit 2 (on Windows raised
//     from the stack's PAGE_GUARD pages, os_windows.cpp's sysStackGuard:
//     at the first on the runtime M, whose stack guarantee is as big as
//     the guard, and after growing into it on the other thread, whose
//     guarantee is Windows' default);
//   - a foreign call that recurses off the end of a runtime M's system
//     stack: "fatal error: stack overflow on the system stack", exit 2;
//   - a null dereference in foreign code: not the runtime's, so no report
//     of cbridge's, and the process ends as the OS ends it (SIGSEGV on
//     Linux, the unhandled exception 0xc0000005 on Windows);
//   - the same with the host's crash reporter installed, called from a
//     task on a runtime M, from a callback's task on a thread of the
//     host and from a callback nested in a foreign call: the reporter
//     sees the fault (on Linux the SIGSEGV handler
//     cbridge found installed, to which it passes on faults not its own;
//     on Windows the process's unhandled-exception filter, which the
//     search for handlers reaches through the frames g0 stopped in,
//     asmcgocall_amd64_win64.S);
//   - a C++ exception thrown out of a foreign call, which the task that
//     made it would catch: "fatal error: C++ exception thrown out of a
//     foreign call", exit 2 (unwound into the task, the call would never
//     have ended).
// A child that does not end within kChildLimitSeconds is killed and
// reported as timed out, so a fault the handler fails to report (a thread
// ended by the OS, the process left waiting on its others) fails the
// comparison instead of hanging the run.
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
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
#include <stdexcept>
#include <string>
#include <thread>

extern "C" {
// fault_test_foreign.c: C code, called as foreign code.
int fault_recurse(int n);
int fault_deref(int* p);
int fault_call_back(int (*cb)(int*), int* p);
}

#if defined(_WIN32)
#include <windows.h>
#else
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace {

using namespace std::chrono_literals;

volatile int* volatile nullInt = nullptr;
volatile int zero = 0;

// Far beyond any stack, and volatile: the compiler sees no endless
// recursion; the volatile frame keeps each call's 512 bytes real.
volatile int recurseLimit = 1 << 30;
int recurse(int depth) {
  volatile char frame[512];
  frame[0] = char(depth);
  if (depth >= recurseLimit) return frame[0];
  return recurse(depth + 1) + frame[0];
}

// How long a child may take: generous, since a child under Wine starts
// in about a second when the machine is busy; it bounds a hang, it
// times nothing.
constexpr int kChildLimitSeconds = 60;

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

// Foreign code in C++ that throws, as a library may (cbridge::call's fn
// must not).
__attribute__((noinline)) int fault_throw(int n) {
  if (n > 0) throw std::runtime_error("thrown in foreign code");
  return n;
}

constexpr char kThrowSaid[] = "fatal error: C++ exception thrown out of a foreign call";

// The host's crash reporter: it says so on stderr and ends the process
// with status 3, as a reporter ends it once its report is written.
constexpr char kReporterSaid[] = "host's crash reporter: called";
#if defined(_WIN32)
LONG WINAPI reporter(EXCEPTION_POINTERS*) {
  DWORD n = 0;
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), kReporterSaid, sizeof kReporterSaid - 1, &n, nullptr);
  TerminateProcess(GetCurrentProcess(), 3);
  return EXCEPTION_CONTINUE_SEARCH;
}
void installReporter() { SetUnhandledExceptionFilter(reporter); }
#else
void reporter(int) {
  if (write(2, kReporterSaid, sizeof kReporterSaid - 1) < 0) _exit(4);
  _exit(3);
}
// Before the runtime starts, as a host installs it: cbridge keeps the
// handler it finds and passes it the faults that are not its own.
void installReporter() {
  struct sigaction sa {};
  sa.sa_handler = reporter;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, nullptr);
}
#endif

int child(const char* what) {
  if (std::strcmp(what, "nil") == 0) inTask([] { std::printf("%d\n", *nullInt); });
  if (std::strcmp(what, "div") == 0) inTask([] { std::printf("%d\n", 7 / zero); });
  if (std::strcmp(what, "taskoverflow") == 0) inTask([] { std::printf("%d\n", recurse(0)); });
  if (std::strcmp(what, "cboverflow") == 0)
    cbridge::run([] {
      cbridge::Callback<int(int)> cb([](int n) { return recurse(n); });
      std::thread t([&] { std::printf("%d\n", cb.fn()(0)); });
      t.join();
      return 0;
    });
  if (std::strcmp(what, "g0overflow") == 0)
    inTask([] { std::printf("%d\n", cbridge::call(fault_recurse, 1)); });
  if (std::strcmp(what, "foreign") == 0) inTask([] { std::printf("%d\n", cbridge::call(fault_deref, nullptr)); });
  if (std::strcmp(what, "foreignthrow") == 0)
    inTask([] {
      try {
        std::printf("%d\n", cbridge::call(fault_throw, 1));
      } catch (const std::exception& e) {
        std::printf("caught in the task: %s\n", e.what());
      }
    });
  if (std::strcmp(what, "foreignreporter") == 0) {
    installReporter();
    inTask([] { std::printf("%d\n", cbridge::call(fault_deref, nullptr)); });
  }
  if (std::strcmp(what, "nestedforeignreporter") == 0) {
    installReporter();
    cbridge::run([] {
      // Parked first: the foreign call then goes below the context the
      // callback's task parked to, not a fresh one.
      cbridge::Callback<int(int*)> cb([](int* p) {
        cbridge::sleep_for(std::chrono::milliseconds(1));
        return cbridge::call(fault_deref, p);
      });
      std::printf("%d\n", cbridge::call(fault_call_back, cb.fn(), static_cast<int*>(nullptr)));
      return 0;
    });
  }
  if (std::strcmp(what, "cbforeignreporter") == 0) {
    installReporter();
    cbridge::run([] {
      cbridge::Callback<int(int*)> cb([](int* p) { return cbridge::call(fault_deref, p); });
      std::thread t([&] { std::printf("%d\n", cb.fn()(nullptr)); });
      t.join();
      return 0;
    });
  }
  std::fflush(stdout);
  return 0;
}

struct Outcome {
  int status;  // the exit status; -1: ended by a signal or an exception; -2: timed out
  std::string err;
};

// spawn runs "self what" with stderr to log and waits for it, at most
// kChildLimitSeconds; then it kills it. Returns its Outcome's status.
#if defined(_WIN32)
int spawn(const char* self, const char* what, const std::string& log) {
  SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
  HANDLE err = CreateFileA(log.c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                           CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (err == INVALID_HANDLE_VALUE) {
    std::printf("cannot create %s\n", log.c_str());
    std::exit(1);
  }
  STARTUPINFOA si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = err;
  std::string cmd = std::string("\"") + self + "\" " + what;
  // The child inherits the error mode: an unhandled exception ends it
  // with its code, as on a machine without a debugger, rather than
  // starting one (Wine's winedbg, whose report goes to the child's
  // stdout) or Windows' error reporting.
  SetErrorMode(GetErrorMode() | SEM_NOGPFAULTERRORBOX);
  PROCESS_INFORMATION pi{};
  if (!CreateProcessA(nullptr, cmd.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &pi)) {
    std::printf("cannot start %s\n", cmd.c_str());
    std::exit(1);
  }
  CloseHandle(err);
  CloseHandle(pi.hThread);
  int status;
  if (WaitForSingleObject(pi.hProcess, kChildLimitSeconds * 1000) != WAIT_OBJECT_0) {
    TerminateProcess(pi.hProcess, 1);
    WaitForSingleObject(pi.hProcess, INFINITE);
    status = -2;
  } else {
    DWORD code = 0;
    GetExitCodeProcess(pi.hProcess, &code);
    // An unhandled exception's code is the exit status: 0xc0000005.
    status = code >= 0xc0000000u ? -1 : int(code);
  }
  CloseHandle(pi.hProcess);
  return status;
}
#else
int spawn(const char* self, const char* what, const std::string& log) {
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, 2) < 0) _exit(127);
    execl(self, self, what, static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  for (int i = 0; i < kChildLimitSeconds * 100; i++) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(10ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -2;
}
#endif

Outcome run(const char* self, const char* what) {
  std::string log = (std::filesystem::temp_directory_path() / "cbridge_fault_test_child.log").string();
  int status = spawn(self, what, log);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  // Wine may hold the file a moment after the child is gone.
  for (int i = 0; i < 100 && std::remove(log.c_str()) != 0; i++) std::this_thread::sleep_for(10ms);
  return {status, text};
}

void report(const char* self, const char* what, const char* label) {
  Outcome o = run(self, what);
  const char* said = o.err.find(kReporterSaid) != std::string::npos ? kReporterSaid
                     : o.err.find(kThrowSaid) != std::string::npos ? kThrowSaid
                     : o.err.find("fatal error: stack overflow on the system stack") != std::string::npos
                         ? "fatal error: stack overflow on the system stack"
                     : o.err.find("fatal error: stack overflow in task") != std::string::npos
                         ? "fatal error: stack overflow in task"
                     : o.err.find("fatal error: unexpected signal") != std::string::npos
                         ? "fatal error: unexpected signal"
                     : o.err.find("fatal error") != std::string::npos ? "another fatal error"
                                                                      : "no report of cbridge's";
  if (o.status == -2)
    std::printf("%s: %s, timed out after %d s\n", label, said, kChildLimitSeconds);
  else if (o.status == -1)
    std::printf("%s: %s, ended by the OS\n", label, said);
  else
    std::printf("%s: %s, exit status %d\n", label, said, o.status);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) return child(argv[1]);
  report(argv[0], "nil", "null dereference in a task");
  report(argv[0], "div", "division by zero in a task");
  report(argv[0], "taskoverflow", "task off the end of its own stack");
  report(argv[0], "cboverflow", "callback's task off the end of its own stack");
  report(argv[0], "g0overflow", "foreign call off the end of the system stack");
  report(argv[0], "foreign", "null dereference in foreign code");
  report(argv[0], "foreignthrow", "C++ exception thrown out of foreign code");
  report(argv[0], "foreignreporter", "null dereference in foreign code, the host's crash reporter installed");
  report(argv[0], "cbforeignreporter", "the same in a callback's task on a thread of the host");
  report(argv[0], "nestedforeignreporter", "the same in a callback nested in a task's foreign call, after a park");
  std::printf("done\n");
  return 0;
}
