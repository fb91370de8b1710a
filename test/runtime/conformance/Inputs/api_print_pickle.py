"""Load a snapshot with Python's own tracemalloc.Snapshot.load() and print
its raw traces, one repr() a line, then the traceback limit: what the C
tests print for the snapshot they exported with
tracemalloc_snapshot_dump_pickle().

    api_print_pickle.py FILE.pickle
"""
import sys
import tracemalloc

snapshot = tracemalloc.Snapshot.load(sys.argv[1])
lines = [repr(trace) for trace in snapshot.traces._traces]
lines.append("traceback_limit=%d" % snapshot.traceback_limit)
sys.stdout.buffer.write(("\n".join(lines) + "\n").encode("utf-8",
                                                         "surrogateescape"))
