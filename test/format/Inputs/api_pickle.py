"""Read the pickles written by pickle.c with Python's own
tracemalloc.Snapshot.load() and print what they hold.

    api_pickle.py dis FILE      pickletools' disassembly
    api_pickle.py load FILE...  ascii() of each raw trace (most recent frame
                                first), or only the first and last two when
                                there are many, and the traceback limit
"""
import pickletools
import sys
import tracemalloc


def load(path):
    snapshot = tracemalloc.Snapshot.load(path)
    traces = snapshot.traces._traces
    print("%s: %s with %s of %d traces, limit %d" % (
        path.rsplit("/", 1)[-1], type(snapshot).__name__,
        type(snapshot.traces).__name__, len(traces),
        snapshot.traceback_limit))
    shown = traces if len(traces) <= 20 else traces[:2] + traces[-2:]
    for trace in shown:
        print(ascii(trace))


if sys.argv[1] == "dis":
    with open(sys.argv[2], "rb") as f:
        pickletools.dis(f)
else:
    for path in sys.argv[2:]:
        load(path)
