"""Python's Filter._match_frame_impl() (fnmatch.fnmatch() on normalised
names) as the oracle of the C filters' pattern matching.

    api_fnmatch.py cases SEED NPATTERNS > cases.txt
        "P HEX" / "N HEX" lines: hand-picked and random patterns and names,
        hex-encoded UTF-8 (bad bytes as surrogate escapes).
    api_fnmatch.py expected < cases.txt
        One line per pattern: "0"/"1" for each name, in order.
"""
import random
import sys
import tracemalloc
import warnings

# Patterns where Python's fnmatch.translate() and fnmatch(3) disagree, or
# translate() itself is subtle: no escape character, '!' (not '^') negates,
# no [:classes:], reversed ranges dropped, '-' at the ends, ']' first.
PATTERNS = ["", "*", "**", "?", "??", "[", "[]", "[]]", "[!]", "[!]]", "[!",
            "\\", "\\*", "*\\", "[\\]", "[\\]]", "[a-\\]", "*[!a]", "[--0]",
            "[!--0]", "[a-c-e]", "[c-b-a]", "[b-a-x]", "[z-a]", "[!z-a]",
            "[b-a!]", "[b-a!x]", "[b-a!-z]", "[^a]", "[^]", "[[:alpha:]]",
            "[[]", "[[]]", "*a*a*b", "a*", "*a", "a.pyc", "a.py", "*.pyc",
            "*.py", ".pyc", "pyc", "[a-]", "[-a]", "[!-a]", "[!a-]", "é",
            "?", "[é-日]", "[!é]", "日*", "*\udcff", "?\udcff", "[\udcff]",
            "[a-c-]", "[a-c-e-g]", "[]-a]", "[!]-a]", "[&&a]", "[~~a]",
            "[||a]", "[a&&b]", "a\nb", "*\n*", "[\n]", "[%]", "a/*", "*/b",
            "[/]", ".*", "[.]*"]
NAMES = ["", "a", "b", "c", "z", "-", "!", "^", "[", "]", "\\", "é", "日",
         "\n", "/", ".", "a.py", "a.pyc", "a.pycc", "b.py", ".pyc", ".py",
         "pyc", "ab", "aab", "abab", "a\nb", "\udcff", "a\udcff", "%", "&",
         "~", "|", "[]", "a/b", "x/y/b", ".hidden", "a-b", "0", "/"]
ALPHABET = ["a", "b", "c", "z", "-", "!", "^", "[", "]", "*", "?", "\\", ".",
            "é", "日", "/", "\udcff"]


def random_text(rng, alphabet, longest):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))


def cases(seed, npatterns):
    rng = random.Random(seed)
    patterns = PATTERNS + [random_text(rng, ALPHABET, 7)
                           for _ in range(npatterns)]
    names = NAMES + [random_text(rng, [c for c in ALPHABET if c not in "*?"],
                                 5) for _ in range(40)]
    for kind, texts in (("N", names), ("P", patterns)):
        for text in texts:
            print(kind, text.encode("utf-8", "surrogateescape").hex() or "-")


def expected():
    warnings.simplefilter("ignore")  # FutureWarning: possible nested set
    patterns, names = [], []
    for line in sys.stdin:
        kind, data = line.split()
        text = bytes.fromhex("" if data == "-" else data).decode(
            "utf-8", "surrogateescape")
        (names if kind == "N" else patterns).append(text)
    for pattern in patterns:
        match = tracemalloc.Filter(True, pattern)._match_frame_impl
        print("".join("1" if match(name, 0) else "0" for name in names))


if sys.argv[1] == "cases":
    cases(int(sys.argv[2]), int(sys.argv[3]))
else:
    expected()
