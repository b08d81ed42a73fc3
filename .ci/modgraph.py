#!/usr/bin/env python3
"""The module graph of one crate: which module imports which, import loops, and
layering rules.

    .ci/modgraph.py crates/store            # loops and rule breaks; exit 1 if any
    .ci/modgraph.py crates/store --edges    # every edge with the names it uses

A module is a file (`a/b.rs` is `a::b`, `a/mod.rs` is `a`). An edge A -> B exists when
A names a path into B (`crate::b::x`, `super::x`, `self::x`, in `use` or in code).
A name re-exported by the crate root (`pub use error::Result`) counts as an edge to
the module that defines it. A child naming its own parent module (`super::Thing` in
a `mod.rs` folder) counts too: a room's `mod.rs` should hold declarations only.

Rules (`--rule FROM:TO` may be given several times, paths are module prefixes): FROM
must not import anything under TO. The store's drivers must not reach repository
code: see `.ci/run`.
"""
import os
import re
import sys
from collections import defaultdict


def module_files(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib"):
                rel = rel[:-1]
            mods["::".join(rel)] = path
    return mods


def strip_comments(text):
    """Comments, string and character literals removed (strings hold SQL, not paths)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == "r" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) and re.match(r'r#*"', text[i:]):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + len(hashes) + 2)
            out.append('""')
            i = n if end < 0 else end + 1 + len(hashes)
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            i = j + 1
        elif c == "'" and re.match(r"'(\\.[^']*|[^\\'])'", text[i:]):
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            out.append("' '")
            i += m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def cut_tests(text):
    """Drops `#[cfg(test)] mod tests { ... }` blocks: tests may use anything."""
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e]."""
    tree = re.sub(r"\s+", "", tree)
    depth = 0
    for k, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                prefix, inner = tree[:k], tree[k + 1 : tree.rindex("}")]
                parts, cur, d = [], "", 0
                for c in inner:
                    if c == "," and d == 0:
                        parts.append(cur)
                        cur = ""
                        continue
                    d += {"{": 1, "}": -1}.get(c, 0)
                    cur += c
                parts.append(cur)
                out = []
                for p in parts:
                    if p:
                        out += expand_use(prefix + p)
                return out
            depth += 1
    return [tree.split(" as ")[0]]


def paths_in(text):
    paths = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        paths += expand_use(m.group(1))
    body = re.sub(r"\buse\s+[^;]+;", "", text)
    paths += re.findall(r"\b(?:crate|super|self)(?:::\w+)+", body)
    return [p for p in paths if p.split("::")[0] in ("crate", "super", "self")]


def root_reexports(mods):
    """Names the root (or a room's mod.rs) re-exports, to the module defining them."""
    names = {}
    for mod, path in mods.items():
        text = strip_comments(open(path, encoding="utf-8").read())
        # `#[macro_export]` puts a macro at the crate root.
        for m in re.finditer(r"#\[macro_export\]\s*macro_rules!\s*(\w+)", text):
            names[(m.group(1),)] = tuple(mod.split("::")) if mod else ()
        for m in re.finditer(r"\bpub(?:\([a-z]+\))?\s+use\s+([^;]+);", text):
            for p in expand_use(m.group(1)):
                parts = p.split("::")
                base = mod.split("::") if mod else []
                if parts[0] == "crate":
                    target = parts[1:-1]
                elif parts[0] == "self":
                    target = base + parts[1:-1]
                elif "::".join(base + parts[:1]) in mods:
                    target = base + parts[:-1]
                else:
                    continue  # another crate's item: no edge inside this one
                names[tuple(base + [parts[-1]])] = tuple(target)
    return names


def resolve(mod, path, mods, reexports):
    parts = path.split("::")
    here = mod.split("::") if mod else []
    if parts[0] == "crate":
        target, rest = [], parts[1:]
    elif parts[0] in ("self", "super"):
        target, rest = list(here), parts
        while rest and rest[0] in ("self", "super"):
            if rest[0] == "super":
                target = target[:-1]
            rest = rest[1:]
    else:
        target, rest = list(here), parts
    cur = list(target)
    for p in rest:
        if "::".join(cur + [p]) in mods:
            cur.append(p)
            continue
        alias = reexports.get(tuple(cur + [p]))
        if alias is not None:
            cur = list(alias)
        break
    return "::".join(cur)


def test_only(mods):
    """Modules declared under `#[cfg(test)]` (`#[cfg(test)] mod upgrade_tests;`)."""
    out = set()
    for mod, path in mods.items():
        text = strip_comments(open(path, encoding="utf-8").read())
        for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+(\w+)\s*;", text):
            out.add(f"{mod}::{m.group(1)}" if mod else m.group(1))
    return out


def graph(src):
    mods = module_files(src)
    for t in test_only(mods):
        mods = {m: p for m, p in mods.items() if m != t and not m.startswith(t + "::")}
    reexports = root_reexports(mods)
    edges = defaultdict(set)
    for mod, path in mods.items():
        text = cut_tests(strip_comments(open(path, encoding="utf-8").read()))
        prefix = mod + "::" if mod else ""
        children = {m[len(prefix):].split("::")[0] for m in mods if m.startswith(prefix) and m != mod}
        found = paths_in(text)
        # Paths relative to this module: `child::thing`.
        found += [p for p in re.findall(r"\b\w+(?:::\w+)+", re.sub(r"\b(?:crate|super|self)::", "", text))
                  if p.split("::")[0] in children]
        for p in found:
            t = resolve(mod, p, mods, reexports)
            if t != mod and t in mods:
                edges[mod].add((t, p))
    return mods, edges


def loops(mods, edges):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w, _ in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(mods):
        if v not in index:
            visit(v)
    return out


def main():
    args = sys.argv[1:]
    crate = args[0]
    src = os.path.join(crate, "src")
    mods, edges = graph(src)
    if "--edges" in args:
        for m in sorted(edges):
            for t, p in sorted(edges[m]):
                print(f"{m or '(root)'} -> {t or '(root)'}    {p}")
        return 0
    rules = [a.split(":", 1) for i, a in enumerate(args) if i and args[i - 1] == "--rule"]
    bad = 0
    for comp in loops(mods, edges):
        bad += 1
        print("import loop: " + " <-> ".join(c or "(root)" for c in comp))
        for m in comp:
            for t, p in sorted(edges.get(m, ())):
                if t in comp:
                    print(f"    {m or '(root)'} uses {p}")
    for frm, to in rules:
        for m in sorted(edges):
            if m == frm or m.startswith(frm + "::"):
                for t, p in sorted(edges[m]):
                    if t == to or t.startswith(to + "::"):
                        bad += 1
                        print(f"layer rule {frm} -/-> {to} broken: {m} uses {p}")
    print(f"{crate}: {len(mods)} modules, {sum(len(e) for e in edges.values())} edges, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
