/* SPDX-License-Identifier: MIT */
/*
 * spanset.pml: the span set's push, pop and block recycling
 * (runtime/spanset.hpp, issue 14), checked with spin. Run by
 * runtime/models/check.sh.
 *
 * The protocol. head and tail, indexes into the concatenation of blocks
 * of N entries, share one word (the headTailIndex). Index i is in the
 * block of lap i/N, held by ring slot (i/N) % C, whose word names a block
 * and the lap it serves (the tag). push claims the tail by CAS, refusing
 * when tail - head >= (C-1)*N (full); finds its lap's block in the ring,
 * waiting while the slot still holds the block of the lap C before, or
 * installs one from the pool by CAS (a loser gives its block back); then
 * publishes the item in its slot. pop returns empty when head == tail or
 * when the head's block is not in place (the pre-check); else claims the
 * head by CAS, waits for its lap's block and for the item, reads it,
 * clears the slot and adds one to the block's popped count. The pop that
 * brings popped to N clears the ring slot's word and frees the block to
 * the pool: popped only grows, and only when a pop is done, so that pop
 * is the last one on the block.
 *
 * Each step here and the C++ it models (SpanSet in spanset.hpp):
 *  push   P1 index_.load; P2 the capacity check and the CAS claim of the
 *         tail (a failure reloads); blockForPush: B1 the acquire load of
 *         the ring slot; B2 backoff and reload while it holds the previous
 *         lap's block; B3 pool_.alloc; B4 the install CAS; B5 after a
 *         failed one pool_.free (the give-back), then B1's test of the word
 *         the CAS read; [OLD_RULE: used.fetch_add]; P3 the release store of
 *         the item.
 *  pop    Q1 index_.load; Q2 head == tail: empty; Q3 the pre-check of the
 *         head's ring slot: not this lap's block, empty; Q4 the CAS claim
 *         of the head (a failure reloads, back to Q2); Q5 waitForBlock's
 *         load, until the slot holds this lap's block; Q6 the item's load,
 *         until non-null; Q7 the store clearing the slot; Q8 lastPopper,
 *         popped.fetch_add (OLD_RULE: used.fetch_sub, last only for the
 *         claimer of slot N-1); for the last, Q9 the store of 0 to the
 *         ring slot and Q10 pool_.free.
 *  pool   SpanSetBlockPool: alloc pops a block, free zeroes popped and
 *         pushes it: a stack of block ids, one atomic step each (the
 *         lfstack's own lock-freedom is not what this checks).
 * Each step is one atomic instruction of the C++ with the local work
 * around it, but for two reductions. (a) A pusher's P1 and P2 are one
 * step, and a popper's Q1 to Q4: the indexes only grow (the model does not
 * wrap them), so a claim succeeds only if they did not move since the
 * load, and the pre-check's word is still the same at the claim (the
 * head's block stays until the head's slot is popped, and a block not in
 * place makes the pop return empty); a failed claim, a full push and an
 * empty pop have no effect, so the harness retries them: the steps wait
 * until the claim can succeed. -DSPLIT keeps those loads, pre-checks and
 * CASes apart; check.sh --full checks it with two items a pusher (-DPER=2:
 * 23.5M states, 1.1 GB; with three, over 120M states, 5 GB). (b) Every C++ spin loop (B2, Q5, Q6) is one step
 * that waits for the value it spins on to change: the loads in between
 * return what the last one did. So a wait that could last forever is an
 * invalid end state.
 *
 * Checked, by assertions in the steps and at the end:
 *  (1) no use after free: every access to a block's slots and counts
 *      (P3, Q6, Q7, Q8, used) is to a block serving the accessor's lap
 *      (the ghost blap), not one in the pool, nor one freed and reused
 *      for another lap since; a pop waiting in Q6 fails the moment its
 *      block is freed (its next load would be the use after free);
 *  (2) no block freed twice; Q9 clears the freeing pop's own block's word;
 *  (3) no leak: at the end every block is in the pool but for the one
 *      holding the head, with popped in 1..N-1, which reset() frees --
 *      reset()'s checks; and never more than NB blocks in use;
 *  (4) every item is popped exactly once: index i's item is i + 1, a pop
 *      reads the item of the index it claimed, a push publishes into an
 *      empty slot, and at the end head == tail == START + items;
 *  (5) no invalid end state: nothing waits forever;
 *  (6) a push waits (B2) only on a block whose slots pops have all
 *      claimed, so on pops under way: the capacity bound's reason
 *      (spanset.hpp's header). Without it a push could wait for a pop
 *      that nobody will start (the free lists' threads push and pop).
 *
 * Variants, each of which must fail (check.sh):
 *  -DOLD_RULE: the seed's old free rule (Hooks::kOldFreeRule): push adds
 *   to the block's used count, pop subtracts, and frees only if it
 *   reached 0 and it claimed slot N-1. Spin finds the leak (3): the
 *   claimer of slot 7 subtracts first (used 2 -> 1, not the last), the
 *   claimer of slot 6 then (1 -> 0, but not slot N-1): lap 1's block stays
 *   in the ring. The rule also frees a block under a pop (1), which the
 *   leak hides from check.sh: a pusher claims slot 6, a pop claims it and
 *   waits; slot 7 is pushed (used 0 -> 1) and popped (1 -> 0, slot N-1):
 *   freed, though slot 6's pusher has yet to add to used and store.
 *  -DNO_LAP_TAG: pushes and pops take whatever block is in the ring slot,
 *   without its lap: a pop of index 8 (lap 2) takes lap 0's block, still
 *   in ring slot 0 while index 3 is popped; index 3's pop frees it under
 *   the pop of index 8 (1).
 *  -DNO_CAPACITY: push without the capacity check: the push of index 8
 *   waits for lap 0's block while index 3 is still unclaimed (6).
 *
 * Bounds: N = 4, C = 2 (capacity 4 items), three blocks (two in the ring
 * and one a second installer holds; alloc asserts a fourth is never
 * needed), two pushers of PER = 3 items each, three poppers popping until
 * all six are popped. The run starts at index START (3 by default): the
 * state after three items were pushed and popped one at a time, lap 0's
 * block in ring slot 0 with popped = 3. So the six items are indexes 3 to
 * 8, on laps 0, 1 and 2: lap 1 is a whole block, and lap 2 comes back to
 * ring slot 0, where its pusher must wait for lap 0's block to go and its
 * pops must not take that block for theirs. (-DSTART=0, 2 and 5 pass too.)
 * Abstracted: memory orders (the model is sequentially consistent; the
 * C++ argues its orders), the 32-bit wrap of the indexes and lap tags,
 * reset() and the destructor (they require quiescence), the hooks.
 */

#define N 4         /* entries in a block */
#define C 2         /* ring slots */
#define NB 3        /* blocks */
#ifndef PER
#define PER 3       /* items each of the two pushers pushes */
#endif
#define NITEMS (2 * PER)
#define CAP ((C - 1) * N)
#ifndef START
#define START 3
#endif
#define END (START + NITEMS)

#define POOL 255    /* blap: in the pool */
#define ALLOC 254   /* blap: taken from the pool, not installed */

byte head = START;      /* index_: the head ... */
byte tail = START;      /* ... and the tail, one word */
byte ringb[C];          /* a ring slot's word: block id + 1, 0 if empty ... */
byte ringl[C];          /* ... and the lap it serves (the tag) */
byte slots[NB * N];     /* item, 0 for nullptr; index i's item is i + 1 */
byte popped[NB];
#ifdef OLD_RULE
byte used[NB];
#endif
byte pool[NB];          /* the free blocks, a stack */
byte npool;
byte blap[NB];          /* ghost: the lap the block serves, or POOL, ALLOC */

#define lap(i) ((i) / N)
#define ring(i) (lap(i) % C)
#define at(b, i) slots[(b) * N + (i) % N]

#ifdef NO_LAP_TAG
#define ourlap(s, L) (ringb[s] != 0)
#else
#define ourlap(s, L) (ringb[s] != 0 && ringl[s] == (L))
#endif

/* blockForPush's test of the word wb it loaded from ring slot s for lap
 * L: this lap's block; or (6) the lap C before's, whose slots pops have
 * all claimed; or empty. */
inline seen(s, L) {
  if
  :: ourlap(s, L) -> b = wb - 1
  :: !ourlap(s, L) && wb != 0 -> assert((L + 1 - C) * N <= head)  /* (6) */
  :: else
  fi
}

/* pool_.alloc: a block from the pool. */
inline palloc(b) {
  atomic {
    assert(npool > 0);      /* never more than NB blocks in use */
    npool--; b = pool[npool]; pool[npool] = 0;
    assert(blap[b] == POOL);
    blap[b] = ALLOC
  }
}

/* pool_.free(b) by a user of lap L (ALLOC for a give-back): zero popped,
 * push. */
inline pfree(b, L) {
  atomic {
    assert(blap[b] != POOL);  /* (2) freed twice */
    assert(blap[b] == L);     /* (1) freed by a user of another lap */
    popped[b] = 0;
    pool[npool] = b; npool++;
    blap[b] = POOL
  }
}

/* A pop, after its claim of index h: Q5 to Q10. */
inline pop(h, b, last) {
  atomic { ourlap(ring(h), lap(h)) -> b = ringb[ring(h)] - 1 };  /* Q5 */
  atomic {                                            /* Q6 */
    at(b, h) != 0 || blap[b] != lap(h) ->             /* or (1): freed under it */
    assert(blap[b] == lap(h));
    assert(at(b, h) == h + 1)                         /* (4) */
  };
  atomic { assert(blap[b] == lap(h)); at(b, h) = 0 }; /* Q7 */
#ifdef OLD_RULE
  d_step {
    assert(blap[b] == lap(h));
    used[b]--; last = (used[b] == 0 && h % N == N - 1);
    if :: !last -> b = 0; h = 0 :: else fi
  };
#else
  d_step {                                            /* Q8 */
    assert(blap[b] == lap(h));
    popped[b]++; last = (popped[b] == N);
    if :: !last -> b = 0; h = 0 :: else fi
  };
#endif
  if
  :: last ->
     atomic {                                         /* Q9, (2) */
       assert(ringb[ring(h)] == b + 1); ringb[ring(h)] = 0; ringl[ring(h)] = 0
     };
     atomic { pfree(b, lap(h)); b = 0; h = 0; last = 0 }   /* Q10 */
  :: else
  fi
}

/* A pusher pushes PER items. t: the index it claimed, its item t + 1. */
proctype Pusher() {
  byte k, h, t, b, wb, nb;
  for (k : 1 .. PER) {
    /* P1, P2: claim the tail; a full set: retry. */
#ifdef SPLIT
#ifdef NO_CAPACITY
    atomic { h = head; t = tail };
#else
    atomic { tail - head < CAP -> h = head; t = tail };
#endif
    do
    :: d_step {
         head == h && tail == t -> tail = t + 1; h = 0
       }; break
    :: d_step {
         else -> h = head; t = tail
       };
#ifndef NO_CAPACITY
       if
       :: t - h >= CAP ->                             /* full */
          atomic { tail - head < CAP -> h = head; t = tail }
       :: else
       fi
#endif
    od;
#else
#ifdef NO_CAPACITY
    d_step { t = tail; tail++ };
#else
    d_step { tail - head < CAP -> t = tail; tail++ };
#endif
#endif
    /* blockForPush(lap(t)). */
    b = NB;
    atomic { wb = ringb[ring(t)]; seen(ring(t), lap(t)) };  /* B1 */
    do
    :: b != NB -> break
    :: b == NB && wb != 0 ->                          /* B2 */
       atomic { ringb[ring(t)] != wb -> wb = ringb[ring(t)]; seen(ring(t), lap(t)) }
    :: b == NB && wb == 0 ->
       palloc(nb);                                    /* B3 */
       atomic {                                       /* B4 */
         if
         :: ringb[ring(t)] == 0 ->
            ringb[ring(t)] = nb + 1; ringl[ring(t)] = lap(t); blap[nb] = lap(t); b = nb
         :: else -> wb = ringb[ring(t)]; seen(ring(t), lap(t))
         fi
       };
       if
       :: b != nb -> pfree(nb, ALLOC)                 /* B5 */
       :: else
       fi;
       nb = 0
    od;
#ifdef OLD_RULE
    atomic { assert(blap[b] == lap(t)); used[b]++ };
#endif
    atomic {                                          /* P3 */
      assert(blap[b] == lap(t));                      /* (1) */
      assert(at(b, t) == 0);                          /* (4) */
      at(b, t) = t + 1;
      b = 0; wb = 0; t = 0
    }
  }
}

/* A popper pops until all items are popped; an empty pop: retry. h: the
 * index it claimed. */
proctype Popper() {
  byte h, t, b;
  bool last;
  do
  :: head == END -> break
#ifdef SPLIT
  :: atomic { head != tail -> h = head; t = tail };   /* Q1 */
     do
     :: h == t -> break                               /* Q2: empty */
     :: h != t && !ourlap(ring(h), lap(h)) -> break   /* Q3: empty */
     :: h != t && ourlap(ring(h), lap(h)) ->
        if
        :: d_step { head == h && tail == t -> head = h + 1; t = 0 };  /* Q4 */
           pop(h, b, last);
           break
        :: d_step { else -> h = head; t = tail }     /* Q4 failed */
        fi
     od;
     h = 0; t = 0
#else
  :: d_step {                                         /* Q1 to Q4 */
       head != tail && ourlap(ring(head), lap(head)) -> h = head; head++
     };
     pop(h, b, last)
#endif
  od
}

init {
  byte k, b;
  atomic {
    /* START items pushed and popped one at a time before: every lap
     * before START's is freed; START's lap holds block 0 if begun. */
    for (k : 0 .. NB - 1) { blap[k] = POOL };
    if
    :: START % N != 0 ->
       ringb[ring(START)] = 1; ringl[ring(START)] = lap(START);
       blap[0] = lap(START); popped[0] = START % N;
       for (k : 1 .. NB - 1) { pool[npool] = k; npool++ }
    :: else ->
       for (k : 0 .. NB - 1) { pool[npool] = k; npool++ }
    fi;
    run Pusher(); run Pusher();
    run Popper(); run Popper(); run Popper()
  };
  _nr_pr == 1;                              /* everyone done: (5) */
  atomic {
    assert(head == END && tail == END);     /* (4): with Q6's check */
    /* reset(): the block holding the head, if the head is inside one,
     * stays in the ring; it has seen a pop and not all N. */
    if
    :: ringb[ring(END)] != 0 && ringl[ring(END)] == lap(END) ->
       b = ringb[ring(END)] - 1;
#ifndef OLD_RULE
       assert(popped[b] != 0 && popped[b] != N);
#endif
       ringb[ring(END)] = 0; ringl[ring(END)] = 0;
       pfree(b, lap(END))
    :: else
    fi;
    /* Every other block was freed by its last popper: (3). */
    for (k : 0 .. C - 1) { assert(ringb[k] == 0) };
    assert(npool == NB);
    for (k : 0 .. NB * N - 1) { assert(slots[k] == 0) }
  }
}
