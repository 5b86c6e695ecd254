// SPDX-License-Identifier: MIT
// The fields of a C struct, read at compile time from a C++ aggregate, as
// Boost.PFR does (Debian's Boost 1.74 has no PFR): the number of fields is
// the largest N for which T{{any}, ..., {any}} (N braced initializers) is
// well-formed, and their types are those of a structured binding of N
// names. Each initializer is braced so that an array field takes exactly
// one of them (no brace elision), and a nested struct is one field.
// Bounded to kMaxStructFields fields.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace cbridge::detail {

inline constexpr std::size_t kMaxStructFields = 16;

template <typename... T>
struct TypeList {};

// AnyField converts to any field type; used in unevaluated operands only.
struct AnyField {
  template <typename T>
  operator T() const noexcept;
};

// Fewer initializers than fields is the point of the test, not a slip.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
template <typename T, typename Seq>
struct BraceInitializable;
template <typename T, std::size_t... I>
struct BraceInitializable<T, std::index_sequence<I...>> {
  template <typename U>
  static auto test(int) -> decltype(U{{(void(I), AnyField{})}...}, std::true_type{});
  template <typename U>
  static std::false_type test(...);
  static constexpr bool value = decltype(test<T>(0))::value;
};
#pragma GCC diagnostic pop

template <typename T, std::size_t N>
inline constexpr bool kInitializableWith = BraceInitializable<T, std::make_index_sequence<N>>::value;

// fieldCount is the number of fields of the aggregate T, or
// kMaxStructFields + 1 if it has more than the bound.
template <typename T>
constexpr std::size_t fieldCount() {
  if constexpr (kInitializableWith<T, kMaxStructFields + 1>) {
    return kMaxStructFields + 1;
  } else {
    std::size_t n = 0;
    [&]<std::size_t... N>(std::index_sequence<N...>) {
      ((kInitializableWith<T, N> ? (n = N, 0) : 0), ...);
    }(std::make_index_sequence<kMaxStructFields + 1>{});
    return n;
  }
}

// fieldTypes(t, N) returns TypeList<the declared types of t's N fields>
// (decltype of a structured binding names the field's declared type: an
// array stays an array, const stays). Only its type is used.
template <typename T>
auto fieldTypes(T&, std::integral_constant<std::size_t, 0>) {
  return TypeList<>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 1>) {
  [[maybe_unused]] auto& [f0] = t;
  return TypeList<decltype(f0)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 2>) {
  [[maybe_unused]] auto& [f0, f1] = t;
  return TypeList<decltype(f0), decltype(f1)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 3>) {
  [[maybe_unused]] auto& [f0, f1, f2] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 4>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 5>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 6>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 7>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5, f6] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5), decltype(f6)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 8>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5, f6, f7] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5), decltype(f6), decltype(f7)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 9>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5), decltype(f6), decltype(f7), decltype(f8)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 10>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 11>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 12>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10), decltype(f11)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 13>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10), decltype(f11), decltype(f12)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 14>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10), decltype(f11), decltype(f12), decltype(f13)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 15>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10), decltype(f11), decltype(f12), decltype(f13), decltype(f14)>{};
}
template <typename T>
auto fieldTypes(T& t, std::integral_constant<std::size_t, 16>) {
  [[maybe_unused]] auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15] = t;
  return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10), decltype(f11), decltype(f12), decltype(f13), decltype(f14), decltype(f15)>{};
}

template <typename T>
using FieldTypes = decltype(fieldTypes(std::declval<T&>(),
                                       std::integral_constant<std::size_t, fieldCount<T>()>{}));

}  // namespace cbridge::detail
