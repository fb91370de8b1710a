"""TraceMalloc from inside a python built with it (utils/cpython/build).

The tracer is linked into the interpreter, so ctypes reaches its C API
through the program itself (CDLL(None)). Snapshots come back as real
tracemalloc.Snapshot objects (written as a pickle by
tracemalloc_snapshot_dump_pickle, read by Snapshot.load), so every tool
that takes a tracemalloc snapshot takes ours:

    import ctracemalloc
    ctracemalloc.start(25)          # or TRACEMALLOC=25 in the environment
    ...
    snapshot = ctracemalloc.take_snapshot()
    for stat in snapshot.statistics("lineno")[:10]:
        print(stat)

Unlike the tracemalloc module, which sees Python's three allocator
domains as one, TraceMalloc keeps them apart (utils/cpython/cpython.tmconf):
PyMem_Raw* in domain 1, PyMem_* in 2, PyObject_* in 3, and everything
allocated with malloc and friends directly (C libraries, extension modules)
in domain 0. tracemalloc.DomainFilter selects them.
"""

import ctypes
import os
import tempfile
import tracemalloc

__all__ = [
    "RAW_DOMAIN",
    "MEM_DOMAIN",
    "OBJECT_DOMAIN",
    "PYTHON_DOMAINS",
    "available",
    "start",
    "stop",
    "is_tracing",
    "clear_traces",
    "get_traceback_limit",
    "get_traced_memory",
    "get_traced_memory_by_domain",
    "take_snapshot",
]

RAW_DOMAIN = 1
MEM_DOMAIN = 2
OBJECT_DOMAIN = 3
PYTHON_DOMAINS = (RAW_DOMAIN, MEM_DOMAIN, OBJECT_DOMAIN)


class _Trace(ctypes.Structure):
    # tracemalloc_trace of tracemalloc.h.
    _fields_ = [
        ("domain", ctypes.c_uint),
        ("size", ctypes.c_size_t),
        ("traceback", ctypes.c_void_p),
    ]


_lib = None


def _runtime():
    global _lib
    if _lib is not None:
        return _lib
    lib = ctypes.CDLL(None)
    try:
        lib.tracemalloc_take_snapshot
    except AttributeError:
        raise RuntimeError(
            "this python is not built with TraceMalloc (utils/cpython/build)"
        ) from None
    snapshot_p = ctypes.c_void_p
    signatures = {
        "tracemalloc_start": (ctypes.c_int, [ctypes.c_uint]),
        "tracemalloc_stop": (None, []),
        "tracemalloc_is_tracing": (ctypes.c_int, []),
        "tracemalloc_clear_traces": (None, []),
        "tracemalloc_get_traceback_limit": (ctypes.c_uint, []),
        "tracemalloc_get_traced_memory": (
            None,
            [ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_size_t)],
        ),
        "tracemalloc_last_error": (ctypes.c_char_p, []),
        "tracemalloc_take_snapshot": (snapshot_p, []),
        "tracemalloc_snapshot_free": (None, [snapshot_p]),
        "tracemalloc_snapshot_trace_count": (ctypes.c_size_t, [snapshot_p]),
        "tracemalloc_snapshot_trace": (
            ctypes.POINTER(_Trace),
            [snapshot_p, ctypes.c_size_t],
        ),
        "tracemalloc_snapshot_dump_pickle": (
            ctypes.c_int,
            [snapshot_p, ctypes.c_char_p],
        ),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    _lib = lib
    return lib


def _error(what):
    message = _runtime().tracemalloc_last_error() or b""
    return RuntimeError(f"{what}: {message.decode(errors='replace')}")


def available():
    """Whether this python has TraceMalloc linked in."""
    try:
        _runtime()
    except (RuntimeError, OSError):
        return False
    return True


def start(nframe=1):
    """Start tracing with at most nframe frames per traceback."""
    if _runtime().tracemalloc_start(nframe) < 0:
        raise ValueError("the number of frames must be in range [1; 65535]")


def stop():
    """Stop tracing and drop every trace."""
    _runtime().tracemalloc_stop()


def is_tracing():
    return bool(_runtime().tracemalloc_is_tracing())


def clear_traces():
    _runtime().tracemalloc_clear_traces()


def get_traceback_limit():
    return _runtime().tracemalloc_get_traceback_limit()


def get_traced_memory():
    """(current, peak) size of the traced blocks of every domain."""
    current, peak = ctypes.c_size_t(), ctypes.c_size_t()
    _runtime().tracemalloc_get_traced_memory(ctypes.byref(current), ctypes.byref(peak))
    return current.value, peak.value


def get_traced_memory_by_domain():
    """{domain: current size} of the traced blocks, from a snapshot taken in
    C (no pickle, no Python objects per trace)."""
    lib = _runtime()
    snapshot = lib.tracemalloc_take_snapshot()
    if not snapshot:
        raise _error("take_snapshot")
    sizes = {}
    try:
        for index in range(lib.tracemalloc_snapshot_trace_count(snapshot)):
            trace = lib.tracemalloc_snapshot_trace(snapshot, index).contents
            sizes[trace.domain] = sizes.get(trace.domain, 0) + trace.size
    finally:
        lib.tracemalloc_snapshot_free(snapshot)
    return sizes


def take_snapshot():
    """A tracemalloc.Snapshot of the blocks TraceMalloc traces now."""
    lib = _runtime()
    snapshot = lib.tracemalloc_take_snapshot()
    if not snapshot:
        raise _error("take_snapshot")
    fd, path = tempfile.mkstemp(prefix="ctracemalloc-", suffix=".pickle")
    os.close(fd)
    try:
        if lib.tracemalloc_snapshot_dump_pickle(snapshot, os.fsencode(path)) < 0:
            raise _error("dump_pickle")
        return tracemalloc.Snapshot.load(path)
    finally:
        lib.tracemalloc_snapshot_free(snapshot)
        os.unlink(path)
