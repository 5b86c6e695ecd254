// SPDX-License-Identifier: MIT
// The C type a C++ type stands for in a typed Callback's signature: what a
// C header's prototypes use, spelled in the bridge's signature syntax
// (ForeignFunction). Scalars map to themselves; an enum to its underlying
// type; every pointer (const or not, to data or to a function) to void*;
// a struct by value to "struct {...}" with its fields read from the C++
// aggregate at compile time (detail/struct_fields.hpp): nested structs
// are spelled in place, an array field T[N] as N fields of T (the same
// layout, which is how libffi describes arrays). What has no C equivalent
// (unions, bit-fields, classes that are not aggregates, references) is
// refused by a static_assert; the type is the template argument of
// CType<...> in the compiler's "required from" lines.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>

#include "cbridge/detail/struct_fields.hpp"

namespace cbridge {

namespace detail {

template <typename T>
inline constexpr bool kAlwaysFalse = false;

template <typename T>
struct CType;

// cLayoutFits says whether the fields' C layout (each at the next offset
// aligned for it, the whole padded to the largest alignment) gives T's
// size and alignment. A bit-field makes T smaller than its fields' layout,
// which is how bit-fields are refused (a base class that adds fields too).
template <typename T, typename... F>
constexpr bool cLayoutFits(TypeList<F...>) {
  std::size_t off = 0, align = 1;
  ((off = (off + alignof(F) - 1) / alignof(F) * alignof(F) + sizeof(F),
    align = alignof(F) > align ? alignof(F) : align),
   ...);
  off = (off + align - 1) / align * align;
  return off == sizeof(T) && align == alignof(T);
}

template <typename... F>
void appendFields(std::string& s, TypeList<F...>) {
  ((CType<F>::append(s)), ...);
}

// CStruct<T> checks that T can stand for a C struct and spells it.
template <typename T>
struct CStruct {
  static_assert(!std::is_union_v<T>,
                "cbridge: a union cannot be passed by value (libffi has no union type): "
                "pass a pointer to it; the union is the template argument of CStruct above");
  static_assert(std::is_union_v<T> || std::is_aggregate_v<T>,
                "cbridge: a struct passed by value must be a C-like aggregate (no constructors, "
                "no private fields, no virtual functions); the type is the template argument of "
                "CStruct above");
  static_assert(!std::is_aggregate_v<T> || std::is_union_v<T> || std::is_trivially_copyable_v<T>,
                "cbridge: a struct passed by value must be trivially copyable, as a C struct is");
  static constexpr std::size_t kFields =
      std::is_aggregate_v<T> && !std::is_union_v<T> ? fieldCount<T>() : 1;
  static_assert(kFields != 0, "cbridge: an empty struct has no C equivalent");
  static_assert(kFields <= kMaxStructFields,
                "cbridge: a struct passed by value may have at most 16 fields (cbridge::detail::"
                "kMaxStructFields); use DynamicCallback with a signature string for larger ones");

  static void append(std::string& s) {
    if constexpr (std::is_aggregate_v<T> && !std::is_union_v<T> && kFields != 0 &&
                  kFields <= kMaxStructFields) {
      using Fields = FieldTypes<T>;
      static_assert(cLayoutFits<T>(Fields{}),
                    "cbridge: the struct's size or alignment is not that of its fields laid out "
                    "as C does: it has bit-fields or a base class, which cannot be passed by "
                    "value; the type is the template argument of CStruct above");
      s += "struct {";
      appendFields(s, Fields{});
      s.resize(s.size() - 2);  // the last field's "; "
      s += "}";
    }
  }
};

// CType<T>::spell(s) appends T's C spelling to s; append(s) appends it as
// a struct field.
template <typename T>
struct CType {
  using U = std::remove_cv_t<T>;
  static_assert(!std::is_reference_v<T>,
                "cbridge: a C function has no reference parameters or results: use a pointer");

  static void spell(std::string& s) {
    if constexpr (std::is_pointer_v<U>) s += "void*";
    else if constexpr (std::is_enum_v<U>) CType<std::underlying_type_t<U>>::spell(s);
    else if constexpr (std::is_same_v<U, void>) s += "void";
    else if constexpr (std::is_same_v<U, bool>) s += "bool";
    else if constexpr (std::is_same_v<U, char>) s += "char";
    else if constexpr (std::is_same_v<U, signed char>) s += "signed char";
    else if constexpr (std::is_same_v<U, unsigned char>) s += "unsigned char";
    else if constexpr (std::is_same_v<U, short>) s += "short";
    else if constexpr (std::is_same_v<U, unsigned short>) s += "unsigned short";
    else if constexpr (std::is_same_v<U, int>) s += "int";
    else if constexpr (std::is_same_v<U, unsigned>) s += "unsigned";
    else if constexpr (std::is_same_v<U, long>) s += "long";
    else if constexpr (std::is_same_v<U, unsigned long>) s += "unsigned long";
    else if constexpr (std::is_same_v<U, long long>) s += "long long";
    else if constexpr (std::is_same_v<U, unsigned long long>) s += "unsigned long long";
    else if constexpr (std::is_same_v<U, float>) s += "float";
    else if constexpr (std::is_same_v<U, double>) s += "double";
    else if constexpr (std::is_same_v<U, long double>) s += "long double";
    else if constexpr (std::is_class_v<U> || std::is_union_v<U>) CStruct<U>::append(s);
    else if constexpr (std::is_array_v<U>)
      static_assert(kAlwaysFalse<T>, "cbridge: a C function has no array parameters or results: use a pointer");
    else
      static_assert(kAlwaysFalse<T>,
                    "cbridge: no C type for this C++ type (the template argument of CType above)");
  }

  // append spells T as a struct field: an array as its elements, each
  // followed by "; ".
  static void append(std::string& s) {
    if constexpr (std::is_array_v<U>) {
      for (std::size_t i = 0; i < std::extent_v<U>; i++) CType<std::remove_extent_t<U>>::append(s);
    } else {
      spell(s);
      s += "; ";
    }
  }
};

}  // namespace detail

// c_type_spelling is the C spelling of T in the bridge's signature syntax:
// c_type_spelling<const char*>() is "void*", of an enum its underlying
// type's, of struct P {int x; double y[2];} "struct {int; double; double}".
// A type without a C equivalent does not compile (see above).
template <typename T>
std::string c_type_spelling() {
  std::string s;
  detail::CType<T>::spell(s);
  return s;
}

// c_signature is the signature of a C function R(A...) in the bridge's
// syntax, e.g. "double(int, void*)"; "R(void)" for no parameters.
template <typename R, typename... A>
std::string c_signature() {
  std::string s = c_type_spelling<R>() + "(";
  if constexpr (sizeof...(A) == 0) {
    s += "void";
  } else {
    bool first = true;
    ((s += first ? "" : ", ", first = false, detail::CType<A>::spell(s)), ...);
  }
  return s + ")";
}

}  // namespace cbridge
