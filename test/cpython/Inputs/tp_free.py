# Objects are freed through tp_free (PyObject_GC_Del -> PyObject_Free), an
# indirect call: once they are gone, the object domain is back where it was.
import sys

sys.path.insert(0, sys.argv[1])
import ctracemalloc


class Instance:
    pass


ctracemalloc.start(1)
before = ctracemalloc.get_traced_memory_by_domain()
objects = [Instance() for _ in range(100000)]
strings = [str(i) * 3 for i in range(100000)]
during = ctracemalloc.get_traced_memory_by_domain()
del objects, strings
after = ctracemalloc.get_traced_memory_by_domain()
grown = during.get(3, 0) - before.get(3, 0)
left = after.get(3, 0) - before.get(3, 0)
print("grown over 5 MB", grown > 5_000_000)
print("freed all but 64 KiB", abs(left) < 65536, left)
