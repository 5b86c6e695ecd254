// SPDX-License-Identifier: MIT
// The signature parser's errors, table-driven: each bad signature is
// refused with the column and what was expected there; none crashes.
#include <gtest/gtest.h>

#include <cbridge/dynamic.hpp>
#include <cbridge/errors.hpp>

#include <string>

namespace {

struct BadCase {
  const char* sig;
  const char* error;  // what follows `signature "<sig>": `
};

const BadCase kBad[] = {
    {"int(int,, double)", "expected a type at column 9"},
    {"", "expected a type at column 1"},
    {"int", "expected '(' at column 4"},
    {"int(", "expected a type at column 5"},
    {"int(int", "expected ')' at column 8"},
    {"int(int))", "unexpected text after ')' at column 9"},
    {"(int)", "expected a type at column 1"},
    {"foo(int)", "unknown type 'foo' at column 1"},
    {"int(bar)", "unknown type 'bar' at column 5"},
    {"int(int x)", "expected ')' at column 9"},
    {"int(void, int)", "'void' is a parameter type only as the whole list \"(void)\" at column 5"},
    {"int(int, void)", "'void' is a parameter type only as the whole list \"(void)\" at column 10"},
    {"int(...)", "a variadic function needs a fixed parameter before '...' at column 5"},
    {"int(int, ..., float)", "a variadic argument of type float is passed as double: write double at column 15"},
    {"int(int, ..., char)", "a variadic argument narrower than int is passed as int: write int at column 15"},
    {"int(int, ..., short)", "a variadic argument narrower than int is passed as int: write int at column 15"},
    {"int(int, ..., bool)", "a variadic argument narrower than int is passed as int: write int at column 15"},
    {"int(int, ..., void)", "'void' is not an argument type at column 15"},
    {"int(int, ...,)", "expected a type at column 14"},
    {"int(int, ... int)", "expected ')' at column 14"},
    {"unsigned double(int)", "invalid type 'unsigned double' at column 1"},
    {"int(signed unsigned)", "invalid type 'signed unsigned' at column 5"},
    {"int(long long long)", "invalid type 'long long long' at column 5"},
    {"int(short long)", "invalid type 'short long' at column 5"},
    {"int(char int)", "invalid type 'char int' at column 5"},
    {"int(float double)", "invalid type 'float double' at column 5"},
    {"int(int int)", "invalid type 'int int' at column 5"},
    {"int(void void)", "invalid type 'void void' at column 5"},
    {"int(struct)", "expected '{' at column 11"},
    {"int(struct point)", "a named struct ('struct point') cannot be resolved: spell out its fields as struct {...} at column 12"},
    {"int(struct {})", "a struct needs at least one field at column 13"},
    {"int(struct {int double})", "invalid type 'int double' at column 13"},
    {"int(struct {int* double})", "expected ';' or '}' at column 18"},
    {"int(struct {void})", "a struct field cannot be void at column 13"},
    {"int(struct {int;)", "expected a type at column 17"},
    {"int(int*&)", "expected ')' at column 9"},
    {"int(3)", "expected a type at column 5"},
    {"int(int) extra", "unexpected text after ')' at column 10"},
    {"int(,int)", "expected a type at column 5"},
};

TEST(Signature, BadSignaturesNameColumnAndExpectation) {
  static int dummy;
  for (const BadCase& c : kBad) {
    try {
      cbridge::ForeignFunction f(&dummy, c.sig);
      ADD_FAILURE() << "accepted: " << c.sig;
    } catch (const cbridge::SignatureError& e) {
      EXPECT_EQ(std::string(e.what()), "signature \"" + std::string(c.sig) + "\": " + c.error);
    }
  }
}

TEST(Signature, TooDeepNestingIsRefusedNotRecursed) {
  std::string sig = "int(";
  for (int i = 0; i < 100; i++) sig += "struct {";
  sig += "int";
  for (int i = 0; i < 100; i++) sig += "}";
  sig += ")";
  static int dummy;
  try {
    cbridge::ForeignFunction f(&dummy, sig);
    FAIL();
  } catch (const cbridge::SignatureError& e) {
    EXPECT_NE(std::string(e.what()).find("structs nested too deeply"), std::string::npos);
  }
}

TEST(Signature, GoodSignaturesParse) {
  static int dummy;
  const char* good[] = {
      "void(void)", "void()", "int(int, double, const char*)", "unsigned(unsigned, signed, long unsigned int)",
      "const char * const(volatile int *restrict)", "long double(long double)", "void**(char***)",
      "double(struct {int; double}, ...)", "int(const char*, ..., int, double, void*, long long)",
      "struct { struct {char; short}; int; }(void)", "size_t(ssize_t, intptr_t, uintptr_t, ptrdiff_t)",
  };
  for (const char* s : good) EXPECT_NO_THROW(cbridge::ForeignFunction(&dummy, s)) << s;
  EXPECT_EQ(cbridge::ForeignFunction(&dummy, "int(int, ..., int, double)").arity(), 3u);
  EXPECT_EQ(cbridge::ForeignFunction(&dummy, "void(void)").arity(), 0u);
}

}  // namespace
