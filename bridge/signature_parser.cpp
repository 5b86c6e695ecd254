// SPDX-License-Identifier: MIT
// A recursive-descent parser of C prototypes without names. Grammar:
//
//   signature := type '(' params ')'
//   params    := 'void' | <empty> | type {',' type} [',' '...' {',' type}]
//   type      := {qualifier} base {qualifier} {'*' {qualifier}}
//   base      := specifier {specifier} | typedef-name
//              | 'struct' '{' type ';' {type ';'} '}'     (last ';' optional)
//
// Types after "..." are those of this call's variadic arguments; they must
// be what C's default argument promotions produce (no float, char, short
// or bool), since that is what a variadic callee reads.
#include <cctype>
#include <climits>
#include <map>
#include <string>

#include "bridge/ctype.hpp"
#include "bridge/signature_quote.hpp"
#include "cbridge/errors.hpp"

namespace cbridge::bridge {

namespace {

// Deeper struct nesting than this is refused rather than recursed into.
constexpr int kMaxDepth = 32;

const std::map<std::string, Kind>& typedefs() {
  // The fixed-width and pointer-width types are long on LP64 (x86-64 and
  // aarch64 Linux) and long long on LLP64 (64-bit Windows), whose long is
  // 32 bits: each is the C type of its width here.
  constexpr bool longIs64 = sizeof(long) == 8;
  constexpr bool longIsPointer = sizeof(long) == sizeof(void*);
  constexpr Kind s64 = longIs64 ? Kind::SLong : Kind::SLongLong;
  constexpr Kind u64 = longIs64 ? Kind::ULong : Kind::ULongLong;
  constexpr Kind sptr = longIsPointer ? Kind::SLong : Kind::SLongLong;
  constexpr Kind uptr = longIsPointer ? Kind::ULong : Kind::ULongLong;
  static const std::map<std::string, Kind> m = {
      {"int8_t", Kind::SChar},    {"uint8_t", Kind::UChar},  {"int16_t", Kind::SShort},
      {"uint16_t", Kind::UShort}, {"int32_t", Kind::SInt},   {"uint32_t", Kind::UInt},
      {"int64_t", s64},           {"uint64_t", u64},         {"size_t", uptr},
      {"ssize_t", sptr},          {"intptr_t", sptr},        {"uintptr_t", uptr},
      {"ptrdiff_t", sptr},        {"bool", Kind::Bool},      {"_Bool", Kind::Bool},
  };
  return m;
}

bool isSpecifier(const std::string& w) {
  return w == "void" || w == "char" || w == "short" || w == "int" || w == "long" ||
         w == "float" || w == "double" || w == "signed" || w == "unsigned";
}

bool isQualifier(const std::string& w) { return w == "const" || w == "volatile" || w == "restrict"; }

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  CSignature parse() {
    CSignature sig;
    sig.ret = type(0);
    expect('(');
    params(sig);
    expect(')');
    skipSpace();
    if (pos_ != s_.size()) fail("unexpected text after ')'");
    return sig;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw SignatureError(signatureQuote(s_, pos_) + ": " + what + " at column " +
                         std::to_string(pos_ + 1));
  }

  void skipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) pos_++;
  }

  bool peek(char c) {
    skipSpace();
    return pos_ < s_.size() && s_[pos_] == c;
  }

  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "'");
    pos_++;
  }

  bool peekEllipsis() {
    skipSpace();
    return s_.compare(pos_, 3, "...") == 0;
  }

  // word returns the identifier at pos_ without consuming it ("" if none).
  std::string word() {
    skipSpace();
    size_t e = pos_;
    while (e < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_')) e++;
    if (e == pos_ || std::isdigit(static_cast<unsigned char>(s_[pos_]))) return "";
    return s_.substr(pos_, e - pos_);
  }

  void params(CSignature& sig) {
    if (peek(')')) return;  // "int()": no parameters, as in C++ and C23
    size_t save = pos_;
    if (word() == "void") {
      pos_ += 4;
      if (peek(')')) return;  // "(void)"
      pos_ = save;
    }
    if (peekEllipsis()) fail("a variadic function needs a fixed parameter before '...'");
    for (;;) {
      size_t at = (skipSpace(), pos_);
      CType t = type(0);
      if (t.kind == Kind::Void) {
        pos_ = at;
        fail("'void' is a parameter type only as the whole list \"(void)\"");
      }
      sig.params.push_back(t);
      if (!peek(',')) return;
      pos_++;
      if (peekEllipsis()) {
        pos_ += 3;
        sig.variadic = true;
        while (peek(',')) {
          pos_++;
          size_t vat = (skipSpace(), pos_);
          CType v = type(0);
          checkPromoted(v, vat);
          sig.varargs.push_back(v);
        }
        return;
      }
    }
  }

  void checkPromoted(const CType& t, size_t at) {
    const char* bad = nullptr;
    switch (t.kind) {
      case Kind::Void: bad = "'void' is not an argument type"; break;
      case Kind::Float: bad = "a variadic argument of type float is passed as double: write double"; break;
      case Kind::SChar: case Kind::UChar: case Kind::SShort: case Kind::UShort: case Kind::Bool:
        bad = "a variadic argument narrower than int is passed as int: write int"; break;
      default: break;
    }
    if (bad != nullptr) {
      pos_ = at;
      fail(bad);
    }
  }

  CType type(int depth) {
    if (depth > kMaxDepth) fail("structs nested too deeply");
    skipQualifiers();
    size_t at = pos_;
    CType t;
    std::string w = word();
    if (w == "struct") {
      pos_ += w.size();
      t = structBody(depth);
    } else if (isSpecifier(w)) {
      t.kind = specifiers(at);
    } else if (!w.empty() && typedefs().count(w) != 0) {
      pos_ += w.size();
      t.kind = typedefs().at(w);
    } else if (!w.empty()) {
      fail("unknown type '" + clipWord(w) + "'");
    } else {
      fail("expected a type");
    }
    skipQualifiers();
    while (peek('*')) {
      pos_++;
      t = CType{Kind::Pointer, {}};
      skipQualifiers();
    }
    return t;
  }

  void skipQualifiers() {
    for (;;) {
      std::string w = word();
      if (!isQualifier(w)) return;
      pos_ += w.size();
    }
  }

  CType structBody(int depth) {
    if (!peek('{')) {
      std::string w = word();
      if (!w.empty()) fail("a named struct ('struct " + clipWord(w) + "') cannot be resolved: spell out its fields as struct {...}");
      fail("expected '{'");
    }
    pos_++;
    CType t{Kind::Struct, {}};
    while (!peek('}')) {
      size_t at = (skipSpace(), pos_);
      CType f = type(depth + 1);
      if (f.kind == Kind::Void) {
        pos_ = at;
        fail("a struct field cannot be void");
      }
      t.fields.push_back(f);
      if (peek(';')) {
        pos_++;
      } else if (!peek('}')) {
        fail("expected ';' or '}'");
      }
    }
    if (t.fields.empty()) fail("a struct needs at least one field");
    pos_++;
    return t;
  }

  // specifiers reads the specifier words of a base type ("unsigned long
  // long int", "long double", ...) and checks that they form one.
  Kind specifiers(size_t at) {
    int nsigned = 0, nunsigned = 0, nchar = 0, nshort = 0, nint = 0, nlong = 0, nfloat = 0,
        ndouble = 0, nvoid = 0;
    std::string text;
    for (;;) {
      std::string w = word();
      if (isQualifier(w)) {
        pos_ += w.size();
        continue;
      }
      if (!isSpecifier(w)) break;
      pos_ += w.size();
      text += (text.empty() ? "" : " ") + w;
      if (w == "signed") nsigned++;
      if (w == "unsigned") nunsigned++;
      if (w == "char") nchar++;
      if (w == "short") nshort++;
      if (w == "int") nint++;
      if (w == "long") nlong++;
      if (w == "float") nfloat++;
      if (w == "double") ndouble++;
      if (w == "void") nvoid++;
    }
    bool sign = nsigned + nunsigned > 0;
    bool uns = nunsigned > 0;
    int total = nsigned + nunsigned + nchar + nshort + nint + nlong + nfloat + ndouble + nvoid;
    auto invalid = [&]() -> Kind {
      pos_ = at;
      fail("invalid type '" + clipWord(text) + "'");
    };
    if (nsigned + nunsigned > 1 || nint > 1) return invalid();
    if (nvoid) return total == 1 ? Kind::Void : invalid();
    if (nfloat) return total == 1 ? Kind::Float : invalid();
    if (ndouble) {
      if (total == 1) return Kind::Double;
      if (total == 2 && nlong == 1) return Kind::LongDouble;
      return invalid();
    }
    if (nchar) {
      if (nchar > 1 || nshort || nint || nlong) return invalid();
      if (!sign) return CHAR_MIN < 0 ? Kind::SChar : Kind::UChar;
      return uns ? Kind::UChar : Kind::SChar;
    }
    if (nshort) {
      if (nshort > 1 || nlong) return invalid();
      return uns ? Kind::UShort : Kind::SShort;
    }
    if (nlong == 1) return uns ? Kind::ULong : Kind::SLong;
    if (nlong == 2) return uns ? Kind::ULongLong : Kind::SLongLong;
    if (nlong > 2) return invalid();
    return uns ? Kind::UInt : Kind::SInt;  // int, signed, unsigned
  }

  const std::string& s_;
  size_t pos_ = 0;
};

}  // namespace

CSignature parseSignature(const std::string& sig) { return Parser(sig).parse(); }

}  // namespace cbridge::bridge
