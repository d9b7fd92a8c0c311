#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""libvoid's object files form no import circle.

Reads `nm` of the static archive (one member per libvoid/*.c) and draws an
edge A -> B when A uses a symbol that B defines.  Any strongly connected
set of two or more files is a circle: it is printed with the symbols that
close it, and the test fails.  Shared helpers belong in utils.c and fs.c,
which depend on no domain file (issue 19).

Also the builder's rule: builder.c holds only the builder's lifecycle
(vd_builder_new, vd_builder_free); a setter, the free of its fields and its
child step live in the file of their concern.  Any other symbol builder.c
defines fails the test.

Usage: libvoid-circles.py LIBVOID_ARCHIVE
"""
import os
import subprocess
import sys


def read_archive(path):
    """{member: (defined symbols, used symbols)} from nm's listing."""
    out = subprocess.run(["nm", path], capture_output=True, text=True, check=True).stdout
    members, member = {}, None
    for line in out.splitlines():
        if line.endswith(":") and " " not in line:
            member = os.path.basename(line[:-1]).replace(".c.o", "")
            members[member] = (set(), set())
            continue
        parts = line.split()
        if member is None:
            continue
        if len(parts) == 3 and parts[1] in "TDBRC":
            members[member][0].add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            members[member][1].add(parts[1])
    return members


def circles(graph):
    """The strongly connected sets of two or more nodes (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main():
    if len(sys.argv) != 2:
        print("usage: libvoid-circles.py LIBVOID_ARCHIVE", file=sys.stderr)
        return 2
    members = read_archive(sys.argv[1])
    if len(members) < 10:
        print(f"libvoid-circles: {sys.argv[1]} lists {len(members)} members: not libvoid",
              file=sys.stderr)
        return 1
    owner = {}
    for name, (defined, _) in members.items():
        for sym in defined:
            owner[sym] = name
    graph = {name: {owner[s] for s in used if s in owner and owner[s] != name}
             for name, (_, used) in members.items()}
    bad = circles(graph)
    for part in bad:
        print(f"circle of {len(part)} files: {' '.join(part)}")
        for a in part:
            for b in sorted(graph[a] & set(part)):
                syms = sorted(s for s in members[a][1] if owner.get(s) == b)
                print(f"  {a}.c uses {b}.c: {' '.join(syms)}")
    builder_core = {"vd_builder_new", "vd_builder_free"}
    extra = sorted(members.get("builder", (set(), set()))[0] - builder_core)
    if extra:
        print(f"builder.c defines more than the builder's lifecycle: {' '.join(extra)} "
              "(a setter lives in the file of its concern)")
    edges = sum(len(v) for v in graph.values())
    print(f"libvoid-circles: {len(members)} files, {edges} edges, {len(bad)} circles")
    return 1 if bad or extra else 0


if __name__ == "__main__":
    sys.exit(main())
