"""Python's str(StatisticDiff) and str(Trace) as the oracle of
tracemalloc_statistic_diff_format() and tracemalloc_trace_format().

    api_format.py input      "diff SIZE SIZE_DIFF COUNT COUNT_DIFF" and
                             "trace SIZE" lines
    api_format.py expected   str() of each, in the same order
"""
import random
import sys
import tracemalloc

# Around every unit boundary of _format_size, both signs.
EDGES = [0, 1, 99, 100, 1023, 1024, 10239, 10240, 10241, 102348, 102399,
         102400, 1048575, 1048576, 10485759, 10485760, 2**30, 2**40 - 1,
         2**40, 10 * 2**40, 2**50 + 12345, 2**62]


def cases():
    rng = random.Random(5)
    out = []
    for size in EDGES:
        out.append(("trace", size))
        for diff in EDGES:
            for sign in (1, -1):
                count = rng.choice([0, 1, 3, 1000])
                count_diff = sign * rng.choice([0, 1, 5, 2**40])
                out.append(("diff", size, sign * diff, count, count_diff))
    for _ in range(500):
        size = rng.randrange(0, 2**rng.randrange(1, 62))
        diff = rng.randrange(-2**62, 2**62) >> rng.randrange(0, 62)
        count = rng.randrange(0, 2**rng.randrange(1, 40))
        out.append(("diff", size, diff, count, rng.randrange(-count, count + 1)))
    return out


def main():
    traceback = tracemalloc.Traceback((("f.c", 1),))
    for case in cases():
        if sys.argv[1] == "input":
            print(" ".join(str(x) for x in case))
        elif case[0] == "trace":
            print(tracemalloc.Trace((0, case[1], (("f.c", 1),), 1)))
        else:
            print(tracemalloc.StatisticDiff(traceback, *case[1:]))


main()
