# The oracle: CPython's own tracemalloc and TraceMalloc trace the same
# workload at the same time. The growth of traced memory must agree within
# 1% or 64 KiB: TraceMalloc's domains 1-3 (PyMem_Raw*, PyMem_*, PyObject_*)
# are the three allocator domains Python's tracemalloc hooks. Both start
# tracing together, so blocks allocated before are unknown to both.
# Python's tracemalloc keeps working with TraceMalloc around it.
import os
import sys
import tracemalloc

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.dirname(__file__))
import ctracemalloc
import workload


def ours():
    sizes = ctracemalloc.get_traced_memory_by_domain()
    return sum(sizes.get(domain, 0) for domain in ctracemalloc.PYTHON_DOMAINS)


def agree(name, theirs, mine):
    ok = abs(theirs - mine) <= max(theirs * 0.01, 65536)
    print(f"{name}: {'agree' if ok else 'DISAGREE'}")
    if not ok:
        print(f"  python {theirs} tracemalloc-c {mine}", file=sys.stderr)


ctracemalloc.start(1)
tracemalloc.start(5)
py_before = tracemalloc.get_traced_memory()[0]
tm_before = ours()

data = list(workload.build(50000))
py_built = tracemalloc.get_traced_memory()[0]
tm_built = ours()
agree("growth", py_built - py_before, tm_built - tm_before)

# Half of it goes, some grows (reallocs of lists and dicts).
del data[1], data[3]
grow = list(data[0])
for i in range(200000):
    grow.append(i)
py_after = tracemalloc.get_traced_memory()[0]
tm_after = ours()
agree("after frees and reallocs", py_after - py_before, tm_after - tm_before)
print("grown over 10 MB", py_built - py_before > 10_000_000)

# Python's own tracemalloc still works: its biggest line is the workload's.
snapshot = tracemalloc.take_snapshot()
top = snapshot.statistics("lineno")[0]
print("python top", os.path.basename(top.traceback[0].filename))
tracemalloc.stop()
ctracemalloc.stop()
