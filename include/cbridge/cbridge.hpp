// SPDX-License-Identifier: MIT
// cbridge: a host runtime in the style of Go's runtime and cgo.
#pragma once

#include "cbridge/call.hpp"
#include "cbridge/callback.hpp"
#include "cbridge/chan.hpp"
#include "cbridge/dynamic.hpp"
#include "cbridge/errors.hpp"
#include "cbridge/library.hpp"
#include "cbridge/mutex.hpp"
#include "cbridge/net.hpp"
#include "cbridge/preempt.hpp"
#include "cbridge/runtime.hpp"
#include "cbridge/select.hpp"
#include "cbridge/signature.hpp"
#include "cbridge/task.hpp"
#include "cbridge/timer.hpp"
#include "cbridge/trace.hpp"
#include "cbridge/waitgroup.hpp"
