"""Random (version 4) UUIDs as strings: metadata.uid, audit IDs.

`str(uuid.uuid4())` spends most of its ~6 us building a `uuid.UUID`; every create and every
audited request takes one, so this formats the 16 random bytes directly (~1 us)."""

from __future__ import annotations

import os


def new_uid() -> str:
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
