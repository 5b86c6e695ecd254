// SPDX-License-Identifier: MIT
#include "bridge/signature_quote.hpp"

namespace cbridge::bridge {

std::string signatureQuote(std::string_view sig, size_t at) {
  if (sig.size() <= kSignatureQuoteMax) return "signature \"" + std::string(sig) + "\"";
  // The window puts the error in its middle, slid inside the signature.
  size_t from = at > kSignatureQuoteMax / 2 ? at - kSignatureQuoteMax / 2 : 0;
  if (from > sig.size() - kSignatureQuoteMax) from = sig.size() - kSignatureQuoteMax;
  size_t to = from + kSignatureQuoteMax;
  std::string q = "signature \"";
  if (from > 0) q += "...";
  q += sig.substr(from, kSignatureQuoteMax);
  if (to < sig.size()) q += "...";
  q += "\" (" + std::to_string(sig.size()) + " characters)";
  return q;
}

std::string clipWord(std::string_view word) {
  constexpr size_t kMax = kSignatureQuoteMax / 2;
  if (word.size() <= kMax) return std::string(word);
  return std::string(word.substr(0, kMax)) + "...";
}

}  // namespace cbridge::bridge
