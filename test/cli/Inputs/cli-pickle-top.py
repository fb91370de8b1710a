"""Print what 'tracemalloc top' prints, from a pickle, with Python's own
tracemalloc.Snapshot.load() and statistics().

    cli-pickle-top.py FILE.pickle KEY CUMULATIVE(0|1) LIMIT
"""
import sys
import tracemalloc

path, key, cumulative, limit = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
snapshot = tracemalloc.Snapshot.load(path)
sys.stdout.reconfigure(encoding="utf-8", newline="\n")
print("[ Top %d ]" % limit)
for stat in snapshot.statistics(key, cumulative)[:limit]:
    print(stat)
