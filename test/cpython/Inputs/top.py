# Run with TRACEMALLOC=25 TRACEMALLOC_DUMP=F TRACEMALLOC_DUMP_SIGNAL=USR1:
# the snapshot written on the signal has the workload's objects alive, and
# they are leaked on purpose (one reference too many), so the snapshot
# written at exit, after the interpreter's finalization, has them too.
import ctypes
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import workload

data = workload.build(20000)
ctypes.pythonapi.Py_IncRef(ctypes.py_object(data))
numbered = sys.argv[1]
os.kill(os.getpid(), signal.SIGUSR1)
# The runtime's dumper thread writes it.
for _ in range(600):
    if os.path.exists(numbered):
        break
    time.sleep(0.05)
print("dumped" if os.path.exists(numbered) else "no dump")
