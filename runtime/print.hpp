// SPDX-License-Identifier: MIT
// RawWriter: the runtime's printing for crash reports (Go's print.go).
//
// A task dump or a fatal error is printed from a signal handler, or with
// any lock of the runtime held, or while another thread is stopped inside
// malloc: so formatting allocates nothing, takes no lock and calls no stdio,
// only write(2) on a fixed buffer on the caller's stack.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cbridge::rt {

class RawWriter {
 public:
  explicit RawWriter(int fd) : fd_(fd) {}
  ~RawWriter() { flush(); }
  RawWriter(const RawWriter&) = delete;
  RawWriter& operator=(const RawWriter&) = delete;

  RawWriter& str(const char* s);
  RawWriter& bytes(const char* s, size_t n);
  RawWriter& dec(int64_t v);
  RawWriter& hex(uint64_t v);  // 0x...
  // ms prints a duration in nanoseconds as whole milliseconds ("12 ms").
  RawWriter& ms(int64_t ns);
  void flush();

 private:
  int fd_;
  size_t n_ = 0;
  char buf_[512];
};

}  // namespace cbridge::rt
