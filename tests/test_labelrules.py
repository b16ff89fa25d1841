"""Labels and annotations in metadata refused in apimachinery's words (vapi/labelrules.py,
vapi/validation.py metadata_causes), through kubectl."""

from __future__ import annotations

import pytest

from tests.apiserver import VapiProcess
from vapi import labelrules

VALUE_RULE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
              "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation "
              "is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


@pytest.mark.parametrize("meta,message", [
    pytest.param("labels: {app: 'bad value'}", f'metadata.labels: Invalid value: "bad value": {VALUE_RULE}', id="label-value"),
    pytest.param("labels: {'a/b/c': x}", 'metadata.labels: Invalid value: "a/b/c": a valid label key must consist of alphanumeric '
                 "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
                 "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
                 "subdomain prefix and '/' (e.g. 'example.com/MyName')", id="label-key-slashes"),
])
def test_kubectl_prints_label_errors(vapi: VapiProcess, namespace: str, meta: str, message: str) -> None:
    manifest = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  {meta}\n"
    out = vapi.kubectl("-n", namespace, "create", "-f", "-", input=manifest, check=False)
    assert out.returncode == 1 and out.stderr.strip() == f'The ConfigMap "c" is invalid: {message}'


def test_annotation_keys_are_checked_lowercased() -> None:
    """ValidateAnnotations lowercases keys first: an upper-case prefix is fine there, not in a label."""
    assert labelrules.key_errors("Example.COM/Name".lower()) == []
    assert labelrules.key_errors("Example.COM/Name")[0].startswith("prefix part a lowercase RFC 1123 subdomain")


def test_an_annotation_with_an_upper_case_prefix_is_stored(vapi: VapiProcess, namespace: str) -> None:
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {Example.COM/Note: x}\n"
    assert vapi.kubectl("-n", namespace, "create", "-f", "-", input=manifest).stdout.strip() == "configmap/c created"
