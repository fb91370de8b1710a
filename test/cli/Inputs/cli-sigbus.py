"""SIGBUS while the CLI holds a snapshot file, as a truncated mapped file
raises it: the CLI must print its one error line and exit with status 2.

    cli-sigbus.py TRACEMALLOC FIFO

Starts 'TRACEMALLOC top FIFO', waits until it is blocked opening the FIFO
(the handler is in place by then: it is set before the load opens the
file), sends it SIGBUS, and prints its exit status and stderr.
"""
import os
import platform
import signal
import subprocess
import sys
import time

# openat's number, which /proc/PID/syscall shows while the call blocks.
SYS_OPENAT = {"x86_64": 257, "aarch64": 56, "riscv64": 56}[platform.machine()]
cli, fifo = sys.argv[1:]
child = subprocess.Popen([cli, "top", fifo], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    with open("/proc/%d/syscall" % child.pid) as f:
        fields = f.read().split()
    if fields and fields[0] == str(SYS_OPENAT):
        break
    time.sleep(0.01)
else:
    child.kill()
    sys.exit("cli-sigbus.py: the CLI never blocked opening %s" % fifo)
os.kill(child.pid, signal.SIGBUS)
out, err = child.communicate()
print("status %d" % child.returncode)
sys.stdout.write(out.decode())
sys.stdout.write(err.decode())
