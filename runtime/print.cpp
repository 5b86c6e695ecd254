// SPDX-License-Identifier: MIT
#include "runtime/print.hpp"

#include <cerrno>
#include <cstring>

#include "runtime/os.hpp"

namespace cbridge::rt {

RawWriter& RawWriter::bytes(const char* s, size_t n) {
  while (n > 0) {
    if (n_ == sizeof buf_) flush();
    size_t k = sizeof buf_ - n_ < n ? sizeof buf_ - n_ : n;
    memcpy(buf_ + n_, s, k);
    n_ += k;
    s += k;
    n -= k;
  }
  return *this;
}

RawWriter& RawWriter::str(const char* s) { return bytes(s, strlen(s)); }

RawWriter& RawWriter::dec(int64_t v) {
  char tmp[24];
  size_t i = sizeof tmp;
  uint64_t u = v < 0 ? 0 - uint64_t(v) : uint64_t(v);
  do {
    tmp[--i] = char('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0) tmp[--i] = '-';
  return bytes(tmp + i, sizeof tmp - i);
}

RawWriter& RawWriter::hex(uint64_t v) {
  char tmp[18];
  size_t i = sizeof tmp;
  do {
    tmp[--i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v != 0);
  tmp[--i] = 'x';
  tmp[--i] = '0';
  return bytes(tmp + i, sizeof tmp - i);
}

RawWriter& RawWriter::ms(int64_t ns) { return dec(ns / 1000000).str(" ms"); }

void RawWriter::flush() {
  // errno is the interrupted code's: a handler must leave it as it was.
  int saved = errno;
  const char* p = buf_;
  while (n_ > 0) {
    ptrdiff_t w = write1(fd_, p, n_);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    p += w;
    n_ -= size_t(w);
  }
  n_ = 0;
  errno = saved;
}

}  // namespace cbridge::rt
