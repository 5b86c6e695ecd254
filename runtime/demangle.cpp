// SPDX-License-Identifier: MIT
#include "runtime/demangle.hpp"

#include <cstring>

namespace cbridge::rt {

namespace {

// The parser: a cursor over the symbol and the output buffer. Every step
// returns false on what it does not understand.
struct Demangler {
  const char* p;
  char* out;
  size_t size;
  size_t n = 0;
  // The last source name of the current nested name: what a constructor
  // or destructor is called.
  const char* last = nullptr;
  size_t lastLen = 0;

  bool put(const char* s, size_t len) {
    if (n + len + 1 > size) return false;
    memcpy(out + n, s, len);
    n += len;
    out[n] = '\0';
    return true;
  }
  bool put(const char* s) { return put(s, strlen(s)); }

  bool number(size_t* v) {
    if (*p < '0' || *p > '9') return false;
    size_t x = 0;
    while (*p >= '0' && *p <= '9') x = x * 10 + size_t(*p++ - '0');
    *v = x;
    return true;
  }

  // <source-name> ::= <length> <identifier>
  bool sourceName() {
    size_t len;
    if (!number(&len) || strnlen(p, len) < len) return false;
    bool anon = len >= 10 && strncmp(p, "_GLOBAL__N", 10) == 0;
    if (!(anon ? put("(anonymous namespace)") : put(p, len))) return false;
    last = p;
    lastLen = len;
    p += len;
    return true;
  }

  // skipTo skips types, template arguments and expressions up to the 'E'
  // that closes the construct begun before it (and that 'E' too), by
  // their nesting, reading source names by their length so that the
  // letters in identifiers are not taken for structure.
  bool skipToEnd() {
    int depth = 1;
    while (*p != '\0') {
      char c = *p;
      if (c >= '0' && c <= '9') {
        size_t len;
        if (!number(&len) || strnlen(p, len) < len) return false;
        p += len;
        continue;
      }
      p++;
      if (c == 'E') {
        if (--depth == 0) return true;
      } else if (c == 'N' || c == 'I' || c == 'J' || c == 'Z' || c == 'L' || c == 'F' ||
                 c == 'X') {
        depth++;
      } else if ((c == 'U' && *p == 'l') || (c == 'D' && (*p == 'T' || *p == 't'))) {
        p++;
        depth++;
      }
    }
    return false;
  }

  bool skipTemplateArgs() { return put("<...>") && skipToEnd(); }

  bool operatorName() {
    static const char* const ops[][2] = {
        {"cl", "()"}, {"ix", "[]"}, {"eq", "=="}, {"ne", "!="}, {"lt", "<"}, {"gt", ">"},
        {"le", "<="}, {"ge", ">="}, {"aS", "="},  {"pl", "+"},  {"mi", "-"}, {"ml", "*"},
        {"dv", "/"},  {"nw", " new"}, {"dl", " delete"}, {"ls", "<<"}, {"rs", ">>"},
        {"pp", "++"}, {"mm", "--"}, {"nt", "!"}, {"ad", "&"},  {"de", "*"},  {"pt", "->"},
        {"ss", "<=>"}, {"cv", " (conversion)"}};
    for (const auto& op : ops)
      if (p[0] == op[0][0] && p[1] == op[0][1]) {
        p += 2;
        return put("operator") && put(op[1]);
      }
    return false;
  }

  // One component of a nested name.
  bool component() {
    char c = *p;
    if (c >= '0' && c <= '9') return sourceName();
    if (c == 'C' && p[1] >= '1' && p[1] <= '5') {  // constructor
      p += 2;
      return last != nullptr && put(last, lastLen);
    }
    if (c == 'D' && p[1] >= '0' && p[1] <= '5') {  // destructor
      p += 2;
      return last != nullptr && put("~") && put(last, lastLen);
    }
    if (c == 'U' && p[1] == 'l') {  // a lambda: Ul <parameters> E [n] _
      p += 2;
      if (!skipToEnd()) return false;
      while (*p >= '0' && *p <= '9') p++;
      if (*p++ != '_') return false;
      return put("{lambda}");
    }
    if (c == 'U' && p[1] == 't') {  // an unnamed type: Ut [n] _
      p += 2;
      while (*p >= '0' && *p <= '9') p++;
      if (*p++ != '_') return false;
      return put("{unnamed type}");
    }
    if (c == 'S' && p[1] == 't') {
      p += 2;
      return put("std");
    }
    if (c >= 'a' && c <= 'z') return operatorName();
    return false;
  }

  // <nested-name> ::= N [<CV-qualifiers>] [<ref-qualifier>] <prefix> E
  bool nestedName() {
    while (*p == 'K' || *p == 'V' || *p == 'r' || *p == 'R' || *p == 'O') p++;
    bool first = true;
    while (*p != 'E') {
      if (*p == '\0') return false;
      if (*p == 'I') {
        p++;
        if (!skipTemplateArgs()) return false;
        continue;
      }
      if (*p == 'B') return false;  // ABI tags: leave them to c++filt
      if (!first && !put("::")) return false;
      if (!component()) return false;
      first = false;
    }
    p++;
    return true;
  }

  // <name>, then the function's parameters, which are skipped.
  bool name() {
    if (*p == 'N') {
      p++;
      return nestedName();
    }
    if (*p == 'Z') {  // a local name: Z <function encoding> E <entity>
      p++;
      if (!name()) return false;
      // The enclosing function's parameters, up to its E.
      if (!put("()") || !skipToEnd()) return false;
      if (*p == 's') return put("::{string literal}");
      if (!put("::")) return false;
      if (!name()) return false;
      while (*p == '_') p++;  // a discriminator
      return true;
    }
    if (*p == 'S' && p[1] == 't') {
      p += 2;
      if (!put("std::")) return false;
    }
    if (!component()) return false;
    if (*p == 'I') {
      p++;
      return skipTemplateArgs();
    }
    return true;
  }
};

}  // namespace

bool demangle(const char* mangled, char* out, size_t size) {
  if (size == 0 || strncmp(mangled, "_Z", 2) != 0) return false;
  Demangler d{mangled + 2, out, size};
  out[0] = '\0';
  if (*d.p == 'L') d.p++;  // internal linkage
  return d.name();
}

void printFuncName(RawWriter& w, const char* sym) {
  char name[512];
  w.str(demangle(sym, name, sizeof name) ? name : sym).str("(...)");
}

}  // namespace cbridge::rt
