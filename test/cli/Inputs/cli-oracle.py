"""Python's tracemalloc as the oracle for the other tracemalloc commands.

    cli-oracle.py COMMAND FILE.txt [FILE2.txt] [OPTIONS...]

Reads tm-mksnap input files, builds the same tracemalloc.Snapshot objects
and prints what the tracemalloc CLI must print for COMMAND (top, compare,
display, traceback, collapsed) with the CLI's own options (--key, --cumulative,
--limit, --include/--exclude PATTERN[:LINE], --all-frames, --domain N,
--exclude-domain N), with Python's code doing the work: statistics(),
compare_to(), filter_traces(), the display_top() example of the
documentation, and for traceback, statistics("traceback") of frames that
are (filename, lineno, function) tuples, so that two functions on one line
are two frames, printed by the traceback module's format_list(); collapsed (export
--format collapsed) groups the same way.
"""
import linecache
import re
import sys
import traceback as traceback_module
import tracemalloc

FRAME = re.compile(r"^(.*?):(\d+)(?::(.*))?$")


def parse_frame(token):
    # FILE ends at the first ':' followed by digits and then ':' or the end.
    for match in re.finditer(r":(\d+)(?=:|$)", token):
        return token[:match.start()], int(match.group(1))
    raise ValueError(token)


def parse_function(token):
    # What follows FILE:LINE: ("" when nothing does).
    match = re.search(r":(\d+)(?=:|$)", token)
    return token[match.end() + 1:]


# The functions of each raw trace tuple of the snapshots load() made, most
# recent first: filter_traces() keeps the tuples themselves.
FUNCTIONS = {}


def load(path):
    limit, traces, deepest = None, [], 1
    with open(path, encoding="utf-8") as f:
        for line in f:
            tokens = line.split("#")[0].split()
            if not tokens:
                continue
            if tokens[0] == "limit":
                limit = int(tokens[1])
            elif tokens[0] == "trace":
                total = None
                if tokens[-1].startswith("total="):
                    total = int(tokens.pop()[6:])
                frames = tuple(parse_frame(t) for t in tokens[3:])
                deepest = max(deepest, len(frames))
                traces.append((int(tokens[1]), int(tokens[2]), frames,
                               total if total is not None else len(frames)))
                FUNCTIONS[id(traces[-1])] = [parse_function(t)
                                             for t in tokens[3:]]
    return tracemalloc.Snapshot(traces, limit or deepest)


def parse_options(args):
    options = {"key": "lineno", "cumulative": False, "limit": 10,
               "files": [], "domains": [], "all_frames": False}
    i = 0
    while i < len(args):
        name = args[i]
        if name == "--cumulative":
            options["cumulative"] = True
        elif name == "--all-frames":
            options["all_frames"] = True
        else:
            value = args[i + 1]
            i += 1
            if name == "--key":
                options["key"] = value
            elif name == "--limit":
                options["limit"] = int(value)
            elif name in ("--include", "--exclude"):
                match = re.match(r"^(.*?)(?::(\d+))?$", value)
                lineno = int(match.group(2)) if match.group(2) else None
                options["files"].append((name == "--include", match.group(1),
                                         lineno))
            elif name in ("--domain", "--exclude-domain"):
                options["domains"].append(
                    tracemalloc.DomainFilter(name == "--domain", int(value)))
        i += 1
    return options


def apply_filters(snapshot, options):
    if options["domains"]:
        snapshot = snapshot.filter_traces(options["domains"])
    if options["files"]:
        snapshot = snapshot.filter_traces([
            tracemalloc.Filter(inclusive, pattern, lineno,
                               options["all_frames"])
            for inclusive, pattern, lineno in options["files"]])
    return snapshot


def display_top(snapshot, key_type, limit):
    # The documentation's example, minus its own filters.
    top_stats = snapshot.statistics(key_type)
    print("Top %s lines" % limit)
    for index, stat in enumerate(top_stats[:limit], 1):
        frame = stat.traceback[0]
        print("#%s: %s:%s: %.1f KiB"
              % (index, frame.filename, frame.lineno, stat.size / 1024))
        line = linecache.getline(frame.filename, frame.lineno).strip()
        if line:
            print('    %s' % line)
    other = top_stats[limit:]
    if other:
        size = sum(stat.size for stat in other)
        print("%s other: %.1f KiB" % (len(other), size / 1024))
    total = sum(stat.size for stat in top_stats)
    print("Total allocated size: %.1f KiB" % (total / 1024))


def with_functions(snapshot):
    # The same traces with (filename, lineno, function) frames: Frame
    # compares, hashes and orders its tuple, whatever its length.
    traces = [(domain, size,
               tuple(frame + (function,) for frame, function
                     in zip(frames, FUNCTIONS[id(trace)])), total)
              for trace in snapshot.traces._traces
              for domain, size, frames, total in [trace]]
    return tracemalloc.Snapshot(traces, snapshot.traceback_limit)


def print_stack(traceback):
    # Oldest first, as Traceback iterates; ", in " left out when the
    # function is unknown.
    stack = traceback_module.StackSummary.from_list(
        [(frame._frame[0], frame._frame[1], frame._frame[2], None)
         for frame in traceback])
    for entry in stack.format():
        for line in entry.rstrip("\n").split("\n"):
            print(line[:-len(", in ")] if line.endswith(", in ") else line)


def collapsed_frame(frame):
    filename, lineno, function = (name.replace(";", ":") for name in
                                  (frame[0], str(frame[1]), frame[2]))
    if function:
        return "%s (%s:%s)" % (function, filename, lineno)
    return "%s:%s" % (filename, lineno)


def main():
    command = sys.argv[1]
    nfile = 2 if command == "compare" else 1
    paths, options = sys.argv[2:2 + nfile], parse_options(sys.argv[2 + nfile:])
    snapshots = [apply_filters(load(path), options) for path in paths]
    key, cumulative, limit = options["key"], options["cumulative"], options["limit"]
    if command == "top":
        print("[ Top %d ]" % limit)
        for stat in snapshots[0].statistics(key, cumulative)[:limit]:
            print(stat)
    elif command == "compare":
        print("[ Top %d differences ]" % limit)
        for stat in snapshots[0].compare_to(snapshots[1], key, cumulative)[:limit]:
            print(stat)
    elif command == "display":
        display_top(snapshots[0], key, limit)
    elif command == "collapsed":
        for stat in with_functions(snapshots[0]).statistics("traceback"):
            if stat.size:
                print(";".join(collapsed_frame(frame._frame)
                               for frame in stat.traceback), stat.size)
    elif command == "traceback":
        stats = with_functions(snapshots[0]).statistics("traceback")[:limit]
        for i, stat in enumerate(stats):
            if i:
                print()
            print("%s memory blocks: %.1f KiB" % (stat.count, stat.size / 1024))
            print_stack(stat.traceback)


sys.stdout.reconfigure(encoding="utf-8", newline="\n")
main()
