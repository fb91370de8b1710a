# ctracemalloc.take_snapshot() is a real tracemalloc.Snapshot of the
# interpreter's C-level allocations, with Python's domains kept apart.
import os
import sys
import tracemalloc

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.dirname(__file__))
import ctracemalloc
import workload

print("available", ctracemalloc.available())
ctracemalloc.start(25)
print("tracing", ctracemalloc.is_tracing(), ctracemalloc.get_traceback_limit())
data = workload.build(10000)
stop, thread = workload.start_thread()
# Counted in C first: loading the pickled snapshot makes many objects.
by_domain = ctracemalloc.get_traced_memory_by_domain()
snapshot = ctracemalloc.take_snapshot()
print(type(snapshot).__module__, type(snapshot).__name__)
print("traceback_limit", snapshot.traceback_limit)
print("domains", sorted({trace.domain for trace in snapshot.traces}))

for domain in ctracemalloc.PYTHON_DOMAINS:
    filtered = snapshot.filter_traces([tracemalloc.DomainFilter(True, domain)])
    size = sum(stat.size for stat in filtered.statistics("filename"))
    # The two ways agree up to what was allocated in between.
    print("domain", domain, "agrees", abs(size - by_domain[domain]) < 65536)

# The biggest lines of the object domain are CPython's C code.
objects = snapshot.filter_traces([tracemalloc.DomainFilter(True, 3)])
for stat in objects.statistics("lineno")[:5]:
    frame = stat.traceback[0]
    print("object line", os.path.basename(os.path.dirname(frame.filename)),
          os.path.basename(frame.filename).rsplit(".", 1)[-1])
# Tracebacks run from the C line that called PyObject_Malloc through the
# interpreter's C frames: deep, as in a C program.
deepest = max(len(trace.traceback) for trace in objects.traces)
print("deep tracebacks", deepest >= 5)
stop.set()
thread.join()
ctracemalloc.stop()
print("stopped", ctracemalloc.is_tracing(), ctracemalloc.get_traced_memory())
