"""Check the chart of traced memory over time in an HTML report, in Chromium.

    timeline-screenshot.py REPORT.html

Runs headless Chromium twice, at once: --dump-dom, to read the numbers the
page shows for the chart (#timeline-summary's data-* attributes and text),
and --screenshot (1200x900), to check what was drawn: the pixels of the
line's colour and of the peak marker's colour (utils/cli/timeline.c), with
the PNG decoded here (zlib and struct: no third-party module). Prints, for
FileCheck:

    summary: TEXT
    data: peak-bytes=N peak-seconds=S points=N end-seconds=S
    line: over 200 pixels
    peak marker: over 40 pixels, at x X, y Y of the line's box
    line end: y Y of the line's box

X and Y are fractions of the box that the line's pixels fill (0 left/top,
1 right/bottom), rounded to 0.05: the marker must sit where the peak's
time and size put it, whatever the page's layout above the chart.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

LINE = (0x1F, 0x5F, 0xBF)
PEAK = (0xB0, 0x00, 0xC0)


def chromium_command(profile, *arguments):
    return ["/usr/bin/chromium" if os.path.exists("/usr/bin/chromium")
            else shutil.which("chromium"), "--headless", "--no-sandbox",
            "--disable-gpu", "--disable-background-networking",
            "--no-first-run", "--hide-scrollbars",
            "--user-data-dir=" + profile] + list(arguments)


def run_chromium(url, png):
    """The DOM and the screenshot, from two Chromiums run side by side."""
    home = tempfile.mkdtemp()
    profiles = [tempfile.mkdtemp(), tempfile.mkdtemp()]
    environment = dict(os.environ, HOME=home)
    try:
        dom = subprocess.Popen(
            chromium_command(profiles[0], "--dump-dom", url),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=environment)
        shot = subprocess.Popen(
            chromium_command(profiles[1], "--screenshot=" + png,
                             "--window-size=1200,900", url),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=environment)
        dom_out, dom_err = dom.communicate(timeout=55)
        shot.communicate(timeout=55)
    finally:
        for path in [home] + profiles:
            shutil.rmtree(path, ignore_errors=True)
    if dom.returncode != 0 or shot.returncode != 0:
        sys.exit("timeline-screenshot.py: chromium: status %d/%d: %s" %
                 (dom.returncode, shot.returncode, dom_err[-2000:]))
    return dom_out


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("timeline-screenshot.py: not a PNG")
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        sys.exit("timeline-screenshot.py: PNG depth %d colour %d interlace "
                 "%d not handled" % (depth, colour, interlace))
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            line[i] = (line[i] + (0, left, up, (left + up) // 2,
                                  paeth(left, up, corner))[kind]) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


def pixels_of(rows, colour, tolerance=24):
    return [(x, y) for y, row in enumerate(rows) for x, pixel in enumerate(row)
            if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))]


def fraction(value, low, high):
    return "%.2f" % (round((value - low) / (high - low) * 20) / 20)


def main():
    report = os.path.abspath(sys.argv[1])
    png = tempfile.mktemp(suffix=".png")
    try:
        dom = run_chromium("file://" + report, png)
        width, height, rows = read_png(png)
    finally:
        if os.path.exists(png):
            os.remove(png)
    summary = re.search(r'<p id="timeline-summary"([^>]*)>([^<]*)</p>', dom)
    if not summary:
        sys.exit("timeline-screenshot.py: no #timeline-summary in the DOM")
    data = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', summary.group(1)))
    print("summary: " + summary.group(2))
    print("data: " + " ".join("%s=%s" % (key, data[key]) for key in
                              ("peak-bytes", "peak-seconds", "points",
                               "end-seconds")))
    line = pixels_of(rows, LINE)
    peak = pixels_of(rows, PEAK)
    print("line: %s pixels" % ("over 200" if len(line) > 200
                               else "only %d" % len(line)))
    if not line or not peak:
        sys.exit("timeline-screenshot.py: %d line pixels, %d peak pixels in "
                 "%dx%d" % (len(line), len(peak), width, height))
    x0, x1 = min(x for x, _ in line), max(x for x, _ in line)
    y0, y1 = min(y for _, y in line), max(y for _, y in line)
    cx = sum(x for x, _ in peak) / len(peak)
    cy = sum(y for _, y in peak) / len(peak)
    print("peak marker: %s pixels, at x %s, y %s of the line's box" %
          ("over 40" if len(peak) > 40 else "only %d" % len(peak),
           fraction(cx, x0, x1), fraction(cy, y0, y1)))
    end = [y for x, y in line if x == x1]
    print("line end: y %s of the line's box" %
          fraction(sum(end) / len(end), y0, y1))


main()
