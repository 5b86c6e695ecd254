// SPDX-License-Identifier: MIT
// cbridge-call LIB SYMBOL SIGNATURE [ARG...]: calls one C function of a
// shared library from the command line and prints its result, the quickest
// way to try a signature before writing a binding. It uses the public API
// only: describe_signature for the types, Library and ForeignFunction for
// the call, so its errors are the library's. The runtime is never started:
// a ForeignFunction called from a plain thread is a plain libffi call.
//
// Conversions (documented in usage() below): arguments of integer types
// are read by strtoll/strtoull (base 0: 10, 0x.., 0..) and range-checked,
// floating ones by strtod/strtold, bool as true/false/1/0, pointers as C
// strings (the literal NULL is a null pointer). Results: integers in
// decimal, bool as 0/1, floating with %.15g, char* as a C string literal
// (NULL if null), other pointers as 0x..., void as nothing.
#include <cbridge/cbridge.h>
#include <cbridge/dynamic.hpp>
#include <cbridge/errors.hpp>
#include <cbridge/library.hpp>
#include <cbridge/signature.hpp>

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;
constexpr int kExitLibrary = 2;

void usage(FILE* out) {
  std::fputs(
      "usage: cbridge-call LIB SYMBOL SIGNATURE [ARG...]\n"
      "\n"
      "Calls the C function SYMBOL of the shared library LIB (a path, or a name\n"
      "dlopen finds: libm.so.6) as SIGNATURE says, with the ARGs, and prints\n"
      "its result on one line. SIGNATURE is a C prototype without names, as\n"
      "cbridge::ForeignFunction takes it: 'double(double)', 'int(const char*, ...,\n"
      "int)' (the types after ... are those of this call's variadic arguments).\n"
      "\n"
      "  cbridge-call libm.so.6 cos 'double(double)' 1.0     prints 0.54030230586814\n"
      "  cbridge-call libc.so.6 strlen 'size_t(const char*)' hello    prints 5\n"
      "\n"
      "Arguments: integers in decimal, 0x hex or 0 octal (range-checked for the\n"
      "type); floating numbers as strtod reads them; bool as true, false, 1 or 0;\n"
      "a pointer parameter gets the argument as a C string (NULL: a null\n"
      "pointer). Structs by value are not supported here.\n"
      "Result: integers in decimal, bool as 0 or 1, floating with %.15g, char*\n"
      "(const or not) as a C string literal (\"...\", or NULL), other pointers as\n"
      "0x..., void as nothing.\n"
      "\n"
      "Exit status: 0 the call was made; 1 usage: wrong number of arguments, an\n"
      "argument that does not parse as its type, a struct by value; 2 the\n"
      "library, the symbol or the signature: the library's message (dlerror's\n"
      "text; a bad signature with its column marked).\n"
      "  cbridge-call --help | -h      this text\n"
      "  cbridge-call --version        cbridge's version\n",
      out);
}

[[noreturn]] void die(int code, const std::string& msg) {
  std::fprintf(stderr, "cbridge-call: %s\n", msg.c_str());
  std::exit(code);
}

// signatureError prints the SignatureError's message and, under the
// signature, a caret at the column it names.
[[noreturn]] void signatureError(const std::string& sig, const cbridge::SignatureError& e) {
  std::string what = e.what();
  std::fprintf(stderr, "cbridge-call: %s\n", what.c_str());
  size_t at = what.rfind(" at column ");
  if (at != std::string::npos) {
    unsigned long col = std::strtoul(what.c_str() + at + 11, nullptr, 10);
    if (col >= 1 && col <= sig.size() + 1 && sig.find('\n') == std::string::npos)
      std::fprintf(stderr, "  %s\n  %*s^\n", sig.c_str(), int(col - 1), "");
  }
  std::exit(kExitLibrary);
}

// Arg holds one converted argument, sized and aligned for any scalar.
struct Arg {
  alignas(16) unsigned char bytes[16] = {};
};

template <typename T>
void store(Arg& a, T v) {
  static_assert(sizeof(T) <= sizeof(a.bytes));
  std::memcpy(a.bytes, &v, sizeof v);
}

Arg convert(size_t i, const cbridge::CTypeInfo& t, const char* s) {
  Arg a;
  auto bad = [&](const char* why) {
    die(kExitUsage, "argument " + std::to_string(i + 1) + " \"" + s + "\": " + why);
  };
  char* end = nullptr;
  errno = 0;
  switch (t.kind) {
    case cbridge::CTypeKind::Signed: {
      long long v = std::strtoll(s, &end, 0);
      if (end == s || *end != '\0') bad("not a number (the parameter is a signed integer)");
      int bits = int(t.size * CHAR_BIT);
      long long lo = bits >= 64 ? LLONG_MIN : -(1LL << (bits - 1));
      long long hi = bits >= 64 ? LLONG_MAX : (1LL << (bits - 1)) - 1;
      if (errno == ERANGE || v < lo || v > hi)
        bad(("out of range for a " + std::to_string(t.size) + "-byte signed integer").c_str());
      if (t.size == 1) store(a, static_cast<signed char>(v));
      else if (t.size == 2) store(a, static_cast<short>(v));
      else if (t.size == 4) store(a, static_cast<int>(v));
      else store(a, v);
      return a;
    }
    case cbridge::CTypeKind::Unsigned: {
      const char* p = s;
      while (*p == ' ' || *p == '\t') p++;
      if (*p == '-') bad("negative (the parameter is an unsigned integer)");
      unsigned long long v = std::strtoull(s, &end, 0);
      if (end == s || *end != '\0') bad("not a number (the parameter is an unsigned integer)");
      int bits = int(t.size * CHAR_BIT);
      if (errno == ERANGE || (bits < 64 && v > (1ULL << bits) - 1))
        bad(("out of range for a " + std::to_string(t.size) + "-byte unsigned integer").c_str());
      if (t.size == 1) store(a, static_cast<unsigned char>(v));
      else if (t.size == 2) store(a, static_cast<unsigned short>(v));
      else if (t.size == 4) store(a, static_cast<unsigned>(v));
      else store(a, v);
      return a;
    }
    case cbridge::CTypeKind::Bool: {
      std::string v = s;
      if (v == "true" || v == "1") store(a, true);
      else if (v == "false" || v == "0") store(a, false);
      else bad("not a bool (true, false, 1 or 0)");
      return a;
    }
    case cbridge::CTypeKind::Float: {
      if (t.size == sizeof(long double) && t.size != sizeof(double)) {
        long double v = std::strtold(s, &end);
        if (end == s || *end != '\0') bad("not a number (the parameter is floating)");
        store(a, v);
      } else {
        double v = std::strtod(s, &end);
        if (end == s || *end != '\0') bad("not a number (the parameter is floating)");
        if (t.size == sizeof(float)) store(a, static_cast<float>(v));
        else store(a, v);
      }
      return a;
    }
    case cbridge::CTypeKind::Pointer:
      store(a, std::strcmp(s, "NULL") == 0 ? static_cast<const char*>(nullptr) : s);
      return a;
    case cbridge::CTypeKind::Struct:
      bad("a struct by value cannot be given on the command line");
    case cbridge::CTypeKind::Void: break;
  }
  bad("has type void");
  return a;
}

// resultIsString says whether the result type, as written, is char*
// (qualifiers aside): such a result prints as a string.
bool resultIsString(const std::string& sig) {
  std::vector<std::string> toks;
  for (size_t i = 0; i < sig.size() && sig[i] != '('; i++) {
    char c = sig[i];
    if (c == '*') {
      toks.emplace_back("*");
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      size_t e = i;
      while (e < sig.size() && (std::isalnum(static_cast<unsigned char>(sig[e])) || sig[e] == '_')) e++;
      std::string w = sig.substr(i, e - i);
      if (w != "const" && w != "volatile" && w != "restrict") toks.push_back(w);
      i = e - 1;
    }
  }
  return toks.size() == 2 && toks[0] == "char" && toks[1] == "*";
}

void printQuoted(const char* s) {
  if (s == nullptr) {
    std::puts("NULL");
    return;
  }
  std::string out = "\"";
  for (const unsigned char* p = reinterpret_cast<const unsigned char*>(s); *p; p++) {
    switch (*p) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (*p < 0x20 || *p == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03o", *p);
          out += buf;
        } else {
          out += char(*p);
        }
    }
  }
  std::puts((out + "\"").c_str());
}

void printResult(const cbridge::CTypeInfo& t, const unsigned char* r, bool asString) {
  switch (t.kind) {
    case cbridge::CTypeKind::Void: return;
    case cbridge::CTypeKind::Signed: {
      long long v = 0;
      if (t.size == 1) { signed char x; std::memcpy(&x, r, 1); v = x; }
      else if (t.size == 2) { short x; std::memcpy(&x, r, 2); v = x; }
      else if (t.size == 4) { int x; std::memcpy(&x, r, 4); v = x; }
      else std::memcpy(&v, r, sizeof v);
      std::printf("%lld\n", v);
      return;
    }
    case cbridge::CTypeKind::Unsigned: {
      unsigned long long v = 0;
      if (t.size == 1) { unsigned char x; std::memcpy(&x, r, 1); v = x; }
      else if (t.size == 2) { unsigned short x; std::memcpy(&x, r, 2); v = x; }
      else if (t.size == 4) { unsigned x; std::memcpy(&x, r, 4); v = x; }
      else std::memcpy(&v, r, sizeof v);
      std::printf("%llu\n", v);
      return;
    }
    case cbridge::CTypeKind::Bool: {
      bool b;
      std::memcpy(&b, r, 1);
      std::printf("%d\n", b ? 1 : 0);
      return;
    }
    case cbridge::CTypeKind::Float: {
      if (t.size == sizeof(float)) { float x; std::memcpy(&x, r, sizeof x); std::printf("%.15g\n", double(x)); }
      else if (t.size == sizeof(double)) { double x; std::memcpy(&x, r, sizeof x); std::printf("%.15g\n", x); }
      else { long double x; std::memcpy(&x, r, sizeof x); std::printf("%.15Lg\n", x); }
      return;
    }
    case cbridge::CTypeKind::Pointer: {
      void* p;
      std::memcpy(&p, r, sizeof p);
      if (asString) printQuoted(static_cast<const char*>(p));
      else std::printf("0x%" PRIxPTR "\n", reinterpret_cast<uintptr_t>(p));
      return;
    }
    case cbridge::CTypeKind::Struct: return;  // refused before the call
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    usage(stdout);
    return kExitOk;
  }
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("cbridge-call %s\n", cbridge_version_string());
    return kExitOk;
  }
  if (argc < 4) {
    usage(stderr);
    return kExitUsage;
  }
  const std::string lib = argv[1], sym = argv[2], sig = argv[3];
  const int nargs = argc - 4;

  cbridge::SignatureInfo info;
  try {
    info = cbridge::describe_signature(sig);
  } catch (const cbridge::SignatureError& e) {
    signatureError(sig, e);
  }
  if (info.result.kind == cbridge::CTypeKind::Struct)
    die(kExitUsage, "a struct result cannot be printed: cbridge-call takes scalar and pointer results");
  if (size_t(nargs) != info.params.size()) {
    size_t n = info.params.size();
    die(kExitUsage, sym + " takes " + std::to_string(n) + (n == 1 ? " argument" : " arguments") +
                        " (" + sig + "), got " + std::to_string(nargs));
  }
  std::vector<Arg> args(info.params.size());
  std::vector<void*> argp(info.params.size());
  for (size_t i = 0; i < info.params.size(); i++) {
    args[i] = convert(i, info.params[i], argv[4 + i]);
    argp[i] = args[i].bytes;
  }

  try {
    cbridge::Library l(lib);
    cbridge::ForeignFunction fn = l.function(sym, sig);
    alignas(16) unsigned char ret[64] = {};
    fn.call(ret, argp.data());
    std::fflush(stdout);
    printResult(info.result, ret, resultIsString(sig));
    // The Library closes at return; the result was printed before.
  } catch (const cbridge::SignatureError& e) {
    signatureError(sig, e);
  } catch (const cbridge::LibraryError& e) {
    die(kExitLibrary, e.what());
  } catch (const std::invalid_argument& e) {  // a symbol whose value is null
    die(kExitLibrary, e.what());
  }
  return kExitOk;
}
