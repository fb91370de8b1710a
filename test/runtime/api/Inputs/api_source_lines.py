"""Python's Traceback.format() (linecache.getline(...).strip()) as the oracle
of the source lines that tracemalloc_traceback_format() shows.

    api_source_lines.py make > frames.txt
        Writes the source files into the current directory and lists the
        frames to format, "HEX(FILENAME) LINENO" (file names as bytes).
    api_source_lines.py expected < frames.txt
        The lines of Traceback(((filename, lineno),)).format() for each
        frame; then "truncate lf.c" and lf.c's frames again: the lines come
        from the cache, read once, as linecache.getline() never re-reads.
"""
import os
import sys
import tracemalloc

# str.strip() strips Unicode whitespace; readlines() (universal newlines)
# splits only at \n, \r\n and \r, not at \x0b, \x0c, \x1c-\x1e, \x85 or
# \u2028, which stay inside a line.
LF = ["int main(void) {", "  \t  spaces and tabs \t ", "", "   ",
      "\x0c form feed \x0b", "\x1c\x1d\x1e\x1f seps \x85", "\xa0nbsp\u3000",
      "\u2003 em space \u2009", "mid\u2028line\x0cbreaks", "\u200b zwsp \u200b",
      "  x = \"caf\xe9\"; // \u65e5\u672c", "\t}", "last"]
FILES = {
    "lf.c": "\n".join(LF) + "\n",
    "crlf.c": "one\r\n  two  \r\n\r\nfour\rfive\r\n",
    "cr.c": "a\r b \r\rd",
    "bom.c": "\ufeff  first \nsecond\n\ufeffthird\n",
    "nonl.c": "no newline at the end  ",
    "empty.c": "",
    "blank.c": "\n\n\n",
    "bad\udcff.c": "ok\n  fine  \n",
    "<string>": "linecache never reads <...> names\n",
    "<x": "but this one it reads\n",
}
BAD_UTF8 = b"good\nbad \xff here\ngood\n"


def make():
    for name, text in FILES.items():
        with open(name, "wb") as f:
            f.write(text.encode("utf-8", "surrogateescape"))
    with open("bad.c", "wb") as f:
        f.write(BAD_UTF8)
    os.makedirs("dir.c", exist_ok=True)
    names = list(FILES) + ["bad.c", "dir.c", "missing.c", ""]
    for name in names:
        count = len(FILES.get(name, "x\n" * 3).splitlines()) + 2
        for lineno in range(0, count + 1):
            print(os.fsencode(name).hex() or "-", lineno)


def frames():
    for line in sys.stdin:
        data, lineno = line.split()
        name = os.fsdecode(bytes.fromhex("" if data == "-" else data))
        yield name, int(lineno)


def format_frame(name, lineno):
    traceback = tracemalloc.Traceback(((name, lineno),))
    return traceback.format()


def expected():
    all_frames = list(frames())
    out = []
    for name, lineno in all_frames:
        out.extend(format_frame(name, lineno))
    with open("lf.c", "w") as f:
        f.truncate()
    out.append("truncate lf.c")
    for name, lineno in all_frames:
        if name == "lf.c":
            out.extend(format_frame(name, lineno))
    text = "\n".join(out) + "\n"
    sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))


if sys.argv[1] == "make":
    make()
else:
    expected()
