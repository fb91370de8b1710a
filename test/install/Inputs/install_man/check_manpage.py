"""Check that the manual pages document what the programs do.

usage: check_manpage.py TRACEMALLOC MANPAGE
       check_manpage.py --environment TABLE README TMCC_MANPAGE CLI_MANPAGE SOURCE...
       check_manpage.py --readme-rows TABLE

The first form checks tracemalloc(1) against 'tracemalloc --help'.

Every command of 'tracemalloc --help' must have a subsection
'.SS "tracemalloc COMMAND ..."' and a SYNOPSIS entry; the options of
'tracemalloc COMMAND --help' (its option lines, filters aside) must be the
tags (.TP/.TQ) of that subsection, no more and no fewer; a command with
filters must refer to the FILTERS section, whose tags must be the filter
options of the help.

The second form checks the documented variables against the runtime's
table of them, runtime/tracer/env_vars.def (TABLE), and the variables the
plugin reads (getenv("TRACEMALLOC...") in the SOURCE files):
 - README's "Environment variables" table is exactly what TABLE gives
   (--readme-rows TABLE prints it);
 - the TRACEMALLOC tags of tmcc(1)'s ENVIRONMENT section are the variables of
   TABLE and of the plugin;
 - tracemalloc(1)'s ENVIRONMENT section names the variables of TABLE;
 - no runtime source (a SOURCE under runtime/) reads a TRACEMALLOC variable
   itself: the runtime reads them through TABLE.

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


def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def macro_arguments(text, start):
    """The arguments of the macro call whose '(' is at start; adjacent
    string literals joined, as the compiler joins them."""
    args, current, depth, i = [], [], 0, start + 1
    while True:
        c = text[i]
        if c == '"':
            end = i + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            current.append(text[i + 1:end])
            i = end + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")" and depth == 0:
            args.append(current)
            break
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            args.append(current)
            current = []
        elif not c.isspace():
            current.append(c)
        i += 1
    return ["".join(arg) for arg in args]


FIELDS = ("id", "name", "kind", "low", "high", "default", "value", "accepted",
          "help")


def read_table(path):
    """The rows of env_vars.def, as dictionaries of FIELDS."""
    with open(path, encoding="utf-8") as f:
        text = strip_c_comments(f.read())
    rows = []
    for match in re.finditer(r"\bTM_ENV_VAR\(", text):
        values = macro_arguments(text, match.end() - 1)
        if len(values) != len(FIELDS):
            raise SystemExit(f"{path}: TM_ENV_VAR with {len(values)} arguments")
        rows.append(dict(zip(FIELDS, values)))
    return rows


def readme_rows(rows):
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for row in rows:
        default = row["default"]
        if row["kind"] not in ("BOOL", "INT") and default == "0":
            default = "none"
        lines.append(f"| `{row['name']}={row['value']}` | {default} | {row['help']} |")
    return lines


def readme_table(readme):
    """The table of README's "Environment variables" section."""
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    section = re.search(r"^## Environment variables\n(.*?)(?=^## )", text,
                        flags=re.S | re.M)
    if not section:
        return []
    return [line for line in section.group(1).splitlines()
            if line.startswith("|")]


def environment_lines(manpage):
    with open(manpage, encoding="utf-8") as f:
        return man_sections(f.read()).get("ENVIRONMENT", [])


def check_environment(table, readme, tmcc_manpage, cli_manpage, sources):
    rows = read_table(table)
    runtime = {row["name"] for row in rows}
    errors = []
    expected_rows, found_rows = readme_rows(rows), readme_table(readme)
    if found_rows != expected_rows:
        errors.append(f"{readme}: the environment table is not what {table} "
                      "gives (--readme-rows prints it):")
        errors += [f"  missing: {line}" for line in expected_rows
                   if line not in found_rows]
        errors += [f"  extra:   {line}" for line in found_rows
                   if line not in expected_rows]
    lines = environment_lines(tmcc_manpage)
    documented = set()
    for i, line in enumerate(lines):
        if line.startswith((".TP", ".TQ")) and i + 1 < len(lines):
            documented.update(re.findall(r"\b(TRACEMALLOC\w*)", lines[i + 1]))
    plugin = set()
    for source in sources:
        with open(source, encoding="utf-8") as f:
            names = set(re.findall(r'getenv\("(TRACEMALLOC\w*)"\)', f.read()))
        if "/runtime/" in source:
            errors += [f"{source}: reads {name} itself, not through {table}"
                       for name in sorted(names)]
        else:
            plugin |= names
    read = runtime | plugin
    errors += [f"{name}: read by the runtime or plugin, not in {tmcc_manpage}'s ENVIRONMENT"
               for name in sorted(read - documented)]
    errors += [f"{name}: in {tmcc_manpage}'s ENVIRONMENT, read by neither the runtime nor the plugin"
               for name in sorted(documented - read)]
    named = set(re.findall(r"\b(TRACEMALLOC\w*)",
                           " ".join(environment_lines(cli_manpage))))
    errors += [f"{name}: read by the runtime, not named in {cli_manpage}'s ENVIRONMENT"
               for name in sorted(runtime - named)]
    errors += [f"{name}: named in {cli_manpage}'s ENVIRONMENT, not in {table}"
               for name in sorted(named - runtime)]
    if errors or not runtime:
        print("\n".join(errors) or f"no variables in {table}")
        return 1
    print(f"ok: {len(read)} variables")
    return 0


def main():
    if sys.argv[1] == "--environment":
        return check_environment(*sys.argv[2:6], sys.argv[6:])
    if sys.argv[1] == "--readme-rows":
        print("\n".join(readme_rows(read_table(sys.argv[2]))))
        return 0
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
