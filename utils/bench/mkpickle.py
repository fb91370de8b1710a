#!/usr/bin/env python3
"""Build the Python tracemalloc snapshot equivalent to a .tms file and pickle
it with Snapshot.dump() (pickle.HIGHEST_PROTOCOL), from the text tms2py
prints. Used only while the CLI has no `export --format pickle`.

Like CPython's _tracemalloc._get_traces(), equal tracebacks (and frames)
are one shared tuple, so the pickle memoises them as CPython's would.

    tms2py FILE.tms | mkpickle.py OUT.pickle
"""
import sys
import tracemalloc


def main():
    out = sys.argv[1]
    lines = iter(sys.stdin)
    limit = int(next(lines).split()[1])
    frames = {}
    tracebacks = {}
    traces = []
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        domain, size, total = int(parts[0]), int(parts[1]), int(parts[2])
        key = tuple(parts[3:])
        tb = tracebacks.get(key)
        if tb is None:
            fr = []
            for i in range(3, len(parts), 2):
                f = (parts[i + 1], int(parts[i]))
                fr.append(frames.setdefault(f, f))
            tb = tracebacks[key] = tuple(fr)
        traces.append((domain, size, tb, total))
    tracemalloc.Snapshot(traces, limit).dump(out)
    print("%d traces, %d tracebacks, limit %d -> %s"
          % (len(traces), len(tracebacks), limit, out))


if __name__ == "__main__":
    main()
