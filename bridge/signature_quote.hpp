// SPDX-License-Identifier: MIT
// How error messages quote a user's signature: never the whole of a long
// one (a 100 KB signature made a 200 KB cbridge_last_error), always the
// part around the error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cbridge::bridge {

// At most this many characters of a signature appear in a message.
constexpr size_t kSignatureQuoteMax = 80;

// signatureQuote is `signature "TEXT"` for a message about sig: all of it
// when it fits in kSignatureQuoteMax characters; else that many around
// byte offset at (where the error is), with "..." where it was cut and the
// signature's length: `signature "...int, in..." (100003 characters)`.
std::string signatureQuote(std::string_view sig, size_t at = 0);

// clipWord is a word out of a signature (a type name) for a message: at
// most kSignatureQuoteMax / 2 characters, with "..." if it was cut.
std::string clipWord(std::string_view word);

}  // namespace cbridge::bridge
