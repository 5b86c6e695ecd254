/* SPDX-License-Identifier: MIT */
/*
 * preempt.pml: the preemptExtLock handshake between preemption by signal,
 * foreign code and exit (issue 13), checked with spin. Run by
 * runtime/models/check.sh.
 *
 * The protocol. Each M has a word, preemptExtLock: FREE (0), FOREIGN (1:
 * the M's thread runs foreign code, or is a C thread between callbacks),
 * or PREEMPTING (2) with, in the bits above, the cycle c of one preemption
 * attempt (unique, from a global counter); and preemptAck, the cycle the
 * preemption signal handler last acknowledged on the M's thread. A
 * preemptor takes the word FREE -> c|PREEMPTING before it sends the
 * signal and never signals an M whose word it could not take; it gives
 * the word back once the handler acknowledged c, or walks away after a
 * bounded wait, leaving it "orphaned". The M takes the word FREE ->
 * FOREIGN before it runs foreign code, and takes an orphan over only once
 * the handler acknowledged that cycle on this very thread: the signal the
 * cycle sent is then no longer pending. So the runtime's signal is never
 * delivered while a thread runs foreign code, and nobody waits without
 * bound on the word or for an ack: exit() cannot deadlock on them.
 *
 * Each step here and the C++ that implements it:
 *  preempt(t)     preemptM (runtime/preempt.cpp), called by sysmon's
 *                 preemptone (Sysmon) and by freezetheworld
 *                 (runtime/freeze.cpp; exitRest): 1 clear an orphan whose
 *                 cycle is acked, 2 take a cycle, CAS FREE -> c|PREEMPTING
 *                 (failure: refused, no signal), 3 tgkill, 4 wait, bounded,
 *                 for ack == c, 5 then CAS c|PREEMPTING -> FREE, 6 or time
 *                 out and leave the orphan.
 *  enter()        preemptExtEnter (runtime/preempt.hpp), M.2 the CAS
 *                 FREE -> FOREIGN, and preemptExtEnterSlow
 *                 (runtime/preempt.cpp), M.3: retry, or take over an
 *                 orphan whose cycle is acked, yielding in between.
 *  leave()        preemptExtExit (runtime/preempt.hpp), M.5: store FREE.
 *  Signal(th)     the preemption signal handler, sigPreempt, on thread th:
 *                 H1 ack the cycle in the word of the thread's M (getm());
 *                 H2 redirect to asyncPreempt at an async safe point (a
 *                 task yields: no handshake state moves, so a no-op here).
 *  T0, cgocall()  a runtime M's thread: a task's managed code, cgocall
 *                 (bridge/cgocall.cpp: entersyscall, preemptExtEnter, the
 *                 call, preemptExtExit) with a callback nested in the
 *                 first call.
 *  ccallback()    cgocallback (callbacks/cgocallback.cpp): preemptExtExit
 *                 at its start, the handler, preemptExtEnter at its end.
 *  Ta, Tb         C threads calling back on the extra M M1
 *                 (callbacks/extram.cpp): Ta starts with M1 (needm done,
 *                 the word FOREIGN); with -DREUSE it ends (dropm puts M1
 *                 back on the extra list) and Tb's needm takes M1.
 *  startExit(),   exit() from a task, from foreign code, from a callback's
 *  exitRest()     handler or from a C thread's own code: freezetheworld
 *                 sets frozen and runs preemptM on the other M, then the
 *                 process is gone (exited: every process stops).
 *
 * Checked: the signal is never delivered while its thread runs foreign
 * code (the assert in Signal); no invalid end state, so nothing waits
 * forever (an M in preemptExtEnterSlow, a preemptor, the exiting thread);
 * and the ltl claim exit_completes: once exit() started, the process
 * ends. Every loop of the model is bounded and the M's yield loop is one
 * step that waits for its condition (below), so every run is finite, and
 * a wait that could go on forever shows as an invalid end state.
 *
 * What the model found in the protocol as first written; both are fixed
 * here, the flawed versions kept as variants that must fail:
 *  -DOLD_GE: "acknowledged" read as ack >= c. Cycles are handed out
 *   before the CAS, so two preemptors of one M (sysmon, the exiting
 *   thread's freezetheworld) can take the word in the other order: the
 *   exit's cycle 2 takes it, signals, is acked (ack = 2) and the M takes
 *   the word over; the M leaves foreign code; sysmon's cycle 1 takes the
 *   word and, before its tgkill, the M takes it over again (2 >= 1) and
 *   enters foreign code, where sysmon's signal lands. (Or sysmon, seeing
 *   2 >= 1, releases the word with its signal pending.) Fix: acknowledged
 *   means ack == c; cycles are unique, so that ack was for this word.
 *  -DOLD_DROPM (with -DREUSE): dropm releases the word (store FREE) as
 *   an extra M goes back on the list, needm takes it again. sysmon reads
 *   a P's M and preempts it later; if the M was dropped meanwhile, it
 *   takes the free word and signals m->thread, a thread that has ended.
 *   Nobody will ack that cycle: the orphan stays, and the next thread's
 *   needm waits in preemptExtEnterSlow forever (an invalid end state).
 *   Fix, as Go's extra Ms do: an M on the extra list keeps its word
 *   FOREIGN (cgocallback's preemptExtEnter at its end took it; dropm
 *   does not release it; needm need not take it; a new extra M starts
 *   FOREIGN), so a late preemptor is refused.
 * The protocol's own negative variants, which must fail too:
 *  -DOLD_RELEASE: the preemptor stores FREE right after tgkill, without
 *   waiting for the ack (the old preemptWith).
 *  -DOLD_ORDER: the preemptor signals first and takes the word after.
 *  -DOLD_TAKEOVER: preemptExtEnterSlow takes over a PREEMPTING word
 *   without checking the ack.
 *  -DWAIT_UNBOUNDED: the preemptor waits for its ack without a bound. The
 *   M may take the word over and a later cycle overwrite the ack, so
 *   exit() would wait forever (the ltl claim fails).
 *
 * Steps and atomicity. Each atomic block is one step of one thread; a
 * signal may be delivered between any two steps of its thread. A load and
 * the CAS that compares with it are one step: the CAS succeeds only if
 * the word is unchanged, and an unchanged word keeps its ack (the handler
 * acks the cycle in the word), so the outcomes are those of the two
 * steps. For the same reason preemptExtEnterSlow's loop, which re-reads
 * the word and the ack and does nothing until one changes, is one step
 * that waits for its condition. A thread goes into foreign code in the
 * step that takes its word, and leaves it in the step that releases it:
 * a signal pending then could as well be delivered just inside, so no
 * delivery the assert checks is lost.
 *
 * Bounds: two Ms (M0 on T0; the extra M M1 on Ta, then Tb), two sysmon
 * attempts (one with -DREUSE, two under check.sh --full), T0's two
 * foreign calls with one callback, Ta's two callbacks, Tb's one, one
 * exit. Abstracted: Ps and the scheduler (sysmon may pick either M at any
 * time, which covers its racy read of a P's M; freezetheworld preempts
 * the other M even if it is an extra M, which the C++ skips), a second
 * thread calling exit(), the cooperative flag. Frozen Ms are not stopped:
 * nothing waits for them, so stopping one only cuts a run short, and the
 * runs where they go on include those prefixes.
 */

#define NM 2        /* M0, the extra M M1 */
#define NT 3        /* threads: T0 (M0's), Ta and Tb (C threads) */
#define NONE 255
#ifndef NSYS
#define NSYS 2      /* sysmon's preemption attempts */
#endif

#define FREE 0
#define FOREIGN 1
#define PREEMPTING 2

byte lock[NM];          /* preemptExtLock: cycle * 4 + state */
byte ack[NM];           /* preemptAck */
byte thr[NM];           /* m->thread: whom tgkill signals */
byte mOf[NT];           /* the thread's M (getm()), or NONE */
bool inC[NT];           /* the thread runs foreign code */
bool gone[NT];          /* the thread has ended */
bool pending[NT];       /* the thread's SIGURG is pending (signals coalesce) */
bool inHandler[NT];     /* the thread runs the handler: its own steps wait */
byte ncycle = 1;        /* the global cycle counter; 0 is never a cycle */
bool frozen;            /* exit() started (sched.exitTid, sched.frozen) */
bool exited;            /* the process is gone */
bool m1free;            /* M1 is on the extra list */

#ifdef OLD_GE
#define acked(m, c) (ack[m] >= (c))
#else
#define acked(m, c) (ack[m] == (c))
#endif

#ifdef OLD_TAKEOVER
#define takeover(m, w) ((w) % 4 == PREEMPTING)
#else
#define takeover(m, w) ((w) % 4 == PREEMPTING && acked(m, (w) / 4))
#endif

/* tgkill(m->thread, SIGURG): a thread that has ended gets nothing. */
inline tgkill(t) {
  atomic { if :: !gone[thr[t]] -> pending[thr[t]] = 1 :: else fi }
}

/* preemptM on M t: steps 1 to 6 of the header. */
inline preempt(t) {
  atomic {                                                  /* 1 */
    if :: lock[t] % 4 == PREEMPTING && acked(t, lock[t] / 4) -> lock[t] = FREE :: else fi
  };
  atomic { c = ncycle; ncycle++ };                          /* 2 */
#ifdef OLD_ORDER
  tgkill(t);
#endif
  atomic { if :: lock[t] == FREE -> lock[t] = c * 4 + PREEMPTING :: else -> c = 0 fi };
  if
  :: c == 0                                                 /* refused */
  :: else ->
#ifndef OLD_ORDER
     tgkill(t);                                             /* 3 */
#endif
#ifdef OLD_RELEASE
     atomic { lock[t] = FREE; c = 0 }
#else
     if
     :: atomic { acked(t, c) ->                             /* 4, 5 */
          if :: lock[t] == c * 4 + PREEMPTING -> lock[t] = FREE :: else fi; c = 0 }
#ifndef WAIT_UNBOUNDED
     :: c = 0                                               /* 6: timed out, orphaned */
#endif
     fi
#endif
  fi
}

/* preemptExtEnter on M m, thread th: M.2's CAS FREE -> FOREIGN, else
 * preemptExtEnterSlow's loop, M.3, until the word is FREE or an orphan
 * whose cycle this thread's handler acknowledged; one step that waits
 * (see the header). toC: the thread goes on into foreign code. */
inline enter(m, th, toC) {
  atomic { (lock[m] == FREE || takeover(m, lock[m])) -> lock[m] = FOREIGN; inC[th] = toC }
}

/* preemptExtExit, as the thread comes back from foreign code. */
inline leave(m, th) {
  atomic { inC[th] = 0; lock[m] = FREE }
}

/* exit() on a thread: the first caller freezes the world (a second caller
 * is not modelled), preempts every other M, then the process is gone. */
inline startExit() {
  atomic { !frozen -> frozen = 1 }
}
inline exitRest(other) {
  preempt(other);
  exited = 1
}

proctype Sysmon() {
  byte n, t, c;
  {
    do
    :: n < NSYS ->
       if :: t = 0 :: t = 1 fi;
       preempt(t);
       n++
    :: else -> break
    od
  } unless { exited }
}

/* The signal, delivered to thread th whenever it is pending: th's own
 * steps wait while the handler runs (their provided clauses). */
proctype Signal(byte th) {
  byte m, w;
  {
end_idle:
    do
    :: atomic {
         pending[th] -> pending[th] = 0; inHandler[th] = 1;
         assert(!inC[th]);
         m = mOf[th]
       }
       atomic {                                             /* H1: load */
         if
         :: m != NONE && lock[m] % 4 == PREEMPTING -> w = lock[m]
         :: else -> inHandler[th] = 0; m = 0                /* nothing to ack; H2 */
         fi
       }
       if
       :: w != 0 -> atomic { ack[m] = w / 4; inHandler[th] = 0; m = 0; w = 0 }  /* H1: store; H2 */
       :: else
       fi
    od
  } unless { exited }
}

/* A foreign call of T0 (cgocall), made from a task's managed code. */
inline cgocall(ncb) {
  if
  :: startExit(); goto doexit                               /* a task calls exit() */
  :: enter(0, 0, 1)                                         /* entersyscall; preemptExtEnter */
  fi;
  if
  :: startExit(); goto doexit                               /* foreign code calls exit() */
  :: ncb -> leave(0, 0);                                    /* a callback: cgocallback */
     if
     :: startExit(); goto doexit                            /* its handler calls exit() */
     :: enter(0, 0, 1)
     fi;
     leave(0, 0)                                            /* cgocall returns */
  :: leave(0, 0)                                            /* cgocall returns */
  fi
}

proctype T0() provided (!inHandler[0] || exited) {
  byte c;
  {
    cgocall(1);
    cgocall(0);
    goto done;
doexit:
    exitRest(1);
done:
    skip
  } unless { exited }
}

/* A callback on a C thread's M m (cgocallback): the thread is in foreign
 * code; it may call exit() there instead. */
inline ccallback(th, m) {
  if
  :: startExit(); goto doexit                               /* C code calls exit() */
  :: leave(m, th)                                           /* preemptExtExit */
  fi;
  if
  :: startExit(); goto doexit                               /* the handler calls exit() */
  :: enter(m, th, 1)                                        /* preemptExtEnter */
  fi
}

proctype Ta() provided (!inHandler[1] || exited) {
  byte c;
  {
    /* needm is done: M1 is this thread's, its word FOREIGN */
    ccallback(1, 1);
    ccallback(1, 1);
#ifdef REUSE
    /* The thread ends: dropm puts M1 back on the extra list. */
#ifdef OLD_DROPM
    leave(1, 1);                                            /* preemptExtExit */
#endif
    d_step { mOf[1] = NONE; m1free = 1; inC[1] = 0 };
    d_step { gone[1] = 1; pending[1] = 0 };
#endif
    goto done;
doexit:
    exitRest(0);
done:
    skip
  } unless { exited }
}

#ifdef REUSE
/* A second C thread calls back on M1 once Ta dropped it: needm. */
proctype Tb() provided (!inHandler[2] || exited) {
  byte c;
end_noM:
  m1free;
  {
    d_step { m1free = 0; mOf[2] = 1; thr[1] = 2; inC[2] = 0 };
#ifdef OLD_DROPM
    enter(1, 2, 0);                                         /* needm's preemptExtEnter */
#endif
    leave(1, 2);                                            /* cgocallback's preemptExtExit */
    if
    :: startExit(); goto doexit                             /* the handler calls exit() */
    :: enter(1, 2, 1)                                       /* preemptExtEnter */
    fi;
    goto done;
doexit:
    exitRest(0);
done:
    skip
  } unless { exited }
}
#endif

init {
  atomic {
    lock[1] = FOREIGN;
    thr[0] = 0; thr[1] = 1;
    mOf[0] = 0; mOf[1] = 1; mOf[2] = NONE;
    inC[1] = 1; inC[2] = 1;
    run Signal(0); run Signal(1);
#ifdef REUSE
    run Signal(2); run Tb();
#endif
    run Sysmon(); run T0(); run Ta()
  }
}

/* Once exit() has started, the process ends. */
ltl exit_completes { [] (frozen -> <> exited) }
