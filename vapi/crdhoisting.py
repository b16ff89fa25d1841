"""A v1 CRD spec as apiextensions-apiserver validates it: converted to the internal version
first (pkg/apis/apiextensions/v1/conversion.go,
Convert_v1_CustomResourceDefinitionSpec_To_apiextensions_CustomResourceDefinitionSpec).

That conversion hoists each per-version field that every version sets to the same value
(apiequality.Semantic: an empty list equals a missing one) to the spec's top level and clears
it in the versions:

    versions[*].schema                    -> spec.validation
    versions[*].subresources              -> spec.subresources
    versions[*].additionalPrinterColumns  -> spec.additionalPrinterColumns
    versions[*].selectableFields          -> spec.selectableFields

so kube reports a single-version CRD's schema errors at `spec.validation.openAPIV3Schema...`
and a multi-version CRD's at `spec.versions[i].schema.openAPIV3Schema...` only when the
versions' schemas differ. validation.go's "top-level and per-version ... are mutually
exclusive" and "per-version ... may not all be set to identical values" rules cannot fire for
a v1 CRD (the conversion never leaves both, nor identical per-version values), so vapi has no
copy of them.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

# (the v1 per-version field, the internal top-level field)
HOISTED = (("schema", "validation"), ("subresources", "subresources"),
           ("additionalPrinterColumns", "additionalPrinterColumns"), ("selectableFields", "selectableFields"))


def _semantic(value: Any) -> Any:
    """What apiequality.Semantic compares: an empty list is a missing one."""
    return None if value == [] else value


def internal(versions: list[Obj]) -> tuple[Obj, list[Obj]]:
    """The internal spec's hoisted top-level fields (keyed by their internal names, present
    when non-nil) and copies of the versions without them."""
    top: Obj = {}
    inner = [dict(v) for v in versions]
    if not versions:
        return top, inner
    for per_version, top_level in HOISTED:
        first = _semantic(versions[0].get(per_version))
        if any(_semantic(v.get(per_version)) != first for v in versions[1:]):
            continue
        if first is not None:
            top[top_level] = first
        for version in inner:
            version.pop(per_version, None)
    return top, inner


def open_api_schema(validation: Any) -> Any:
    """A CustomResourceValidation's openAPIV3Schema, None when it or the schema is unset."""
    return validation.get("openAPIV3Schema") if isinstance(validation, dict) else None
