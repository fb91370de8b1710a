"""Check a 'tracemalloc export --format json' file against the tm-mksnap
input it was made from.

    cli-json-check.py OUT.json IN.txt

The JSON must parse, follow the documented schema (version 1) and hold the
traces of IN.txt in order: domain, size, total_nframe, and the frames
oldest first (IN.txt lists them most recent first); and its timeline
points, as [seconds, bytes]. Prints "ok N traces".
"""
import json
import re
import sys


def frame(token):
    match = re.search(r":(\d+)(?=:|$)", token)
    function = token[match.end() + 1:] if match.end() < len(token) else ""
    return {"filename": token[:match.start()], "lineno": int(match.group(1)),
            "function": function}


def expected(path):
    limit, lost, traces, timeline = None, 0, [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            tokens = line.split("#")[0].split()
            if not tokens:
                continue
            if tokens[0] == "limit":
                limit = int(tokens[1])
            elif tokens[0] == "lost":
                lost = int(tokens[1])
            elif tokens[0] == "point":
                timeline.append([int(tokens[1]) / 1e9, int(tokens[2])])
            elif tokens[0] == "trace":
                total = None
                if tokens[-1].startswith("total="):
                    total = int(tokens.pop()[6:])
                frames = [frame(t) for t in reversed(tokens[3:])]
                traces.append({"domain": int(tokens[1]), "size": int(tokens[2]),
                               "total_nframe": total or len(frames),
                               "frames": frames})
    return {"format": "tracemalloc-snapshot", "version": 1,
            "traceback_limit": limit, "lost_traces": lost,
            "timeline": timeline, "traces": traces}


with open(sys.argv[1], encoding="utf-8") as f:
    got = json.load(f)
want = expected(sys.argv[2])
if got != want:
    for key in want:
        if got.get(key) != want[key]:
            sys.exit("cli-json-check.py: %s differs" % key)
    sys.exit("cli-json-check.py: unexpected members %s" % sorted(set(got) - set(want)))
print("ok %d traces" % len(got["traces"]))
