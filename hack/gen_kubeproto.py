"""Regenerate vapi/data/kubeproto.json: for every built-in API struct, its fields' protobuf
numbers, JSON names, Go types and omitempty, read from the Go struct tags of k8s.io/api and
k8s.io/apimachinery (`json:"name,omitempty" protobuf:"bytes,1,opt,name=..."`).

vapi needs it to read the protobuf request bodies kubectl's typed commands send
(`kubectl create configmap`, `kubectl auth can-i`, ...): the wire format names fields by
number only, and the Go types say which zero values JSON would omit.

    python hack/gen_kubeproto.py API_GIT_DIR APIMACHINERY_GIT_DIR

Each argument is a git directory (a bare clone works); files are read at HEAD.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "vapi", "data", "kubeproto.json")

APIMACHINERY = {
    "pkg/apis/meta/v1": "meta/v1",
    "pkg/runtime": "runtime",
    "pkg/util/intstr": "intstr",
    "pkg/api/resource": "resource",
    "pkg/types": "types",
}

STRUCT = re.compile(r"^type (\w+) struct \{\n(.*?)^\}", re.S | re.M)
NAMED = re.compile(r"^type (\w+) (\[\][\w.]+|map\[[\w.]+\][\w.*\[\]]+|\*?[\w.]+)\s*$", re.M)
IMPORT_BLOCK = re.compile(r"^import \((.*?)^\)", re.S | re.M)
IMPORT_ONE = re.compile(r'^import (\w+ )?"([^"]+)"', re.M)
FIELD = re.compile(r"^\s*(?:(\w+)\s+)?([\w.*\[\]]+(?:\[[\w.*]+\][\w.*\[\]]+)?)\s+`([^`]*)`")


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", repo, *args], check=True, capture_output=True, text=True).stdout


def package_key(import_path: str) -> str | None:
    if import_path.startswith("k8s.io/api/"):
        return import_path[len("k8s.io/api/"):]
    if import_path.startswith("k8s.io/apimachinery/"):
        return APIMACHINERY.get(import_path[len("k8s.io/apimachinery/"):])
    return None


def imports(src: str) -> dict[str, str]:
    out: dict[str, str] = {}
    lines: list[tuple[str | None, str]] = []
    for block in IMPORT_BLOCK.findall(src):
        for line in block.splitlines():
            m = re.match(r'\s*(\w+\s+)?"([^"]+)"', line)
            if m:
                lines.append(((m.group(1) or "").strip() or None, m.group(2)))
    for alias, path in IMPORT_ONE.findall(src):
        lines.append((alias.strip() or None, path))
    for alias, path in lines:
        key = package_key(path)
        if key is not None:
            out[alias or path.rsplit("/", 1)[-1]] = key
    return out


def qualify(expr: str, pkg: str, aliases: dict[str, str]) -> str:
    """`*metav1.Time` -> `*meta/v1.Time`; `[]Container` -> `[]core/v1.Container`."""
    if expr.startswith("*"):
        return "*" + qualify(expr[1:], pkg, aliases)
    if expr.startswith("[]"):
        return "[]" + qualify(expr[2:], pkg, aliases)
    if expr.startswith("map["):
        key, _, value = expr[4:].partition("]")
        return f"map[{qualify(key, pkg, aliases)}]{qualify(value, pkg, aliases)}"
    if "." in expr:
        alias, _, name = expr.partition(".")
        return f"{aliases.get(alias, alias)}.{name}"
    if expr in ("string", "bool", "byte", "int", "int32", "int64", "uint32", "uint64", "float32", "float64"):
        return expr
    return f"{pkg}.{expr}"


def tag(tags: str, name: str) -> str | None:
    m = re.search(name + r':"([^"]*)"', tags)
    return m.group(1) if m else None


def parse(src: str, pkg: str, structs: dict, named: dict) -> None:
    aliases = imports(src)
    for name, body in STRUCT.findall(src):
        fields = []
        for line in body.splitlines():
            if line.strip().startswith("//"):
                continue
            m = FIELD.match(line)
            if not m:
                continue
            go_name, go_type, tags = m.group(1), m.group(2), m.group(3)
            proto = tag(tags, "protobuf")
            if proto is None or len(proto.split(",")) < 2 or not proto.split(",")[1].isdigit():
                continue
            number = int(proto.split(",")[1])
            json_tag = tag(tags, "json")
            json_name, _, opts = (json_tag or "").partition(",")
            if json_name == "-":
                json_name = ""
            embedded = go_name is None
            inline = embedded and json_name == "" or "inline" in opts.split(",")
            if not json_name and not inline:
                json_name = go_name or go_type.rsplit(".", 1)[-1]
            fields.append([number, json_name, qualify(go_type, pkg, aliases), "omitempty" in opts.split(","), inline])
        if fields:
            structs[f"{pkg}.{name}"] = fields
    for name, under in NAMED.findall(src):
        if under in ("struct", "interface"):
            continue
        named[f"{pkg}.{name}"] = qualify(under, pkg, aliases)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    api, machinery = sys.argv[1], sys.argv[2]
    structs: dict[str, list] = {}
    named: dict[str, str] = {}
    for path in git(api, "ls-tree", "-r", "--name-only", "HEAD").split():
        if path.endswith(".go") and not path.endswith("_test.go") and "/" in path and path.count("/") == 2:
            if os.path.basename(path).startswith(("zz_generated", "generated")):
                continue
            parse(git(api, "show", f"HEAD:{path}"), os.path.dirname(path), structs, named)
    for sub, key in APIMACHINERY.items():
        for path in git(machinery, "ls-tree", "--name-only", "HEAD", sub + "/").split():
            if path.endswith(".go") and not path.endswith("_test.go") and not os.path.basename(path).startswith(("zz_generated", "generated")):
                parse(git(machinery, "show", f"HEAD:{path}"), key, structs, named)
    out = {"structs": dict(sorted(structs.items())), "named": dict(sorted(named.items()))}
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"), sort_keys=False)
        f.write("\n")
    print(f"wrote {OUT}: {len(structs)} structs, {len(named)} named types", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
