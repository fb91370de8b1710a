"""Check that the manual pages document what the programs do.

usage: check_manpage.py TRACEMALLOC MANPAGE
       check_manpage.py --environment MANPAGE SOURCE...

The first form checks tracemalloc(1) against 'tracemalloc --help'.

Every command of 'tracemalloc --help' must have a subsection
'.SS "tracemalloc COMMAND ..."' and a SYNOPSIS entry; the options of
'tracemalloc COMMAND --help' (its option lines, filters aside) must be the
tags (.TP/.TQ) of that subsection, no more and no fewer; a command with
filters must refer to the FILTERS section, whose tags must be the filter
options of the help.

The second form checks that the variables the runtime and the plugin read
(option("TRACEMALLOC...") or getenv("TRACEMALLOC...") in the SOURCE files)
are the TRACEMALLOC tags of the manual page's ENVIRONMENT section.

Prints what differs and exits 1, or prints a summary.
"""
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])--?[a-z][a-z-]*")


def run_help(tracemalloc, *command):
    result = subprocess.run([tracemalloc, *command, "--help"], capture_output=True,
                            text=True, check=True)
    return result.stdout


def commands_of(main_help):
    names, in_commands = [], False
    for line in main_help.splitlines():
        if line.startswith("commands:"):
            in_commands = True
        elif in_commands and line.startswith("  "):
            names.append(line.split()[0])
        elif in_commands and line.strip():
            in_commands = False
    return names


def options_of(command_help):
    """(options, filter options, whether the command takes filters)."""
    options, filters, block, in_header = set(), set(), None, False
    for line in command_help.splitlines():
        # A block starts with unindented lines ("options:", "filters (...
        # ...):"); its first line names it.
        if line and not line[0].isspace():
            if not in_header:
                block = "filters" if line.startswith("filters") else "other"
            in_header = True
            continue
        in_header = False
        match = re.match(r"\s{2,}(-.*)", line)
        if not match:
            continue
        tag = re.split(r"\s{2,}", match.group(1))[0]
        (filters if block == "filters" else options).update(OPTION.findall(tag))
    takes_filters = bool(filters) or "filters" in command_help.lower()
    return options, filters, takes_filters


def clean(roff):
    roff = roff.replace("\\-", "-").replace("\\c", "")
    return re.sub(r"\\f[BIRP]", "", roff)


def man_sections(roff):
    """{heading: lines} for every .SH and .SS."""
    sections, heading = {}, None
    for line in clean(roff).splitlines():
        match = re.match(r"\.S[HS]\s+\"?([^\"]*)\"?", line)
        if match:
            heading = match.group(1).strip()
            sections[heading] = []
        elif heading is not None:
            sections[heading].append(line)
    return sections


def tags(lines):
    """The options in the tags of .TP and .TQ paragraphs."""
    found = set()
    for i, line in enumerate(lines):
        if line.startswith((".TP", ".TQ")) and i + 1 < len(lines):
            found.update(OPTION.findall(lines[i + 1]))
    return found


def check_environment(manpage, sources):
    with open(manpage, encoding="utf-8") as f:
        lines = man_sections(f.read()).get("ENVIRONMENT", [])
    documented = set()
    for i, line in enumerate(lines):
        if line.startswith((".TP", ".TQ")) and i + 1 < len(lines):
            documented.update(re.findall(r"\b(TRACEMALLOC\w*)", lines[i + 1]))
    read = set()
    for source in sources:
        with open(source, encoding="utf-8") as f:
            read.update(re.findall(r'(?:option|getenv)\("(TRACEMALLOC\w*)"\)',
                                   f.read()))
    errors = [f"{name}: read by the runtime or plugin, not in ENVIRONMENT"
              for name in sorted(read - documented)]
    errors += [f"{name}: in ENVIRONMENT, read by neither the runtime nor the plugin"
               for name in sorted(documented - read)]
    if errors or not read:
        print("\n".join(errors) or "no variables found in the sources")
        return 1
    print(f"ok: {len(read)} variables")
    return 0


def main():
    if sys.argv[1] == "--environment":
        return check_environment(sys.argv[2], sys.argv[3:])
    tracemalloc, manpage = sys.argv[1:3]
    with open(manpage, encoding="utf-8") as f:
        sections = man_sections(f.read())
    errors = []
    commands = commands_of(run_help(tracemalloc))
    if not commands:
        errors.append("no commands in 'tracemalloc --help'")
    synopsis = " ".join(sections.get("SYNOPSIS", []))
    by_command = {}
    for heading, lines in sections.items():
        words = heading.split()
        if len(words) >= 2 and words[0] == "tracemalloc":
            by_command[words[1]] = lines
    filter_tags = tags(sections.get("FILTERS", []))
    all_filters = set()
    noptions = 0
    for command in commands:
        options, filters, takes_filters = options_of(run_help(tracemalloc, command))
        all_filters |= filters
        noptions += len(options)
        if not re.search(r"\.B %s\b" % re.escape(command), synopsis):
            errors.append(f"{command}: not in the SYNOPSIS")
        lines = by_command.get(command)
        if lines is None:
            errors.append(f"{command}: no '.SS \"tracemalloc {command} ...\"' section")
            continue
        documented = tags(lines)
        for option in sorted(options - documented):
            errors.append(f"{command}: {option} is in --help, not in the manual page")
        for option in sorted(documented - options):
            errors.append(f"{command}: {option} is in the manual page, not in --help")
        mentions_filters = any("FILTERS" in line for line in lines)
        if takes_filters and not mentions_filters:
            errors.append(f"{command}: takes filters, but its section does not say so")
        if mentions_filters and not takes_filters:
            errors.append(f"{command}: its section names FILTERS, its --help none")
    for heading in by_command:
        if heading not in commands:
            errors.append(f"{heading}: documented, but not in 'tracemalloc --help'")
    for option in sorted(all_filters - filter_tags):
        errors.append(f"FILTERS: {option} is in --help, not in the manual page")
    for option in sorted(filter_tags - all_filters):
        errors.append(f"FILTERS: {option} is in the manual page, not in --help")
    if errors:
        print("\n".join(errors))
        return 1
    print(f"ok: {len(commands)} commands, {noptions} options, "
          f"{len(filter_tags)} filter options")
    return 0


if __name__ == "__main__":
    sys.exit(main())
