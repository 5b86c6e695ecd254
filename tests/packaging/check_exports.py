#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails unless libcbridge.so (or libcbridge.dll) exports exactly cbridge's public API.

The API is what the headers in include/cbridge/ mark CBRIDGE_EXPORT
(export.h): C functions (cbridge_*), functions and variables of namespace
cbridge (cbridge::detail's among them: the inline templates call those),
and the classes declared `class CBRIDGE_EXPORT Name`, with their members,
typeinfo and vtables. The library is built with -fvisibility=hidden and a
version script (cmake/libcbridge.map); this test reads the result, the
dynamic symbol table (nm -D --defined-only), and fails on

  - a symbol outside the API: not cbridge_* in C, not in namespace cbridge
    in C++ (std:: template instantiations, Boost, libffi...), in one of
    the internal namespaces (cbridge::rt, ::bridge, ::cb, ::stackbounds,
    ::net::detail), or in namespace cbridge but neither declared
    CBRIDGE_EXPORT nor a member of an exported class;
  - a declaration marked CBRIDGE_EXPORT whose symbol is missing (its
    definition did not see the declaration, so it was compiled hidden);
  - an exception class (a public class deriving from a std:: class, as
    those of errors.hpp do) whose typeinfo is not exported: a catch by type
    in another module must match the library's throw. (libstdc++ would
    still match a hidden copy, by comparing the types' names; libc++
    compares the typeinfo's address.)

A DLL (libcbridge.dll, built with mingw-w64: export.h's dllexport; read
by scripts/test-windows) is held to the same rules through its export
table (objdump -p), which lists what the dynamic symbol table would.

Usage: check_exports.py LIBRARY INCLUDE_DIR
"""
import pathlib
import re
import shutil
import subprocess
import sys

INTERNAL = ("cbridge::rt::", "cbridge::bridge::", "cbridge::cb::", "cbridge::stackbounds::",
            "cbridge::net::detail::")
# Prefixes nm -C puts before the name of a special symbol of a class or variable.
SPECIAL = ("typeinfo name for ", "typeinfo for ", "vtable for ", "VTT for ", "construction vtable for ",
           "guard variable for ", "non-virtual thunk to ", "virtual thunk to ",
           "covariant return thunk to ", "TLS init function for ", "TLS wrapper function for ")


def exported_names(lib):
    if not lib.lower().endswith(".dll"):
        out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True,
                             text=True).stdout
        return [line.split()[-1] for line in out.splitlines() if line.strip()]
    # The PE export table: the names listed after "[Ordinal/Name Pointer]
    # Table", one "[ordinal] name" a line, up to the blank line.
    objdump = shutil.which("x86_64-w64-mingw32-objdump") or "objdump"
    out = subprocess.run([objdump, "-p", lib], check=True, capture_output=True, text=True).stdout
    names = []
    table = False
    for line in out.splitlines():
        if line.startswith("[Ordinal/Name Pointer] Table"):
            table = True
        elif table and not line.strip():
            break
        elif table:
            names.append(line.split()[-1])
    return names


def dynamic_symbols(lib):
    raw = exported_names(lib)
    demangled = subprocess.run(["c++filt"], input="\n".join(raw), check=True, capture_output=True,
                               text=True).stdout.splitlines()
    return list(zip(raw, demangled))


def strip_comments(s):
    return re.sub(r"//[^\n]*|/\*.*?\*/", "", s, flags=re.S)


def strip_templates(s):
    prev = None
    while prev != s:
        prev, s = s, re.sub(r"<[^<>]*>", "", s)
    return s


def qualified_name(demangled):
    """cbridge::Library::symbol(...) const -> ['cbridge', 'Library', 'symbol']"""
    name = demangled.replace("[abi:cxx11]", "")
    for p in SPECIAL:
        if name.startswith(p):
            name = name[len(p):]
            break
    m = re.match(r"((?:[\w~]+::)*(?:operator\W+|~?\w+))", strip_templates(name))
    return m.group(1).split("::") if m else [name]


def main():
    lib, include = sys.argv[1], pathlib.Path(sys.argv[2])
    headers = {p: strip_comments(p.read_text()) for p in sorted(include.rglob("*.h*")) if p.name != "export.h"}
    text = "\n".join(headers.values())
    classes = set(re.findall(r"\b(?:class|struct)\s+CBRIDGE_EXPORT\s+(\w+)", text))
    # A declaration: CBRIDGE_EXPORT, then up to the name that a '(' (a
    # function) or a ';' (a variable) follows, on one or more lines.
    declared = set(re.findall(r"\bCBRIDGE_EXPORT\s+(?!class\b|struct\b)[^;{}()]*?(\w+)\s*[(;]", text))
    c_declared = {n for n in declared if n.startswith("cbridge_")}

    errors = []
    exported_names = set()
    exported_typeinfo = set()
    syms = dynamic_symbols(lib)
    for raw, dem in syms:
        if not raw.startswith("_Z"):  # C
            exported_names.add(raw)
            if not raw.startswith("cbridge_"):
                errors.append(f"C symbol outside the cbridge_ API: {raw}")
            elif raw not in c_declared:
                errors.append(f"C symbol not declared CBRIDGE_EXPORT in include/cbridge: {raw}")
            continue
        q = qualified_name(dem)
        full = "::".join(q) + "::"
        if q[0] != "cbridge":
            errors.append(f"C++ symbol outside namespace cbridge: {dem}")
            continue
        if full.startswith(INTERNAL):
            errors.append(f"internal symbol: {dem}")
            continue
        if dem.startswith("typeinfo for "):
            exported_typeinfo.add(q[-1])
        exported_names.add(q[-1])
        if not any(c in classes for c in q[1:]) and q[-1] not in declared:
            errors.append(f"C++ symbol neither declared CBRIDGE_EXPORT nor of an exported class: {dem}")

    for name in sorted(declared - exported_names):
        errors.append(f"declared CBRIDGE_EXPORT but not exported (its definition is hidden): {name}")
    # Exception classes: those deriving from a std:: class.
    thrown = set(re.findall(r"\bclass\s+(?:CBRIDGE_EXPORT\s+)?(\w+)\s*(?:final\s*)?:\s*public\s+std::", text))
    for cls in sorted(thrown - exported_typeinfo):
        errors.append(f"typeinfo of exception class {cls} not exported (class CBRIDGE_EXPORT {cls}): "
                      "a catch by type in another module must match the library's throw")

    print(f"{len(syms)} dynamic symbols; {len(classes)} exported classes, {len(declared)} exported declarations")
    for e in errors:
        print("FAIL:", e)
    if errors:
        print(f"{len(errors)} problem(s): only the public API may leave the library (see cmake/libcbridge.map)")
        return 1
    print("exports: only the public API")
    return 0


if __name__ == "__main__":
    sys.exit(main())
