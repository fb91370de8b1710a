"""Hostile .tms files, and the CLI's behaviour on them.

  hostile.py make GOOD.tms OUTDIR   write crafted files made from a good one
                                    (test/Inputs/basic.txt's layout)
  hostile.py check TRACEMALLOC FILE_OR_DIR...
                                    run `tracemalloc stats` and `top` on each
                                    file: exit 0, or exit 2 with exactly one
                                    line "tracemalloc: error: FILE: ..." on
                                    stderr; never a signal, never "out of
                                    memory" (the files are small, and the
                                    address space is limited to 1 GiB, so
                                    an allocation the file does not justify
                                    fails). Prints "NAME: first stderr line"
                                    for each rejected file.
  hostile.py endless GOOD.tms       write GOOD.tms then zero bytes to stdout
                                    until the reader goes away

The crafted files carry a correct checksum, so that what they damage is
what the loader must catch: lying counts and offsets, huge declared sizes,
wrong versions, indices out of range.
"""
import os
import resource
import struct
import subprocess
import sys

# The checksum of the .tms format, shared with the tests' file editor.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "format", "Inputs"))
from corrupt import tms_checksum  # noqa: E402

HEADER = 72


def with_checksum(body):
    return body + struct.pack("<Q", tms_checksum(body))


def make(good_path, outdir):
    good = open(good_path, "rb").read()
    body = bytearray(good[:-8])
    (strings_size,) = struct.unpack_from("<Q", body, 32)
    (frames,) = struct.unpack_from("<Q", body, 40)
    (tb_size,) = struct.unpack_from("<Q", body, 56)
    frames_at = HEADER + strings_size
    tracebacks_at = frames_at + 12 * frames
    traces_at = tracebacks_at + tb_size
    (ntraces,) = struct.unpack_from("<Q", body, 64)
    sections_at = traces_at + 16 * ntraces

    def put(name, data):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)

    def patched(fmt, offset, value):
        b = bytearray(body)
        struct.pack_into(fmt, b, offset, value)
        return with_checksum(bytes(b))

    put("version-4.tms", patched("<I", 8, 4))
    put("version-0.tms", patched("<I", 8, 0))
    put("limit-0.tms", patched("<I", 12, 0))
    put("limit-huge.tms", patched("<I", 12, 0xFFFFFFFF))
    put("huge-string-count.tms", patched("<Q", 24, 1 << 62))
    put("huge-string-table.tms", patched("<Q", 32, (1 << 64) - 1))
    put("huge-frame-count.tms", patched("<Q", 40, (1 << 62) + 1))
    put("huge-traceback-count.tms", patched("<Q", 48, 1 << 40))
    put("huge-traceback-table.tms", patched("<Q", 56, (1 << 64) - 8))
    put("huge-trace-count.tms", patched("<Q", 64, (1 << 60) + 1))
    # Sizes that still add up to the file's length, but cut tables at the
    # wrong places.
    b = bytearray(body)
    struct.pack_into("<Q", b, 32, strings_size - 4)
    struct.pack_into("<Q", b, 56, tb_size + 4)
    struct.pack_into("<Q", b, 40, frames)
    put("shifted-tables.tms", with_checksum(bytes(b)))
    b = bytearray(body)
    struct.pack_into("<Q", b, 48, 2)  # fewer tracebacks than the table has
    put("traceback-count-low.tms", with_checksum(bytes(b)))
    put("string-length-huge.tms", patched("<I", HEADER, 0xFFFFFFFF))
    put("string-nul.tms", patched("<B", HEADER + 4, 0))
    put("frame-filename-index.tms", patched("<I", frames_at, 0xFFFFFFFF))
    put("frame-function-index.tms", patched("<I", frames_at + 4, 1000))
    put("traceback-nframe-0.tms", patched("<I", tracebacks_at + 4, 0))
    put("traceback-nframe-huge.tms", patched("<I", tracebacks_at + 4, 70000))
    put("traceback-total-huge.tms", patched("<I", tracebacks_at, 1 << 31))
    put("traceback-frame-index.tms", patched("<I", tracebacks_at + 8, 7))
    put("trace-traceback-index.tms", patched("<I", traces_at + 4, 1 << 31))
    put("trace-size-huge.tms", patched("<Q", traces_at + 8, (1 << 64) - 1))
    put("huge-section-area.tms", patched("<Q", sections_at, (1 << 64) - 1))
    b = bytearray(body)
    b[sections_at + 8:sections_at + 8] = struct.pack("<IIQ", 7, 0, 1 << 63)
    struct.pack_into("<Q", b, sections_at, 16)
    put("huge-section-length.tms", with_checksum(bytes(b)))
    put("checksum-only.tms", good[-8:])
    put("magic-only.tms", good[:8])
    put("header-only.tms", good[:HEADER])


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def check(tool, paths):
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(os.path.join(path, f) for f in os.listdir(path))
        else:
            files.append(path)
    failures = 0
    loaded = rejected = 0
    for path in files:
        for command in ("stats", "top"):
            p = subprocess.run([tool, command, path], capture_output=True,
                               preexec_fn=limit_memory)
            err = p.stderr.decode("utf-8", "replace")
            lines = err.splitlines()
            ok = p.returncode == 0 or (
                p.returncode == 2 and len(lines) == 1 and
                lines[0].startswith("tracemalloc: error: " + path + ": ") and
                "out of memory" not in lines[0])
            if p.returncode == 0 and "lost_traces" not in p.stdout.decode(
                    "utf-8", "replace") and command == "stats":
                ok = False
            if not ok:
                failures += 1
                print("FAILED: %s %s: exit %d, stderr %r" %
                      (command, path, p.returncode, err))
            elif command == "stats":
                if p.returncode == 0:
                    loaded += 1
                else:
                    rejected += 1
                    print("%s: %s" % (os.path.basename(path),
                                      lines[0][len("tracemalloc: error: " +
                                                   path + ": "):]))
    print("%d files: %d loaded, %d rejected, %d failures" %
          (len(files), loaded, rejected, failures))
    return 1 if failures else 0


def endless(good_path):
    out = sys.stdout.buffer
    try:
        out.write(open(good_path, "rb").read())
        zeros = bytes(65536)
        while True:
            out.write(zeros)
    except BrokenPipeError:
        # The reader has stopped reading, as it should: quietly done.
        sys.stderr.close()
        os._exit(0)


if __name__ == "__main__":
    if sys.argv[1] == "endless":
        endless(sys.argv[2])
    elif sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3:]))
