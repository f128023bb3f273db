#!/usr/bin/env python3
"""Checks that the folders of Sources/Engine depend on each other one way only.

A folder depends on another when one of its files names a type (or a top-level
function) declared in the other. Every folder has a place in LAYERS, lowest
first; a folder may use only folders listed before it. A use of a later folder
is a layering error, which also rules out any cycle.

What is seen: top-level `struct`, `class`, `enum`, `protocol`, `actor`,
`typealias` and `func` declarations, and the members an extension declares on
a type from another folder (`extension Duration { var seconds }` in a folder
makes `.seconds` one of that folder's names), when the member name is declared
nowhere else. Comments and string literals are ignored. What is not seen: a
call of an extension method whose name is declared more than once.

    python3 scripts/check-layers.py            # check, print the graph
    python3 scripts/check-layers.py --dot      # the graph in Graphviz dot
"""

import os
import re
import sys
from collections import defaultdict

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "Engine")

# Folders whose subfolders are layered one by one.
SPLIT_BY_CONCERN = {"Observability"}

# Lowest first: each folder may use only the folders before it.
LAYERS = [
    "Support",
    "JSON",
    "Configuration",
    "Tweet",
    "RateLimiting",
    "AMQP",
    "SharedBudget",
    "Analysis",
    "Providers",
    "Pipeline",
    "Observability/Logging",
    "Observability/QueueStatus",
    "Observability/Metrics",
    "Observability/Progress",
    "Observability/HTTP",
    "Operations",
    "Application",
]

DECLARATION = re.compile(
    r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|internal|package|private|fileprivate|final|indirect|nonisolated)\s+)*"
    r"(struct|class|enum|protocol|actor|typealias|func)\s+([A-Za-z_]\w*)"
)
EXTENSION = re.compile(r"^(?:(?:public|internal|package|private|fileprivate)\s+)*extension\s+([A-Za-z_][\w.]*)")
MEMBER = re.compile(
    r"^\s+(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|internal|package|static|mutating|nonisolated|@inlinable)\s+)*"
    r"(?:func|var|let)\s+([A-Za-z_]\w*)"
)
IDENTIFIER = re.compile(r"\b[A-Za-z_]\w*\b")
MEMBER_USE = re.compile(r"\.([A-Za-z_]\w*)\b")


def strip_comments_and_strings(text):
    """Blanks comments and string literals, keeping line structure."""
    text = re.sub(r'"""[\s\S]*?"""', lambda m: "\n" * m.group(0).count("\n"), text)
    text = re.sub(r"/\*[\s\S]*?\*/", lambda m: "\n" * m.group(0).count("\n"), text)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    return text


def folder_of(path):
    """The unit a file belongs to: its top folder, or for a folder split by concern, its subfolder."""
    parts = os.path.relpath(path, ROOT).split(os.sep)
    if parts[0] in SPLIT_BY_CONCERN and len(parts) > 2:
        return parts[0] + "/" + parts[1]
    return parts[0]


def main():
    files = []
    for directory, _, names in os.walk(ROOT):
        for name in sorted(names):
            if name.endswith(".swift"):
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as handle:
                    files.append((path, folder_of(path), strip_comments_and_strings(handle.read())))

    declared = {}  # name -> folder
    declared_twice = set()
    extension_members = defaultdict(set)  # name -> folders
    member_declarations = defaultdict(int)
    pending_members = []
    for path, folder, text in files:
        extending = None
        depth = 0
        for line in text.split("\n"):
            if depth == 0:
                match = DECLARATION.match(line)
                if match:
                    name = match.group(2)
                    if name in declared and declared[name] != folder:
                        declared_twice.add(name)
                    declared[name] = folder
                extension = EXTENSION.match(line)
                extending = extension.group(1).split(".")[0] if extension else None
            else:
                member = MEMBER.match(line)
                if member:
                    member_declarations[member.group(1)] += 1
                    if extending and depth == 1:
                        pending_members.append((member.group(1), folder, extending))
            depth += line.count("{") - line.count("}")
    for name, folder, extended in pending_members:
        if declared.get(extended) != folder and member_declarations[name] == 1 and name not in declared:
            extension_members[name].add(folder)

    edges = defaultdict(lambda: defaultdict(set))  # from -> to -> names
    for path, folder, text in files:
        for name in set(IDENTIFIER.findall(text)):
            owner = declared.get(name)
            if owner and owner != folder and name not in declared_twice:
                edges[folder][owner].add(name)
        for name in set(MEMBER_USE.findall(text)):
            for owner in extension_members.get(name, ()):
                if owner != folder:
                    edges[folder][owner].add("." + name)

    folders = sorted({folder for _, folder, _ in files})
    if "--why" in sys.argv:
        for source in folders:
            for target in sorted(edges[source]):
                print(f"{source} -> {target}: {', '.join(sorted(edges[source][target]))}")
        return 0
    if "--dot" in sys.argv:
        print("digraph engine {")
        for source in folders:
            for target in sorted(edges[source]):
                print(f'  "{source}" -> "{target}";')
        print("}")
        return 0

    errors = []
    unknown = [folder for folder in folders if folder not in LAYERS]
    for folder in unknown:
        errors.append(f"{folder}/ has no place in LAYERS (scripts/check-layers.py)")
    rank = {folder: index for index, folder in enumerate(LAYERS)}
    for source in folders:
        uses = sorted(edges[source], key=lambda target: rank.get(target, -1))
        summary = ", ".join(uses) if uses else "nothing"
        print(f"{source:14} uses {summary}")
        for target in uses:
            if source in rank and target in rank and rank[target] >= rank[source]:
                names = ", ".join(sorted(edges[source][target])[:6])
                errors.append(f"{source}/ uses {target}/, which comes later in the layering: {names}")
    if errors:
        print("\nlayering errors:", file=sys.stderr)
        for error in errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    print("\nno Engine folder uses a folder above it: the folders depend one way")
    return 0


if __name__ == "__main__":
    sys.exit(main())
