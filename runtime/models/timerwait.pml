/* SPDX-License-Identifier: MIT */
/*
 * timerwait.pml: the idle-M hand-off, the timer waiter and their wake-ups
 * (runtime/proc.cpp: stopm, startm, wakep, timerWait, wakeTimerWaiter,
 * ensureTimerService), checked with spin. Run by runtime/models/check.sh.
 *
 * The protocol. An M that finds no work gives its P up and then is in one
 * of two places, never both:
 *  - sched.midle, under sched.lock. The list owns the M: only mget takes
 *    it off, and the taker (startm) owns it and owes it exactly one
 *    wakeup of its note, after handing it a P in nextp.
 *  - sched.timerWaiter, a word holding the M and, in bit 0, how it waits:
 *    on its note, or in epoll_wait. Whoever takes the M out of the word
 *    owns the wake-up: the M itself (a CAS of its own word to null), or a
 *    waker (an exchange to null), which then owes exactly one wake-up of
 *    the kind the word says: a note wakeup, or a netpoll break. An M whose
 *    CAS fails knows a wake-up is in flight and, for a note, sleeps once
 *    more to take it before it clears the note; a break is drained by the
 *    next poll, by whichever M makes it.
 * So an M goes on midle only with nobody owing its note a wakeup, and a
 * waker never wakes an M that is not waiting the way it thinks. The bug
 * this replaced (issue 12): the waker read "how it waits" from a flag on
 * the M after the exchange, when the M could already have left epoll and
 * gone on; it then woke a note nobody slept on, and that stale wakeup
 * made a later one fatal ("notewakeup - double wakeup"). -DOLD_FLAG
 * models it: spin finds the double wakeup. The model then found two lost
 * wake-ups in what remained, fixed since: -DOLD_IDLE (a waiter that took
 * an in-flight wakeup went idle instead of looking again) and -DOLD_ENSURE
 * (an adder that saw a waiter which left before its exchange started no
 * M). check.sh shows each old variant failing and the protocol passing.
 *
 * Wake-ups are never lost: a timer's adder stores nextWhen and then reads
 * timerWaiter; a waiter publishes itself and then reads nextWhen (seq_cst
 * both, Dekker), so either the adder wakes the waiter or the waiter sees
 * the timer. With no waiter the adder starts an M (wakep), unless one is
 * spinning: a spinner drops its count before it reads nextWhen in
 * timerWait. The Watch process checks it: whenever every process is
 * blocked, no timer may be left armed.
 *
 * Bounds: two Ps, three Ms, two timers. A run in which startm would need
 * a fourth M (three Ms between giving up their P and going idle) stops
 * at that point, its waker blocked for good (pruned); every other run is
 * followed to the end.
 *
 * What is abstracted: tasks and run queues (only timers are work here),
 * sysmon (a 10 ms backstop that would hide a lost wake-up), shutdown, time
 * (a sleep with a deadline may time out at any moment; one without may
 * not), and fds becoming ready (they add nothing to a wake-up argument).
 */

#define NM 3        /* Ms: two at start, one newm may make */
#define NP 2        /* Ps */
#define NTIMERS 2   /* timers the waker adds, one after the other */
#define NONE 255

bool nextWhen;          /* an armed timer (timers.cpp's nextWhen != 0) */
byte waiter;            /* sched.timerWaiter: 0, or the M's id + 1 */
bool waiterNet;         /* bit 0 of sched.timerWaiter */
bool pollBlocked;
bool breakPending;      /* the break eventfd has a count */
byte npidle;
byte nmspinning;
byte spare = 2;         /* the next M id newm may use */
bool midle[NM];
bool key[NM];           /* each M's park note */
bool owed[NM];          /* a waker took the M off the note word and owes it a wakeup */
bool nextp[NM];         /* startm handed the M a P */
bool spinArg[NM];       /* startm asked the M to spin */
bool netpolling[NM];    /* the old protocol's flag on the M */
bool pruned;            /* a startm needed a fourth M: that run is not followed */

/* notewakeup; its assert is the runtime's "notewakeup - double wakeup".
 * Delivering it settles what a waker owed the M. */
inline wakeup(m) {
  atomic { assert(!key[m]); key[m] = 1; owed[m] = 0 }
}

inline wakeTimerWaiter() {
  atomic {
    w = waiter; t = waiterNet; waiter = 0; waiterNet = 0;
#ifndef OLD_FLAG
    if :: w != 0 && !t -> owed[w - 1] = 1 :: else fi
#endif
  }
#ifdef OLD_FLAG
  if :: w != 0 -> t = netpolling[w - 1] :: else fi
#endif
  if
  :: w == 0 -> skip
  :: w != 0 && t -> breakPending = 1                 /* netpollBreak */
  :: w != 0 && !t -> wakeup(w - 1)
  fi
}

inline startm(sp) {
  atomic {
    gotP = 0; nm = NONE;
    if :: npidle > 0 -> npidle--; gotP = 1 :: else fi;
    if
    :: gotP && midle[0] -> nm = 0
    :: gotP && midle[1] -> nm = 1
    :: gotP && midle[2] -> nm = 2
    :: else
    fi;
    if :: nm != NONE -> midle[nm] = 0 :: else fi
  }
  if
  :: !gotP -> if :: sp -> nmspinning-- :: else fi
  :: gotP && nm != NONE -> spinArg[nm] = sp; nextp[nm] = 1; wakeup(nm)
  :: gotP && nm == NONE && spare < NM ->
     atomic { run M(spare, 1, sp); spare++ }                    /* newm */
  :: gotP && nm == NONE && spare == NM ->
     /* Out of model Ms: this run is cut here (see pruned). */
     pruned = 1;
end_pruned:
     false
  fi
}

inline wakep() {
  if
  :: npidle == 0 -> skip
  :: else ->
     atomic { if :: nmspinning == 0 -> nmspinning = 1; ok2 = 1 :: else -> ok2 = 0 fi }
     if :: ok2 -> startm(1) :: else fi
  fi
}

/* The waiter may leave between the look and the exchange (it read
 * nextWhen before our store): then start an M as if there had been none.
 * (The old code did nothing then: a lost timer.) */
inline ensureTimerService() {
  w = 0;
#ifdef OLD_ENSURE
  if :: waiter != 0 -> wakeTimerWaiter() :: else -> wakep() fi
#else
  if :: waiter != 0 -> wakeTimerWaiter() :: else fi;
  if :: w == 0 -> wakep() :: else fi
#endif
}

proctype M(byte me; bool startP; bool startSpin) {
  bool hasP = startP, spinning = startSpin, net, ok, next, woken;
  byte w, t;
top:
  /* Forget the last round's locals: fewer states, same behaviour. */
  skip; d_step { w = 0; t = 0; ok = 0; next = 0; woken = 0; net = 0 };
  if :: !hasP -> goto stopm :: else fi;
  atomic { nextWhen = 0 };                          /* runtimers */
  /* findRunnable's steal phase: spin if few others do */
  if
  :: !spinning && 2 * nmspinning < NP - npidle -> spinning = 1; nmspinning++
  :: skip
  fi;
  atomic { npidle++; hasP = 0 };                    /* pidleput(releasep) */
  if :: spinning -> spinning = 0; nmspinning-- :: else fi;

  /* timerWait */
#ifdef NONET
  net = 0;                                          /* no task waits on an fd */
#else
  if :: net = 0 :: net = 1 fi;                      /* tasks wait on fds, or not */
#endif
  if :: !nextWhen && !net -> goto stopm :: else fi;
  atomic {
    if
    :: waiter == 0 -> waiter = me + 1; waiterNet = net; ok = 1
    :: else -> t = waiterNet; ok = 0
    fi
  }
  if
  :: !ok ->
     if :: !net || t -> goto stopm :: else fi;
     wakeTimerWaiter();                             /* take the note waiter's place */
     atomic { if :: waiter == 0 -> waiter = me + 1; waiterNet = net; ok = 1 :: else -> ok = 0 fi }
     if :: !ok -> goto stopm :: else fi
  :: else
  fi;
  next = nextWhen;
  if
  :: !next && !net ->
     atomic { if :: waiter == me + 1 -> waiter = 0; ok = 1 :: else -> ok = 0 fi };
     if
     :: ok -> goto stopm
     :: !ok ->
        /* A wakeup is in flight: take it, and look again, for the waker
         * had a reason (the old code went idle here: a lost timer). */
        if :: !net -> key[me] == 1; key[me] = 0 :: else fi;
#ifdef OLD_IDLE
        goto stopm
#else
        goto retry
#endif
     fi
  :: else
  fi;
  if
  :: net ->
     pollBlocked = 1; netpolling[me] = 1;
end_poll:
     if
     :: breakPending -> breakPending = 0             /* drainBreak */
     :: next -> skip                                 /* the timer is due */
     fi;
     pollBlocked = 0; netpolling[me] = 0;
     atomic { if :: waiter == me + 1 && waiterNet -> waiter = 0; waiterNet = 0 :: else fi }
  :: else ->
     if
     :: key[me] -> woken = 1
     :: next -> woken = 0                            /* tsleep timed out */
     fi;
     if
     :: !woken ->
        atomic { if :: waiter == me + 1 -> waiter = 0; ok = 1 :: else -> ok = 0 fi };
        if :: !ok -> key[me] == 1 :: else fi
     :: else
     fi;
     key[me] = 0
  fi;
retry:
  atomic { if :: npidle > 0 -> npidle--; hasP = 1 :: else fi };
  goto top;

stopm:
  atomic {
    assert(waiter != me + 1 && !owed[me] && !key[me]);   /* nobody else owns this M */
    midle[me] = 1;
    w = 0; t = 0; ok = 0; next = 0; woken = 0; net = 0
  };
end_idle:
  key[me] == 1;
  key[me] = 0;
  if :: nextp[me] -> nextp[me] = 0; hasP = 1; spinning = spinArg[me] :: else fi;
  goto top
}

/* A task or a foreign thread adding timers (addtimer → ensureTimerService). */
proctype Waker() {
  byte i, w, t, nm;
  bool gotP, ok2;
  do
  :: i < NTIMERS -> nextWhen = 1; ensureTimerService(); i++
  :: else -> break
  od
}

/* When everything is blocked, no timer may be left armed: a lost wake-up. */
active proctype Watch() {
end_watch:
  timeout -> assert(!nextWhen || pruned)
}

init {
  atomic {
    run M(0, 1, 0);
    run M(1, 1, 0);
    run Waker()
  }
}
