"""Check a 'tracemalloc export --format html' report.

    cli-html-check.py REPORT.html

Without a browser: the page must parse (html.parser), be self-contained
(no src/href attributes, no CSS url() or @import: nothing is fetched), have
its style, the flame graph's svg, the two top tables (and the allocation
counters' table when the snapshot has counters) and a JSON data block
whose stacks add up to the summary's total. Prints the summary and the
tables' rows for FileCheck.

With Chromium (/usr/bin/chromium or chromium on PATH), headless: the page
must load without console errors, the script must report data-status="ok"
and draw the flame graph (data-rendered="N rects" on the svg), and its
self-test (REPORT.html#selftest: hover and click the biggest frame) must
zoom. Without it, prints "chromium not installed: browser check skipped"
and checks only the rest.
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags, self.problems = [], {}, []
        self.ids, self.tables, self.text = {}, {}, {}
        self.table = None
        self.doctype = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name in ("src", "href"):
            if name in attrs:
                self.problems.append("<%s %s=%r>" % (tag, name, attrs[name]))
        if "id" in attrs:
            self.ids[attrs["id"]] = (tag, attrs)
        if tag == "table":
            self.table = attrs.get("id")
            self.tables[self.table] = []
        elif tag == "tr" and self.table:
            self.tables[self.table].append([])
        if tag not in ("meta", "br", "link", "img", "input"):
            self.stack.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append("unbalanced </%s>" % tag)
            return
        self.stack.pop()
        if tag == "table":
            self.table = None

    def handle_data(self, data):
        if not self.stack:
            return
        tag, ident = self.stack[-1]
        if ident:
            self.text[ident] = self.text.get(ident, "") + data
        if tag in ("td", "th", "span") and self.table:
            row = self.tables[self.table][-1]
            if tag == "span":
                row[-1] += data
            else:
                row.append(data)
        if tag in ("style", "script"):
            self.text.setdefault(tag, []).append(data)


def check_page(path):
    page = Page()
    with open(path, encoding="utf-8") as f:
        source = f.read()
    page.feed(source)
    page.close()
    problems = list(page.problems)
    if page.doctype != "DOCTYPE html":
        problems.append("doctype %r" % page.doctype)
    if page.stack:
        problems.append("unclosed %r" % page.stack)
    tables = 3 if "allocations" in page.ids else 2
    # The chart of traced memory over time is a second svg, when the
    # snapshot has a timeline (test/cli/timeline.test checks it).
    charts = 1 if page.ids.get("timeline-chart", ("",))[0] == "svg" else 0
    for tag, count in (("html", 1), ("head", 1), ("body", 1), ("style", 1),
                       ("svg", 1 + charts), ("table", tables)):
        if page.tags.get(tag) != count:
            problems.append("%d <%s>" % (page.tags.get(tag, 0), tag))
    css = "".join(page.text.get("style", []))
    if re.search(r"url\(|@import", css):
        problems.append("the style sheet fetches something")
    for ident, tag in (("flamegraph", "svg"), ("tm-data", "script"),
                       ("top-lineno", "table"), ("top-filename", "table"),
                       ("summary", "p"), ("details", "div")):
        if page.ids.get(ident, ("",))[0] != tag:
            problems.append("no <%s id=%s>" % (tag, ident))
    data = json.loads(page.text.get("tm-data", "{}"))
    total = sum(stack[0] for stack in data.get("stacks", []))
    for stack in data.get("stacks", []):
        if not all(0 <= i < len(data["frames"]) for i in stack[2]):
            problems.append("bad frame index in %r" % stack)
    summary = page.text.get("summary", "")
    if "(%d bytes)" % total not in summary:
        problems.append("stacks total %d, summary %r" % (total, summary))
    if problems:
        sys.exit("cli-html-check.py: " + "; ".join(problems))
    print("summary: " + summary)
    print("stacks: %d, frames: %d" % (len(data["stacks"]), len(data["frames"])))
    for ident in ("top-lineno", "top-filename", "allocations"):
        for row in page.tables.get(ident, []):
            print("%s: %s" % (ident, " | ".join(cell.strip() for cell in row)))


def chromium(path, fragment, log):
    binary = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") \
        else shutil.which("chromium")
    profile = tempfile.mkdtemp()
    try:
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--no-first-run",
                   "--user-data-dir=" + profile, "--enable-logging=stderr",
                   "--v=0", "--dump-dom",
                   "file://" + os.path.abspath(path) + fragment]
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    errors = [line for line in result.stderr.splitlines()
              if "CONSOLE" in line or "Uncaught" in line]
    if result.returncode != 0 or errors:
        sys.exit("cli-html-check.py: chromium: status %d, %s" %
                 (result.returncode, errors or result.stderr[-2000:]))
    return result.stdout


def check_browser(path):
    if not (os.path.exists("/usr/bin/chromium") or shutil.which("chromium")):
        print("chromium not installed: browser check skipped")
        print("chromium selftest: skipped")
        return
    dom = chromium(path, "", None)
    status = re.search(r'<body[^>]* data-status="([^"]*)"', dom)
    rendered = re.search(r'<svg[^>]* data-rendered="(\d+) rects"', dom)
    if not status or status.group(1) != "ok" or not rendered:
        sys.exit("cli-html-check.py: chromium: status %r, rendered %r" %
                 (status and status.group(1), rendered and rendered.group(1)))
    dom = chromium(path, "#selftest", None)
    selftest = re.search(r'data-selftest="([^"]*)"', dom)
    print("chromium: ok, %s rects" % rendered.group(1))
    print("chromium selftest: %s" %
          (html.unescape(selftest.group(1)) if selftest else "none"))


check_page(sys.argv[1])
check_browser(sys.argv[1])
