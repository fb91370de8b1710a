"""Run a command that must fail the way the tracemalloc tools fail.

    expect_error.py COMMAND [ARG...]

Checks that COMMAND exits with status 2, prints nothing on stdout and
exactly one line on stderr, and copies that line to stdout for FileCheck.
Exits with 1 (and says why) otherwise.
"""
import subprocess
import sys

result = subprocess.run(sys.argv[1:], capture_output=True)
problems = []
if result.returncode != 2:
    problems.append("exit status %d, expected 2" % result.returncode)
if result.stdout:
    problems.append("unexpected stdout: %r" % result.stdout)
if result.stderr.count(b"\n") != 1 or not result.stderr.endswith(b"\n"):
    problems.append("stderr is not one line: %r" % result.stderr)
sys.stdout.buffer.write(result.stderr)
if problems:
    sys.exit("expect_error.py: " + "; ".join(problems))
