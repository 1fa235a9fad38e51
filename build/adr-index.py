#!/usr/bin/env python3
"""Writes docs/adr/README.md: one row per ADR with its title and its status line.

Run from the repository root after adding an ADR or changing a status line:
    python3 build/adr-index.py
"""
import glob
import os
import re

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "adr"))
rows = []
for f in sorted(glob.glob("[0-9][0-9][0-9][0-9]-*.md")):
    text = open(f, encoding="utf-8").read()
    title = re.sub(r"^#\s*\d{4}[.:]?\s*", "", text.split("\n", 1)[0]).strip()
    m = re.search(r"^Status: (.*(?:\n(?!\n).*)*)", text, re.M)
    if not m:
        raise SystemExit(f"{f}: no 'Status:' line under the title")
    status = " ".join(m.group(1).split()).rstrip(".")
    rows.append(f"| [{f[:4]}]({f}) | {title} | {status} |")
with open("README.md", "w", encoding="utf-8") as out:
    out.write("""# Architecture decision records

One file per decision: its context, the decision, and its consequences. A decision that a
later one changes keeps its text and says "amended by" or "superseded by" in its status line;
the later record names what it changes. Numbers are grouped by area: 00xx project, 001x crypto,
002x overlay and Pastry, 003x imap-proxy, 004x smtp-proxy, 005x simulator, 006x transport and
nodes, 007x-008x PAST and Scribe, 009x runtime seams. This index is written by
`python3 build/adr-index.py`.

| ADR | decision | status |
|---|---|---|
""")
    out.write("\n".join(rows) + "\n")
