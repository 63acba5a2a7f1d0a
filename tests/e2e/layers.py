#!/usr/bin/env python3
"""layers.py — what test-layers.sh checks, from the symbols of the built
objects (nm): no circle of calls between source files, and no object of a
library the program must not contain linked into it.

  layers.py cycles DIR          every .o under DIR (mains included)
  layers.py absent BIN LIB...   no global symbol defined in LIB in BIN
"""
import subprocess
import sys
from pathlib import Path


def symbols(path):
    out = subprocess.run(["nm", "--defined-only" if False else "-A", str(path)],
                         capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBRC":
            defined.add(parts[2])
        elif len(parts) == 3 and parts[1] == "U":
            undefined.add(parts[2])
        elif len(parts) == 2 and parts[0].endswith(":U"):
            undefined.add(parts[1])
    return defined, undefined


def graph(root):
    objs = sorted(p for p in Path(root).rglob("*.o") if "tests" not in p.parts)
    owner, uses = {}, {}
    for o in objs:
        d, u = symbols(o)
        for s in d:
            owner[s] = o
        uses[o] = u
    edges = {o: {owner[s] for s in u if s in owner and owner[s] != o}
             for o, u in uses.items()}
    return edges


def cycles(edges):
    """Tarjan's strongly connected components of more than one file."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    return out


def main():
    if sys.argv[1] == "cycles":
        root = Path(sys.argv[2])
        edges = graph(root)
        found = cycles(edges)
        for comp in found:
            names = [str(p.relative_to(root).with_suffix(".c")) for p in comp]
            print("circle between files: " + " <-> ".join(names))
        print(f"layers: {len(edges)} objects, {len(found)} circles")
        return 1 if found else 0
    if sys.argv[1] == "absent":
        have, _ = symbols(sys.argv[2])
        bad = 0
        for lib in sys.argv[3:]:
            theirs, _ = symbols(lib)
            hit = sorted(have & theirs)
            if hit:
                print(f"{sys.argv[2]} contains {len(hit)} symbols of {lib}: "
                      + " ".join(hit[:8]))
                bad += 1
        return 1 if bad else 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
