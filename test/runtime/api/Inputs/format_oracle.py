"""Python's tracemalloc as the oracle for the C formatting functions.

    format_oracle.py input      the requests for format-statistic.c
    format_oracle.py expected   what Python answers to them

Requests: "size N" (_format_size(N, False) and (N, True)) and
"stat SIZE COUNT" (str(Statistic) of a one-frame traceback f.c:1).
"""
import sys
import tracemalloc

INT64_MAX = 2**63 - 1


def sizes():
    values = {0, 1, 99, 100, 10239, 10240, 10241, 102399, 102400, 10485759,
              10485760, INT64_MAX, 2**53 + 1, 2**62 + 12345}
    for unit in range(5):
        scale = 1024 ** unit
        for base in (1, 99, 100, 10 * 1024):
            for delta in (-1, 0, 1):
                values.add(base * scale + delta)
    # Exact binary halves: printf and Python both round them to even.
    values.update({10496, 11008, 102912, 103936, 1024 * 1024 * 99 + 52429})
    values = sorted(v for v in values if 0 <= v <= INT64_MAX)
    return values + [-v for v in values if v] + [-INT64_MAX - 1]


STATS = [(0, 0), (5, 0), (0, 1), (10, 3), (10240, 3), (102400, 7),
         (2**53 + 1, 1), (2**53 + 1, 3), (2**64 - 1, 3), (2**64 - 1, 2**64 - 1),
         (2**63 + 2**11 + 1, 2**53 + 1), (12345678901234567, 98765),
         (1, 2**64 - 1), (3, 2**60 + 1), (2**64 - 2, 2**63 - 1)]


def main():
    lines = []
    if sys.argv[1] == "input":
        lines += ["size %d" % v for v in sizes()]
        lines += ["stat %d %d" % s for s in STATS]
    else:
        traceback = tracemalloc.Traceback((("f.c", 1),))
        lines += ["%d|%s|%s" % (v, tracemalloc._format_size(v, False),
                                tracemalloc._format_size(v, True))
                  for v in sizes()]
        lines += [str(tracemalloc.Statistic(traceback, size, count))
                  for size, count in STATS]
    print("\n".join(lines))


main()
