"""cpython_bench.py - benchmark workload 4: a Python program on CPython.

What an ordinary Python program does to the allocator: JSON documents
encoded and decoded, text split and counted in dicts, objects of small
classes created and dropped (with a reference cycle now and then for the
garbage collector), lists sorted, strings formatted and joined, regular
expressions run. Deterministic; prints a checksum line.

    python cpython_bench.py [SCALE]
"""
import json
import random
import re
import sys
from collections import Counter

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu "
         "nu xi omicron pi rho sigma tau upsilon phi chi psi omega").split()


def make_document(rng, depth):
    if depth == 0:
        return rng.choice([rng.randrange(1 << 30), rng.random(),
                           rng.choice(WORDS) * rng.randrange(1, 4), None, True])
    if rng.random() < 0.5:
        return [make_document(rng, depth - 1) for _ in range(rng.randrange(1, 6))]
    return {"%s_%d" % (rng.choice(WORDS), i): make_document(rng, depth - 1)
            for i in range(rng.randrange(1, 6))}


def json_round_trips(rng, n):
    total = 0
    for _ in range(n):
        doc = make_document(rng, 5)
        text = json.dumps(doc, sort_keys=True)
        total += len(text) + len(json.dumps(json.loads(text)))
    return total


def word_counts(rng, n):
    lines = [" ".join(rng.choice(WORDS) + str(rng.randrange(50))
                      for _ in range(rng.randrange(5, 30)))
             for _ in range(n)]
    counts = Counter()
    for line in lines:
        counts.update(line.split())
    pattern = re.compile(r"([a-z]+)(\d+)")
    by_stem = {}
    for word, count in counts.items():
        m = pattern.fullmatch(word)
        by_stem.setdefault(m.group(1), []).append((count, int(m.group(2))))
    return sum(sum(c for c, _ in sorted(v, reverse=True)[:10])
               for v in by_stem.values())


class Node:
    __slots__ = ("key", "children", "parent")

    def __init__(self, key, parent=None):
        self.key = key
        self.children = []
        self.parent = parent


class Account:
    def __init__(self, owner, balance):
        self.owner = owner
        self.balance = balance
        self.history = []

    def move(self, amount, other):
        self.balance -= amount
        other.balance += amount
        self.history.append(("out", amount, other.owner))
        other.history.append(("in", amount, self.owner))


def objects(rng, n):
    total = 0
    for _ in range(n):
        root = Node(0)
        nodes = [root]
        for i in range(1, 200):
            parent = nodes[rng.randrange(len(nodes))]
            child = Node(i, parent)  # parent <-> child: a cycle for the GC
            parent.children.append(child)
            nodes.append(child)
        total += sum(len(node.children) for node in nodes)
    accounts = [Account("user%d" % i, 1000) for i in range(500)]
    for _ in range(n * 100):
        a, b = rng.sample(accounts, 2)
        a.move(rng.randrange(1, 50), b)
    total += sum(len(a.history) for a in accounts)
    report = "\n".join("{:>10} {:>8} {:>5}".format(a.owner, a.balance, len(a.history))
                       for a in sorted(accounts, key=lambda a: (a.balance, a.owner)))
    return total + len(report)


def main():
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    rng = random.Random(2026)
    checksum = 0
    for _ in range(scale):
        checksum += json_round_trips(rng, 150)
        checksum += word_counts(rng, 6000)
        checksum += objects(rng, 300)
    print("cpython_bench: scale %d, checksum %d" % (scale, checksum))


if __name__ == "__main__":
    main()
