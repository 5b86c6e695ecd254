// SPDX-License-Identifier: MIT
// cbridge_strerror: the text of every result code of cbridge.h (libuv's
// uv_strerror). Every text it returns is immutable and never freed, so
// any thread may call it at any time and keep the result: cbridge's own
// codes and 0 have static texts, -errno has the C library's static
// description (strerrordesc_np, not strerror, whose buffer may be shared),
// and any other code a text made once and kept (interned) in a bounded
// table, past whose bound it gets a plain "unknown error".
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#include "cbridge/cbridge.h"

namespace {

const char* ownText(int code) {
  switch (code) {
    case CBRIDGE_OK: return "success";
    case CBRIDGE_ERR_ARGUMENT: return "invalid argument to a cbridge function";
    case CBRIDGE_ERR_SIGNATURE: return "bad C signature";
    case CBRIDGE_ERR_SHUTDOWN: return "the cbridge runtime was shut down";
    case CBRIDGE_ERR_CLOSED: return "channel closed";
    case CBRIDGE_ERR_BUSY: return "the object has waiters";
    case CBRIDGE_ERR_RANGE: return "wait group counter would go negative";
    case CBRIDGE_ERR_LIBRARY: return "dynamic library error";
    case CBRIDGE_ERR_RUNNING: return "the cbridge runtime already started";
    default: return nullptr;
  }
}

// Interned texts of unknown codes: under lock, at most kMaxUnknown, never
// erased (callers keep the pointers), so the table bounds the memory a
// program printing garbage codes can make us hold.
constexpr size_t kMaxUnknown = 256;
std::mutex unknownLock;
std::map<int, std::string>* unknownTexts = new std::map<int, std::string>;  // never freed

// intern keeps text as code's (text null: "unknown error <code>").
const char* intern(int code, const char* text) {
  std::lock_guard<std::mutex> g(unknownLock);
  auto it = unknownTexts->find(code);
  if (it != unknownTexts->end()) return it->second.c_str();
  if (unknownTexts->size() >= kMaxUnknown) return "unknown error";
  char buf[32];
  if (text == nullptr) {
    std::snprintf(buf, sizeof buf, "unknown error %d", code);
    text = buf;
  }
  return unknownTexts->emplace(code, text).first->second.c_str();
}

}  // namespace

extern "C" const char* cbridge_strerror(int code) {
  if (const char* t = ownText(code)) return t;
  if (code < 0 && code > -4096) {
#if defined(_WIN32)
    // The C runtime has no strerrordesc_np: strerror's text, interned,
    // since its buffer is the thread's and the next call rewrites it.
    return intern(code, std::strerror(-code));
#else
    if (const char* t = strerrordesc_np(-code)) return t;
#endif
  }
  return intern(code, nullptr);
}
