"""Regenerate vapi/data/builtin_resources.json, vapi's table of built-in kinds, from a real
kube-apiserver's discovery documents (core: /api/v1 as an APIResourceList; groups: /apis as
aggregated discovery v2).

    python hack/gen_builtin_resources.py tests/data/reference/kube

The table keeps what discovery and the generic store need per resource: name, kind, scope,
singular name, short names, categories, verbs, subresources, and group/version order.
"""

from __future__ import annotations

import json
import os
import sys


def core(doc: dict) -> dict:
    resources: dict[str, dict] = {}
    subresources: list[tuple[str, str, dict]] = []
    for r in doc["resources"]:
        name = r["name"]
        if "/" in name:
            parent, sub = name.split("/", 1)
            subresources.append((parent, sub, r))
            continue
        resources[name] = {
            "resource": name,
            "kind": r["kind"],
            "scope": "Namespaced" if r["namespaced"] else "Cluster",
            "singular": r.get("singularName", ""),
            "shortNames": r.get("shortNames", []),
            "categories": r.get("categories", []),
            "verbs": r["verbs"],
            "subresources": [],
        }
    for parent, sub, r in subresources:
        entry = {"subresource": sub, "kind": r["kind"], "verbs": r["verbs"]}
        if r.get("group") or r.get("version"):
            entry["group"], entry["version"] = r.get("group", ""), r.get("version", "")
        resources[parent]["subresources"].append(entry)
    return {"group": "", "versions": [{"version": "v1", "resources": list(resources.values())}]}


def groups(doc: dict) -> list[dict]:
    out = []
    for item in doc["items"]:
        versions = []
        for v in item["versions"]:
            rs = []
            for r in v.get("resources", []):
                subs = []
                for s in r.get("subresources", []) or []:
                    kind = s.get("responseKind", {})
                    entry = {"subresource": s["subresource"], "kind": kind.get("kind", ""), "verbs": s["verbs"]}
                    if kind.get("group") or kind.get("version"):
                        entry["group"], entry["version"] = kind.get("group", ""), kind.get("version", "")
                    subs.append(entry)
                rs.append(
                    {
                        "resource": r["resource"],
                        "kind": r["responseKind"]["kind"],
                        "scope": r["scope"],
                        "singular": r.get("singularResource", ""),
                        "shortNames": r.get("shortNames", []),
                        "categories": r.get("categories", []),
                        "verbs": r["verbs"],
                        "subresources": subs,
                    }
                )
            versions.append({"version": v["version"], "freshness": v.get("freshness", "Current"), "resources": rs})
        out.append({"group": item["metadata"]["name"], "versions": versions})
    return out


def main() -> int:
    src = sys.argv[1] if len(sys.argv) > 1 else "tests/data/reference/kube"
    with open(os.path.join(src, "api__v1.json")) as f:
        legacy = json.load(f)
    with open(os.path.join(src, "aggregated_v2.json")) as f:
        aggregated = json.load(f)
    table = {"groups": [core(legacy), *groups(aggregated)]}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "vapi", "data", "builtin_resources.json")
    with open(out, "w") as f:
        json.dump(table, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
