#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the runtime's Promela models with spin: each model must pass, and
# each of its OLD_* variants (the protocol as it was before a fix) must
# fail, which shows the model can see the bug it guards.
# The models: timerwait.pml (the idle Ms, the timer waiter and their
# wake-ups), preempt.pml (the preemptExtLock handshake of preemption,
# foreign code and exit), spanset.pml (the span set's push, pop and
# block recycling; its variants break the free rule, the lap tag and the
# capacity bound) and uringbreak.pml (the io_uring netpoller's break: one
# reaper at a time, and the latch that keeps a break a non-blocking poll
# reaped for the next blocking one).
# Usage: runtime/models/check.sh [--full]
#   --full  explore the full timer-waiter model exhaustively (about 55M
#           states, 3 GB and several minutes); by default it is explored
#           with bitstate hashing (256 MB), and its no-netpoll reduction
#           exhaustively. Also run preempt.pml's extra-M reuse with two
#           sysmon attempts (5.7M states, 25 s) instead of one, and
#           spanset.pml with its index loads, pre-checks and claims as
#           separate steps, two items a pusher (-DSPLIT -DPER=2: 23.5M
#           states, 1.1 GB, about a minute).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
full=0
[[ "${1:-}" == "--full" ]] && full=1
command -v spin >/dev/null || { echo "check.sh: spin is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# verify MODEL EXPECT MODE [spin -D flags...]: EXPECT is pass or fail;
# MODE is exhaustive or bitstate (safety: assertions and invalid end
# states), or ltl (the model's ltl claim, exhaustively).
verify() {
  local model=$1 expect=$2 mode=$3
  shift 3
  local dir="$work/$(basename "$model" .pml)$(printf '%s' "$@" | tr -c 'A-Za-z0-9_' _)"
  mkdir -p "$dir"
  (cd "$dir" && spin "$@" -a "$here/$model" >/dev/null)
  # -O1 but for the long bitstate runs: compiling pan.c costs more than
  # the search saves on the exhaustive ones.
  local cflags=(-O1 -w -DSAFETY -DNOCLAIM) runflags=(-m1000000)
  if [[ $mode == bitstate ]]; then
    cflags=(-O2 -w -DSAFETY -DNOCLAIM -DBITSTATE)
    runflags+=(-w31)
  elif [[ $mode == ltl ]]; then
    cflags=(-O1 -w -DCOLLAPSE)
    runflags+=(-a)
  else
    cflags+=(-DCOLLAPSE)
  fi
  gcc "${cflags[@]}" -o "$dir/pan" "$dir/pan.c"
  local out errors
  out=$(cd "$dir" && ./pan "${runflags[@]}" 2>&1)
  errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' <<<"$out")
  local states
  states=$(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' <<<"$out")
  local what="$model $* ($mode, $states states)"
  if [[ -z "$errors" ]]; then
    echo "FAIL $what: pan gave no result" >&2
    echo "$out" >&2
    return 1
  fi
  if [[ $expect == pass && $errors != 0 ]]; then
    echo "FAIL $what: the protocol violates the model" >&2
    grep -E "violated|invalid end state|acceptance cycle" <<<"$out" >&2 || true
    (cd "$dir" && spin -t -p -g -k "$model.trail" "$@" "$here/$model" | tail -40) >&2 || true
    return 1
  fi
  if [[ $expect == fail && $errors == 0 ]]; then
    echo "FAIL $what: the old protocol passes, so the model cannot see its bug" >&2
    return 1
  fi
  echo "ok   $what: $( [[ $expect == pass ]] && echo passes || echo fails as it must: "$(grep -m1 -oE 'assertion violated.*|invalid end state|acceptance cycle' <<<"$out")")"
}

verify timerwait.pml pass exhaustive -DNONET
verify timerwait.pml pass "$([[ $full == 1 ]] && echo exhaustive || echo bitstate)"
verify timerwait.pml fail bitstate -DOLD_FLAG
verify timerwait.pml fail exhaustive -DNONET -DOLD_IDLE
verify timerwait.pml fail exhaustive -DNONET -DOLD_ENSURE

verify preempt.pml pass exhaustive
verify preempt.pml pass ltl
verify preempt.pml pass exhaustive -DREUSE "-DNSYS=$([[ $full == 1 ]] && echo 2 || echo 1)"
verify preempt.pml fail exhaustive -DOLD_RELEASE
verify preempt.pml fail exhaustive -DOLD_ORDER
verify preempt.pml fail exhaustive -DOLD_TAKEOVER
verify preempt.pml fail exhaustive -DOLD_GE
verify preempt.pml fail exhaustive -DREUSE -DNSYS=1 -DOLD_DROPM
verify preempt.pml fail ltl -DWAIT_UNBOUNDED

verify uringbreak.pml pass exhaustive
verify uringbreak.pml fail exhaustive -DOLD_NOLATCH
verify uringbreak.pml fail exhaustive -DOLD_UNLOCKED_WAIT

verify spanset.pml pass exhaustive
if [[ $full == 1 ]]; then verify spanset.pml pass exhaustive -DSPLIT -DPER=2; fi
verify spanset.pml fail exhaustive -DOLD_RULE
verify spanset.pml fail exhaustive -DNO_LAP_TAG
verify spanset.pml fail exhaustive -DNO_CAPACITY
