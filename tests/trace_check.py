#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks an execution trace (runtime/trace_json.cpp) for tests/trace_test.cpp.

Structure, always: the file parses as JSON; on every track the B/E slices
nest, each E closing the innermost open slice of its name; no "unbalanced"
marker; every task track starts with "create"; a task that ended has no
slice left open at the trace's end ("unfinished"), and each of its parks
was ended by an unpark. With --from-start (a trace from the runtime's
start) no task or slice began before the trace either.

Then it prints "metric value" lines (the counts below) and checks those
named by --eq NAME=N and --ge NAME=N. Exit 0 if everything holds; else
each failure on a line starting "FAIL".

Usage: trace_check.py FILE [--from-start] [--eq NAME=N ...] [--ge NAME=N ...]
       [--c-thread TID]
"""
import argparse
import collections
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--from-start", action="store_true")
    ap.add_argument("--eq", action="append", default=[])
    ap.add_argument("--ge", action="append", default=[])
    ap.add_argument("--c-thread", type=int, default=0)
    a = ap.parse_args()
    fails = []
    with open(a.file) as f:
        doc = json.load(f)
    evs = doc["traceEvents"]
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in evs
             if e["ph"] == "M" and e["name"] == "thread_name"}
    tracks = collections.defaultdict(list)
    for e in evs:
        if e["ph"] != "M":
            tracks[(e["pid"], e["tid"])].append(e)
    if doc["otherData"]["unbalanced"] != 0:
        fails.append(f"otherData.unbalanced = {doc['otherData']['unbalanced']}")
    m = collections.Counter()
    for (pid, tid), tr in sorted(tracks.items()):
        stack, unfinished, parks_unended = [], 0, 0
        first = tr[0]
        if pid == 2 and first["name"] != "create":
            fails.append(f"task {tid}: its track starts with {first['name']}, not create")
        ended = any(e["name"] == "end" for e in tr)
        for e in tr:
            args = e.get("args", {})
            if a.from_start and args.get("before_trace"):
                fails.append(f"track {pid}/{tid}: {e['name']} before the trace, in a trace from the start")
            if e["name"] == "unbalanced":
                fails.append(f"track {pid}/{tid}: unbalanced at {e['ts']}: {args}")
            if e["ph"] == "B":
                stack.append(e["name"])
            elif e["ph"] == "E":
                if not stack or stack[-1] != e["name"]:
                    fails.append(f"track {pid}/{tid}: E {e['name']} at {e['ts']} closes {stack[-1:]}")
                    continue
                stack.pop()
                if args.get("unfinished"):
                    unfinished += 1
                    if e["name"] == "parked":
                        parks_unended += 1
                elif e["name"] == "parked" and "by" not in args:
                    fails.append(f"task {tid}: a park at {e['ts']} ended without an unpark")
            if pid == 2:
                if e["name"] == "create" and not args.get("before_trace"):
                    m["creates"] += 1
                if e["ph"] == "B" and e["name"] == "parked":
                    m["parks"] += 1
                    m["parks_" + (args.get("reason") or "none").replace(" ", "_")] += 1
                    if args.get("reason", "").startswith("chan "):
                        m["parks_chan"] += 1
                    if "fd" in args:
                        m["parks_on_fd"] += 1
                if e["ph"] == "B" and e["name"] == "foreign call":
                    m["foreign_calls"] += 1
                if e["ph"] == "B" and e["name"] == "callback" and args.get("c_thread") == a.c_thread:
                    m["callbacks_from_c_thread"] += 1
                    if args.get("nested"):
                        fails.append(f"task {tid}: a C thread's callback marked nested")
                if e["name"] in ("netpoll wait", "netpoll ready", "preempted", "unpark"):
                    m[e["name"].replace(" ", "_")] += 1
            else:
                if e["name"].startswith("retake P"):
                    m["retakes"] += 1
                if e["name"] == "stack bounds":
                    m["stack_bounds"] += 1
        if stack:
            fails.append(f"track {pid}/{tid}: left open: {stack}")
        if pid == 2:
            m["tasks"] += 1
            if not ended:
                m["tasks_without_end"] += 1
            elif unfinished:
                fails.append(f"task {tid} ended with {unfinished} slice(s) unfinished")
            if ended and parks_unended:
                fails.append(f"task {tid} ended while parked")
    if a.c_thread:
        want = f"(extra, C thread {a.c_thread})"
        m["m_tracks_named_for_c_thread"] = sum(1 for (pid, _), n in names.items()
                                               if pid == 1 and want in n)
    for k in sorted(m):
        print(k, m[k])
    for spec, op in [(s, "==") for s in a.eq] + [(s, ">=") for s in a.ge]:
        k, _, v = spec.partition("=")
        ok = m[k] == int(v) if op == "==" else m[k] >= int(v)
        if not ok:
            fails.append(f"{k} is {m[k]}, want {op} {v}")
    for f in fails[:30]:
        print("FAIL", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
