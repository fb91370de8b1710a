"""Decode a 'tracemalloc export --format pprof' file by hand, without go:
gunzip it, parse the protobuf wire format of profile.proto (the fields the
export writes, and only those) and check what every reader relies on.

    cli-pprof-decode.py OUT.pb.gz           print the profile field by field
    cli-pprof-decode.py OUT.pb.gz OUT.json  compare its samples with the
                                            JSON export of the same snapshot

Printed in the file's order, with strings resolved: "sample VALUES: FRAME |
FRAME ..." (leaf first, a frame as "FUNCTION FILE:LINE"), "location ID
mapping M: FUNCTION-ID:LINE ...", "function ID NAME SYSTEM-NAME FILE", ...
Checked: the gzip stream, string_table[0] == "", ids 1, 2, ... in order,
every reference resolved, as many values as sample types, and the default
sample type. With OUT.json: the samples are the JSON traces grouped by
their frames (count and total size); prints "ok N samples".
"""
import gzip
import json
import sys

PROFILE = {1: "sample_type", 2: "sample", 3: "mapping", 4: "location",
           5: "function", 6: "string_table", 11: "period_type", 12: "period",
           13: "comment", 14: "default_sample_type"}
VALUE_TYPE = {1: "type", 2: "unit"}
SAMPLE = {1: "location_id", 2: "value"}
MAPPING = {1: "id", 7: "has_functions", 8: "has_filenames",
           9: "has_line_numbers", 10: "has_inline_frames"}
LOCATION = {1: "id", 2: "mapping_id", 4: "line"}
LINE = {1: "function_id", 2: "line"}
FUNCTION = {1: "id", 2: "name", 3: "system_name", 4: "filename"}


def fail(message):
    sys.exit("cli-pprof-decode: " + message)


def varint(data, pos):
    value = shift = 0
    while True:
        if pos >= len(data):
            fail("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def packed(data):
    values, pos = [], 0
    while pos < len(data):
        value, pos = varint(data, pos)
        values.append(value)
    return values


def message(data, names):
    """The fields of a message: [(name, int or bytes)], in order."""
    fields, pos = [], 0
    while pos < len(data):
        key, pos = varint(data, pos)
        number, wire = key >> 3, key & 7
        if number not in names:
            fail("unexpected field %d" % number)
        if wire == 0:
            value, pos = varint(data, pos)
        elif wire == 2:
            length, pos = varint(data, pos)
            value = data[pos:pos + length]
            if len(value) != length:
                fail("truncated field %d" % number)
            pos += length
        else:
            fail("unexpected wire type %d" % wire)
        fields.append((names[number], value))
    return fields


def as_dict(fields):
    return {name: value for name, value in fields}


def check_ids(objects, kind):
    for index, obj in enumerate(objects):
        if obj.get("id") != index + 1:
            fail("%s %d has id %s" % (kind, index + 1, obj.get("id")))


def decode(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:3] != b"\x1f\x8b\x08":
        fail("not a gzip file")
    fields = message(gzip.decompress(raw), PROFILE)
    strings = [v.decode("utf-8", "surrogateescape")
               for name, v in fields if name == "string_table"]
    if not strings or strings[0] != "":
        fail("string_table[0] is not empty")

    def string(index):
        if index >= len(strings):
            fail("string index %d out of range" % index)
        return strings[index]

    profile = {"fields": fields, "strings": strings, "string": string}
    for name, nested in (("mapping", MAPPING), ("location", LOCATION),
                         ("function", FUNCTION)):
        profile[name] = [as_dict(message(v, nested))
                         for n, v in fields if n == name]
        check_ids(profile[name], name)
    for location, value in zip(profile["location"],
                               [v for n, v in fields if n == "location"]):
        location["lines"] = [as_dict(message(v, LINE))
                             for n, v in message(value, LOCATION)
                             if n == "line"]
    profile["types"] = [as_dict(message(v, VALUE_TYPE))
                        for n, v in fields if n == "sample_type"]
    return profile


def frame_text(profile, location_id):
    locations, functions = profile["location"], profile["function"]
    if not 1 <= location_id <= len(locations):
        fail("location %d out of range" % location_id)
    texts = []
    for line in locations[location_id - 1]["lines"]:
        function_id = line.get("function_id", 0)
        if not 1 <= function_id <= len(functions):
            fail("function %d out of range" % function_id)
        function = functions[function_id - 1]
        texts.append("%s %s:%d" % (profile["string"](function.get("name", 0)),
                                   profile["string"](function.get("filename", 0)),
                                   line.get("line", 0)))
    return " + ".join(texts)  # inlined frames, innermost first


def samples(profile):
    for name, value in profile["fields"]:
        if name != "sample":
            continue
        sample = message(value, SAMPLE)
        if [n for n, v in sample] != ["location_id", "value"]:
            fail("sample fields %s" % [n for n, v in sample])
        ids, values = (packed(v) for n, v in sample)
        if len(values) != len(profile["types"]):
            fail("%d values for %d sample types" %
                 (len(values), len(profile["types"])))
        yield values, [frame_text(profile, i) for i in ids]


def dump(profile):
    string = profile["string"]
    print("strings %d" % len(profile["strings"]))
    for name, value in profile["fields"]:
        if name in ("sample_type", "period_type"):
            vt = as_dict(message(value, VALUE_TYPE))
            print(name, string(vt.get("type", 0)), string(vt.get("unit", 0)))
        elif name in ("period", "default_sample_type", "comment"):
            print(name, value if name == "period" else repr(string(value)))
        elif name == "mapping":
            m = as_dict(message(value, MAPPING))
            print("mapping", m["id"], " ".join(
                k for k in MAPPING.values() if k != "id" and m.get(k)))
    for values, frames in samples(profile):
        print("sample %s: %s" % (" ".join(map(str, values)), " | ".join(frames)))
    for location in profile["location"]:
        print("location %d mapping %d: %s" % (
            location["id"], location.get("mapping_id", 0), " ".join(
                "%d:%d" % (l.get("function_id", 0), l.get("line", 0))
                for l in location["lines"])))
    for f in profile["function"]:
        print("function %d %s %s %s" % (
            f["id"], string(f.get("name", 0)), string(f.get("system_name", 0)),
            string(f.get("filename", 0))))


def frames_key(frames):
    return tuple("%s %s:%d" % (fr["function"] or fr["filename"],
                               fr["filename"], fr["lineno"])
                 for fr in reversed(frames))


def compare_with_json(profile, json_path, types):
    """The JSON traces grouped by frames (most recent first) must be the
    samples' inuse_objects and inuse_space; with allocation counters, the
    JSON's "allocations" records their alloc_objects and alloc_space (a
    sample of a traceback without live blocks has inuse values 0)."""
    with open(json_path, encoding="utf-8") as f:
        document = json.load(f)
    counted = types[0] == "alloc_objects"
    if counted != ("allocations" in document):
        fail("alloc_* sample types without counters in the JSON, or the "
             "reverse")
    expected = {}
    for trace in document["traces"]:
        key = frames_key(trace["frames"])
        count, size = expected.get(key, (0, 0))
        expected[key] = (count + 1, size + trace["size"])
    if counted:
        expected = {key: (0, 0) + value for key, value in expected.items()}
        for record in document["allocations"]:
            key = frames_key(record["frames"])
            old = expected.get(key, (0, 0, 0, 0))
            expected[key] = (old[0] + record["allocations"],
                             old[1] + record["allocated"]) + old[2:]
    got = {}
    for values, frames in samples(profile):
        # An inlined chain is one location: its frames, innermost first.
        key = tuple(part for frame in frames for part in frame.split(" + "))
        if key in got:
            fail("two samples for %s" % (key,))
        got[key] = tuple(values)
    if got != expected:
        fail("samples differ from the JSON traces: %d vs %d groups" %
             (len(got), len(expected)))
    print("ok %d samples" % len(got))


def main():
    profile = decode(sys.argv[1])
    types = [profile["string"](t.get("type", 0)) for t in profile["types"]]
    default = [v for n, v in profile["fields"] if n == "default_sample_type"]
    if not default or profile["string"](default[0]) != types[-1]:
        fail("the default sample type is not the last one")
    if len(sys.argv) > 2:
        compare_with_json(profile, sys.argv[2], types)
    else:
        dump(profile)


main()
