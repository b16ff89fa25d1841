"""DNS-1123 labels and subdomains as apimachinery validates them (pkg/util/validation
IsDNS1123Label, IsDNS1123Subdomain), in its words: the rule modules' names of volumes,
containers, namespaces, service accounts and nodes.
"""

from __future__ import annotations

import re

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS1123_LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1123_SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")


def too_long(n: int) -> str:
    return f"must be no more than {n} characters"


def dns_label(value: str) -> list[str]:
    """IsDNS1123Label."""
    out = [too_long(63)] if len(value) > 63 else []
    if not DNS1123_LABEL.fullmatch(value):
        out.append("must not contain dots" if DNS1123_SUBDOMAIN.fullmatch(value) else DNS1123_LABEL_MESSAGE)
    return out


def dns_subdomain(value: str) -> list[str]:
    """IsDNS1123Subdomain (NameIsDNSSubdomain without prefix)."""
    out = [too_long(253)] if len(value) > 253 else []
    return out + ([] if DNS1123_SUBDOMAIN.fullmatch(value) else [DNS1123_SUBDOMAIN_MESSAGE])
