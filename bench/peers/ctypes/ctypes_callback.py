#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The ctypes peer of cbridge's warm callback from a foreign thread
(bench/compare.py): a pthread created by a small C library (cthread.c,
built by compare.py) calls an empty Python function through a ctypes
CFUNCTYPE pointer in a loop. Prints "CtypesCThreadCallsPython NS", the
median of 5 loops' ns per call.

Usage: ctypes_callback.py LIBCTHREAD_SO"""
import ctypes
import sys


def main():
    lib = ctypes.CDLL(sys.argv[1])  # CDLL releases the GIL during the call
    lib.cthread_calls_ns.restype = ctypes.c_double
    lib.cthread_calls_ns.argtypes = [ctypes.CFUNCTYPE(None), ctypes.c_long]
    cb = ctypes.CFUNCTYPE(None)(lambda: None)
    runs = sorted(lib.cthread_calls_ns(cb, 10000) for _ in range(5))
    if runs[0] < 0:
        sys.exit("ctypes_callback: the C thread could not start")
    print(f"CtypesCThreadCallsPython {runs[2]:.2f}")


if __name__ == "__main__":
    main()
