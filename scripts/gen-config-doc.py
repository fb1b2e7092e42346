#!/usr/bin/env python3
"""Regenerates the option tables of docs/CONFIGURATION.md from the census binary's own --help output.

usage: scripts/gen-config-doc.py [--check] [CENSUS_BIN]
  --check   exit 1 (and show the difference) when the document is not what the binary says; writes nothing.
The tables sit between `<!-- generated:options:begin -->` and `<!-- generated:options:end -->` (settings with a
CENSUS_* variable) and `<!-- generated:commands:begin/end -->` (command-specific flags). Tests/e2e/test_docs.py runs
--check on every CI run, so the document cannot drift from the code.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "CONFIGURATION.md"
OPTION = re.compile(r"^  (-\w, )?(--[a-z0-9-]+)( <[^>]+>)?\s*(.*)$")


def help_text(binary: str, *args: str) -> str:
    return subprocess.run([binary, *args, "--help"], capture_output=True, text=True, check=True, timeout=30,
                          env={k: v for k, v in os.environ.items() if not k.startswith("CENSUS_")}).stdout


def subcommands(binary: str) -> list[str]:
    text = help_text(binary).split("SUBCOMMANDS:", 1)[1]
    return re.findall(r"^  ([a-z][a-z-]*)\s", text, flags=re.M)


def options(binary: str, command: str) -> list[tuple[str, str, str]]:
    """(flag, value placeholder, help text) of every option of `census COMMAND`."""
    text = help_text(binary, command).split("OPTIONS:", 1)[1]
    result, current = [], None
    for line in text.splitlines():
        m = OPTION.match(line)
        if m:
            current = [m.group(2), (m.group(3) or "").strip(), m.group(4).strip()]
            result.append(current)
        elif current is not None and line.startswith(" " * 10):
            current[2] = (current[2] + " " + line.strip()).strip()
    return [tuple(o) for o in result if o[0] not in ("--help", "--version")]


def variables(help_line: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"\bCENSUS_[A-Z0-9_]+\b", help_line)))


def default(help_line: str) -> str:
    m = re.search(r"\(default: ([^)]*)\)", help_line) or re.search(r"[;(] ?default ('[^']*'|[^);]+)\)", help_line)
    return m.group(1).strip().strip("'") if m else ""


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(binary: str) -> tuple[str, str]:
    rows: dict[tuple[str, str], dict] = {}  # one row per flag and meaning (dev-broker's --topics is another option)
    for command in subcommands(binary):
        for flag, placeholder, text in options(binary, command):
            row = rows.setdefault((flag, text), {"placeholder": placeholder, "help": text, "commands": []})
            row["commands"].append(command)
    settings = ["| flag | environment | default | commands | meaning |", "|---|---|---|---|---|"]
    specific = ["| command | flag | default | meaning |", "|---|---|---|---|"]
    for (flag, _), row in rows.items():
        names = variables(row["help"])
        meaning = re.sub(r"\s*\((?:env|default)[^)]*\)", "", row["help"]).strip()
        if names:
            settings.append(f"| `{flag}` | {', '.join(f'`{n}`' for n in names)} | {cell(default(row['help'])) or '—'} | "
                            f"{', '.join(row['commands'])} | {cell(meaning)} |")
        else:
            for command in row["commands"]:
                specific.append(f"| {command} | `{flag}` | {cell(default(row['help'])) or '—'} | {cell(meaning)} |")
    return "\n".join(settings), "\n".join(specific)


def replace(doc: str, name: str, table: str) -> str:
    begin, end = f"<!-- generated:{name}:begin -->", f"<!-- generated:{name}:end -->"
    if begin not in doc or end not in doc:
        raise SystemExit(f"{DOC}: markers {begin} / {end} missing")
    head, rest = doc.split(begin, 1)
    return head + begin + "\n" + table + "\n" + end + rest.split(end, 1)[1]


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--check"]
    binary = args[0] if args else os.environ.get("CENSUS_BIN", str(ROOT / ".build" / "release" / "census"))
    settings, specific = render(binary)
    old = DOC.read_text()
    new = replace(replace(old, "options", settings), "commands", specific)
    if "--check" in sys.argv:
        if new != old:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "docs/CONFIGURATION.md", "generated"))
            print("\ndocs/CONFIGURATION.md is out of date: run scripts/gen-config-doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
