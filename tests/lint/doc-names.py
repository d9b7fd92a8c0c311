#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""docs/spec-coverage.md names only files and functions that exist.

Every `code` span of the document is read:
- a file name (`oci/spec.c`, `features.bats`, `security/faults.bats`,
  `oci/translate*.c`, `test_spec.c: test_bad`) must name a file of the tree
  (a bare or partial name: a tracked file ending with it);
- a C name (`spec_member`, `vd_child_exec`: lower case with an
  underscore) must be a word of that file when it stands right after a
  file's span or inside it after the colon, else a word of some source
  file of the tree.
Placeholders in capitals (`FILE.bats`, `test_X.c`) are no names.
Each stale name is printed with its line, and the test fails.

Usage: doc-names.py SOURCE_ROOT [DOC]   (DOC: docs/spec-coverage.md)
"""
import fnmatch
import os
import re
import sys

SOURCE_DIRS = ("libvoid", "oci", "src", "tests", "docs", "scripts", "bench", "completions")
FILE_RE = re.compile(r"^[\w.*/+-]+\.(c|h|bats|bash|sh|py|tsv|scd|build)$")
PLACEHOLDER_RE = re.compile(r"(^|[/_])(FILE|X)\.")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+(\(\))?$")
WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def tree_files(root):
    """Paths relative to root of the files under SOURCE_DIRS (no build dirs)."""
    files = []
    for top in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if not d.startswith(("build", "."))]
            files += [os.path.relpath(os.path.join(dirpath, f), root) for f in filenames]
    files += [f for f in os.listdir(root) if os.path.isfile(os.path.join(root, f))]
    return files


class Tree:
    def __init__(self, root):
        self.root = root
        self.files = tree_files(root)
        self.words_of = {}

    def resolve(self, name):
        """The files a file span names (glob, path, or the end of a path)."""
        return [f for f in self.files
                if fnmatch.fnmatch(f, name) or fnmatch.fnmatch(f, "*/" + name)]

    def words(self, path):
        if path not in self.words_of:
            try:
                with open(os.path.join(self.root, path), errors="replace") as f:
                    self.words_of[path] = set(WORD_RE.findall(f.read()))
            except OSError:
                self.words_of[path] = set()
        return self.words_of[path]

    def anywhere(self, word):
        return any(word in self.words(f) for f in self.files
                   if f.endswith((".c", ".h", ".py", ".sh", ".bash", ".bats", ".build")))


def check_line(tree, line, counts):
    """The stale names of one line of the document; counts: [files, names] checked."""
    stale, near = [], None  # near: the files the span just before named
    for m in re.finditer(r"`([^`]+)`", line):
        span = m.group(1).strip()
        adjacent = near is not None and line[near[1]:m.start()].strip() in ("", ",", "/")
        head, _, tail = span.partition(": ")
        if FILE_RE.match(head) and PLACEHOLDER_RE.search(head):
            near = None
            continue
        if FILE_RE.match(head):
            found = tree.resolve(head)
            counts[0] += 1
            if not found:
                stale.append(f"file {head}")
            names = [n.strip() for n in tail.split(",")] if tail else []
            for name in names:
                counts[1] += bool(NAME_RE.match(name))
                if NAME_RE.match(name) and found and \
                        not any(name in tree.words(f) for f in found):
                    stale.append(f"{name} (not in {head})")
            near = (found, m.end())
            continue
        if NAME_RE.match(span):
            name = span.removesuffix("()")
            counts[1] += 1
            if adjacent and near[0]:
                if not any(name in tree.words(f) for f in near[0]):
                    stale.append(f"{name} (not in {', '.join(near[0])})")
            elif not tree.anywhere(name):
                stale.append(f"{name} (in no source file)")
            if adjacent:
                near = (near[0], m.end())
            continue
        near = None
    return stale


def main():
    root = sys.argv[1]
    doc = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "docs", "spec-coverage.md")
    tree = Tree(root)
    failed, counts = 0, [0, 0]
    with open(doc) as f:
        for number, line in enumerate(f, 1):
            for what in check_line(tree, line, counts):
                print(f"{os.path.basename(doc)}:{number}: stale name: {what}")
                failed += 1
    if failed:
        print(f"{failed} stale name(s) in {doc}")
        return 1
    print(f"the {counts[0]} file and {counts[1]} function names of {os.path.basename(doc)} exist")
    return 0


if __name__ == "__main__":
    sys.exit(main())
