/* SPDX-License-Identifier: MIT
 *
 * The io_uring backend's break (runtime/netpoll_uring.cpp, "Reaping"):
 * seed 000's rule, only a blocking poll drains the break, on a queue that
 * forgets what it hands out.
 *
 * On epoll the break is an eventfd polled level-triggered: a non-blocking
 * poll that sees it and leaves it alone leaves it readable, so the next
 * blocking poll sees it again. On io_uring the break is a completion of a
 * multishot poll on the eventfd, posted once per write: whoever reaps it
 * takes it off the queue. The backend therefore lets one poll reap at a
 * time (the `reaping` token, held by a blocking poll across its wait) and
 * has a non-blocking poll that reaps the break latch it; a blocking poll
 * looks at the latch first and reports the break without waiting.
 *
 * Processes: the breaker (netpollBreak: an earlier timer for the M blocked
 * in the poller; breaks coalesce through breakPending), the timer waiter's
 * blocking poll (which must return: it is the M the break was written
 * for), and a non-blocking poller (an M after a write, or sysmon) that
 * polls twice. Safety: spin reports an invalid end state if the blocking
 * poll waits forever with the break written.
 *
 * OLD_NOLATCH: a non-blocking poll that reaps the break drops it (the rule
 * as epoll has it: leave the break alone); the blocking poll then sleeps
 * past it. OLD_UNLOCKED_WAIT: the blocking poll gives the token back
 * before it waits, and checks the latch before that: a non-blocking poll
 * in between reaps and latches the break, and the blocking poll sleeps.
 */

bit breakPending = 0;  /* a break written and not yet drained */
bit evfd = 0;          /* the eventfd's count is nonzero */
byte cq = 0;           /* break completions queued */
bit latched = 0;       /* a break reaped by a non-blocking poll */
bit reaping = 0;       /* the completion queue's one consumer */
bit gotBreak = 0;      /* the blocking poll returned with the break */

proctype Breaker() {
  atomic {
    if
    :: breakPending == 0 -> breakPending = 1; evfd = 1; cq++  /* the write posts a completion */
    :: else -> skip  /* coalesced: the pending one wakes the poller */
    fi
  }
}

/* drain: what a blocking poll does with the break (drainBreak). */
inline drain() {
  evfd = 0;
  breakPending = 0;
  gotBreak = 1
}

proctype BlockingPoll() {
  atomic { reaping == 0 -> reaping = 1 }  /* waits for a non-blocking reaper */
  if
  :: latched -> latched = 0; drain()
  :: else ->
#ifdef OLD_UNLOCKED_WAIT
    reaping = 0;
#endif
    cq > 0;  /* io_uring_enter waits for a completion */
#ifdef OLD_UNLOCKED_WAIT
    atomic { reaping == 0 -> reaping = 1 }
    if
    :: cq > 0 -> cq--; drain()
    :: else -> skip  /* another poll reaped it: we return with nothing */
    fi
#else
    cq--;
    drain()
#endif
  fi;
  reaping = 0
}

proctype NonBlockingPoll() {
  byte i;
  for (i : 1 .. 2) {
    atomic {
      if
      :: reaping == 0 -> reaping = 1
      :: else -> goto next  /* a blocking poll holds the queue: it delivers */
      fi
    }
    if
    :: cq > 0 -> cq--;
#ifndef OLD_NOLATCH
      latched = 1
#endif
    :: else -> skip
    fi;
    reaping = 0;
next:
    skip
  }
}

init {
  atomic {
    run Breaker();
    run BlockingPoll();
    run NonBlockingPoll()
  }
  (_nr_pr == 1);
  /* Every process ended: the blocking poll returned, with the break. */
  assert(gotBreak == 1 && breakPending == 0)
}
