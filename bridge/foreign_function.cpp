// SPDX-License-Identifier: MIT
#include <stdexcept>

#include "bridge/prepared_call.hpp"
#include "bridge/signature_quote.hpp"
#include "cbridge/dynamic.hpp"

namespace cbridge {

ForeignFunction::ForeignFunction(void* fn, const std::string& signature) : fn_(fn) {
  if (fn == nullptr)
    throw std::invalid_argument("ForeignFunction: null function pointer for " +
                                bridge::signatureQuote(signature));
  prepared_ = std::make_unique<bridge::PreparedCall>(signature);
}

ForeignFunction::~ForeignFunction() = default;
ForeignFunction::ForeignFunction(ForeignFunction&&) noexcept = default;
ForeignFunction& ForeignFunction::operator=(ForeignFunction&&) noexcept = default;

void ForeignFunction::call(void* ret, void* const* args) const { prepared_->call(fn_, ret, args); }

size_t ForeignFunction::arity() const { return prepared_->nargs(); }

const std::string& ForeignFunction::signature() const { return prepared_->signature(); }

}  // namespace cbridge
