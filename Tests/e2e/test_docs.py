"""docs/CONFIGURATION.md cannot drift from the code: its option tables are what the binary's --help says
(scripts/gen-config-doc.py --check), every variable `census config` reports is documented, and every default in the
help text is the default the code applies. Cost: about 1 s (a dozen `--help` runs)."""

from __future__ import annotations

import re
import subprocess
import sys

from harness import ROOT, census_bin, run_census_cli

DOC = ROOT / "docs" / "CONFIGURATION.md"


def test_generated_tables_are_current():
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen-config-doc.py"), "--check", str(census_bin())],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"{p.stderr}\n{p.stdout[-4000:]}"


def test_every_setting_is_documented_with_the_default_the_code_applies():
    p = run_census_cli(["config"])
    assert p.returncode == 0, p.stderr
    effective = dict(line.split("=", 1) for line in p.stdout.splitlines() if line and not line.startswith("#"))
    doc = DOC.read_text()
    missing = [name for name in effective if f"`{name}`" not in doc]
    assert not missing, f"variables census knows but docs/CONFIGURATION.md does not list: {missing}"
    rows = re.findall(r"^\| `--[a-z0-9-]+` \| (`CENSUS_[A-Z0-9_]+`)[^|]* \| ([^|]+) \|", doc, flags=re.M)
    assert len(rows) >= 15, rows
    checked = 0
    for name, default in rows:
        name, default = name.strip("`"), default.strip()
        if default == "—" or name not in effective:
            continue
        if default == "none" and effective[name] != "none":  # an optional setting that is unset prints as empty
            default = ""
        assert effective[name] == default, f"{name}: the help text says default {default!r}, the code applies {effective[name]!r}"
        checked += 1
    assert checked >= 12, checked
