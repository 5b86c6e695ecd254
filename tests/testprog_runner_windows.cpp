// SPDX-License-Identifier: MIT
// runTestprog on Windows: CreateProcessA with the child's stdout and
// stderr on two inherited anonymous pipes, each drained by a thread of its
// own (anonymous pipes cannot be waited on together, as poll waits on
// Linux's), TerminateProcess at the timeout.
#include <windows.h>

#include <cctype>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/testprog_runner.hpp"

namespace {

// sameName: whether two NAME=value entries name the same variable. Windows'
// names are case-insensitive (Path and PATH are one variable).
bool sameName(const std::string& a, const std::string& b) {
  size_t na = a.find('=', 1), nb = b.find('=', 1);  // "=C:=C:\\" names "=C:"
  if (na != nb) return false;
  for (size_t i = 0; i < na && i < a.size(); i++)
    if (std::toupper((unsigned char)a[i]) != std::toupper((unsigned char)b[i])) return false;
  return true;
}

// environmentBlock is the inherited environment with env's entries
// replacing the same-named ones, in CreateProcessA's form: each entry
// NUL-terminated, the block ended by one more NUL.
std::string environmentBlock(const std::vector<std::string>& env) {
  std::string block;
  char* inherited = GetEnvironmentStringsA();
  for (const char* e = inherited; *e != '\0'; e += strlen(e) + 1) {
    std::string entry = e;
    bool overridden = false;
    for (const auto& o : env) overridden = overridden || sameName(entry, o);
    if (!overridden) block.append(entry).push_back('\0');
  }
  FreeEnvironmentStringsA(inherited);
  for (const auto& e : env) block.append(e).push_back('\0');
  block.push_back('\0');
  return block;
}

// drain reads a pipe until its write end is closed in every process (the
// child has exited or been terminated).
void drain(HANDLE h, std::string* into) {
  char buf[4096];
  DWORD n;
  while (ReadFile(h, buf, sizeof buf, &n, nullptr) && n > 0) into->append(buf, n);
  CloseHandle(h);
}

// textMode turns CRLF into LF, as reading the stream in text mode would:
// the child's C runtime writes "\n" as "\r\n", and the tests compare
// Linux's text.
std::string textMode(const std::string& s) {
  std::string t;
  for (size_t i = 0; i < s.size(); i++)
    if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) t.push_back(s[i]);
  return t;
}

}  // namespace

ChildResult runTestprog(const std::string& scenario, const std::vector<std::string>& env,
                        int timeoutMs) {
  // The child's ends are inheritable, ours are not: a read end inherited
  // by the child would keep its pipe open after the child's write end.
  SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
  HANDLE outRead, outWrite, errRead, errWrite;
  if (!CreatePipe(&outRead, &outWrite, &inherit, 0) || !CreatePipe(&errRead, &errWrite, &inherit, 0))
    throw std::runtime_error("CreatePipe failed");
  SetHandleInformation(outRead, HANDLE_FLAG_INHERIT, 0);
  SetHandleInformation(errRead, HANDLE_FLAG_INHERIT, 0);
  // No scenario reads stdin; NUL keeps it from reading the test's.
  HANDLE nul = CreateFileA("NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                           OPEN_EXISTING, 0, nullptr);
  STARTUPINFOA si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = nul;
  si.hStdOutput = outWrite;
  si.hStdError = errWrite;
  std::string path = TESTPROG_PATH;
  std::string cmdline = "\"" + path + "\" " + scenario;
  std::string block = environmentBlock(env);
  // The child inherits the error mode: an unhandled exception ends it
  // with its code, as on a machine without a debugger, rather than
  // starting one (Wine's winedbg, whose report goes to the child's
  // stdout) or Windows' error reporting.
  SetErrorMode(GetErrorMode() | SEM_NOGPFAULTERRORBOX);
  PROCESS_INFORMATION pi;
  BOOL ok = CreateProcessA(path.c_str(), cmdline.data(), nullptr, nullptr, TRUE, 0, block.data(),
                           nullptr, &si, &pi);
  // Only the child holds the write ends now, so the pipes end with it.
  CloseHandle(outWrite);
  CloseHandle(errWrite);
  if (nul != INVALID_HANDLE_VALUE) CloseHandle(nul);
  if (!ok) {
    CloseHandle(outRead);
    CloseHandle(errRead);
    throw std::runtime_error("cannot start " + path + ": error " + std::to_string(GetLastError()));
  }
  CloseHandle(pi.hThread);
  ChildResult r;
  std::thread outReader(drain, outRead, &r.out);
  std::thread errReader(drain, errRead, &r.err);
  DWORD wait = timeoutMs >= 0 ? DWORD(timeoutMs) : INFINITE;
  if (WaitForSingleObject(pi.hProcess, wait) == WAIT_TIMEOUT) {
    TerminateProcess(pi.hProcess, 1);  // its pipes close when it is gone
    WaitForSingleObject(pi.hProcess, INFINITE);
    r.timedOut = true;
  }
  outReader.join();
  errReader.join();
  DWORD code;
  if (!r.timedOut && GetExitCodeProcess(pi.hProcess, &code)) r.exitCode = int(code);
  CloseHandle(pi.hProcess);
  r.out = textMode(r.out);
  r.err = textMode(r.err);
  return r;
}
