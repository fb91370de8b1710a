"""A workload that keeps its objects alive until a snapshot is taken: lists
(PyObject_GC_New + PyMem_Malloc'd item arrays), dicts, strings, instances
and big bytes (over pymalloc's 512-byte limit: PyObject_Malloc falling back
to PyMem_RawMalloc); a thread's state comes from PyMem_RawCalloc."""
import threading


class Node:
    def __init__(self, value):
        self.value = value
        self.children = []


def build(n):
    lists = [list(range(i % 32)) for i in range(n)]
    dicts = [{"key": i, "other": str(i)} for i in range(n)]
    strings = ["x" * (i % 100) + str(i) for i in range(n)]
    nodes = [Node(i) for i in range(n)]
    blobs = [bytes(4096) for _ in range(n // 100)]
    return lists, dicts, strings, nodes, blobs


def start_thread():
    """A thread that runs until the returned event is set."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    return stop, thread
