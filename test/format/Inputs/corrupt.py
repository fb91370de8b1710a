"""Damage a .tms snapshot file in a chosen way, for the loader's tests.

    corrupt.py IN.tms OUT.tms OPERATION...

Operations, applied in order; OFFSET is a number or NAME[+N|-N] where NAME
is a place in the original file (header, strings, frames, tracebacks,
traces, sections -- version 3's section area size, then its sections --,
checksum, end) and N a number:
    truncate OFFSET     keep the bytes before OFFSET
    append N            add N zero bytes
    insert OFFSET HEX   insert bytes (hexadecimal digits) before OFFSET
    delete OFFSET N     remove N bytes from OFFSET
    flip OFFSET         invert the bits of one byte
    u32 OFFSET VALUE    store a little-endian integer
    u64 OFFSET VALUE
    checksum            recompute the checksum, so that the damage gets past
                        it and reaches the later checks
The layout is documented in runtime/snapshot/snapshot_file.c.
"""
import struct
import sys

HEADER_SIZE = 72


def fnv1a(data, h=0xCBF29CE484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def tms_checksum(body):
    """The checksum of a .tms file whose bytes before it are body, for the
    version its header names (runtime/snapshot/snapshot_file.c)."""
    if len(body) >= 12 and struct.unpack_from("<I", body, 8)[0] == 1:
        return fnv1a(body)
    mask, prime = 0xFFFFFFFFFFFFFFFF, 0x100000001B3
    lanes = [0xCBF29CE484222325 + i for i in range(4)]
    whole = len(body) // 32 * 32
    words = struct.unpack_from("<%dQ" % (whole // 8), body, 0)
    for i in range(0, len(words), 4):
        for lane in range(4):
            lanes[lane] = ((lanes[lane] ^ words[i + lane]) * prime) & mask
    return fnv1a(struct.pack("<4Q", *lanes) + bytes(body[whole:]) +
                 struct.pack("<Q", len(body)))


def places(data):
    (string_table_size, frame_count, traceback_count, traceback_table_size,
     trace_count) = struct.unpack_from("<5Q", data, 32)
    strings = HEADER_SIZE
    frames = strings + string_table_size
    tracebacks = frames + 12 * frame_count
    traces = tracebacks + traceback_table_size
    sections = traces + 16 * trace_count
    checksum = sections
    if struct.unpack_from("<I", data, 8)[0] >= 3:
        checksum = sections + 8 + struct.unpack_from("<Q", data, sections)[0]
    return {"header": 0, "strings": strings, "frames": frames,
            "tracebacks": tracebacks, "traces": traces, "sections": sections,
            "checksum": checksum, "end": len(data)}


def offset(text, named):
    for sign in "+-":
        if sign in text:
            name, number = text.split(sign)
            base = named[name] if name in named else int(name, 0)
            return base + int(number, 0) * (1 if sign == "+" else -1)
    return named[text] if text in named else int(text, 0)


def main():
    data = bytearray(open(sys.argv[1], "rb").read())
    named = places(data)
    ops = sys.argv[3:]
    while ops:
        op = ops.pop(0)
        if op == "truncate":
            del data[offset(ops.pop(0), named):]
        elif op == "append":
            data += bytes(int(ops.pop(0)))
        elif op == "insert":
            at = offset(ops.pop(0), named)
            data[at:at] = bytes.fromhex(ops.pop(0))
        elif op == "delete":
            at = offset(ops.pop(0), named)
            del data[at:at + int(ops.pop(0), 0)]
        elif op == "flip":
            data[offset(ops.pop(0), named)] ^= 0xFF
        elif op in ("u32", "u64"):
            at = offset(ops.pop(0), named)
            struct.pack_into("<I" if op == "u32" else "<Q", data, at,
                             int(ops.pop(0), 0))
        elif op == "checksum":
            struct.pack_into("<Q", data, len(data) - 8, tms_checksum(data[:-8]))
        else:
            sys.exit("corrupt.py: unknown operation %r" % op)
    open(sys.argv[2], "wb").write(data)


if __name__ == "__main__":
    main()
