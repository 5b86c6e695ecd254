// SPDX-License-Identifier: MIT
// Boost.Context's internal fcontext interface, as its own header
// <boost/context/detail/fcontext.hpp> declares it, for Win64, where
// runtime/fcontext_amd64_win64.S implements it: Debian has no mingw build
// of Boost.Context. The names, namespace and semantics are Boost's, so
// runtime/context.hpp picks this header or Boost's with one #if and the
// scheduler does not know which it got; Boost's include guard is defined
// too, so a Boost header that includes its own fcontext.hpp gets this one.
#pragma once

#ifndef BOOST_CONTEXT_DETAIL_FCONTEXT_H
#define BOOST_CONTEXT_DETAIL_FCONTEXT_H

#include <cstddef>

namespace boost::context::detail {

typedef void* fcontext_t;

struct transfer_t {
  fcontext_t fctx;
  void* data;
};

// jump_fcontext stops the running context and resumes to: to's pending
// jump_fcontext (or, the first time, its context-function) gets
// {the stopped context, vp}.
extern "C" transfer_t jump_fcontext(fcontext_t const to, void* vp);

// make_fcontext makes a context that runs fn on the stack [sp-size, sp)
// when first resumed. fn must not return.
extern "C" fcontext_t make_fcontext(void* sp, std::size_t size, void (*fn)(transfer_t));

// ontop_fcontext is jump_fcontext, but fn runs first on to's stack and
// its result is what to gets.
extern "C" transfer_t ontop_fcontext(fcontext_t const to, void* vp, transfer_t (*fn)(transfer_t));

}  // namespace boost::context::detail

#endif
