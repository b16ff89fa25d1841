"""Child process of the crash test: writes keys as fast as it can, several in flight, and
prints each key on stdout once the store has acknowledged it."""

from __future__ import annotations

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import storage  # noqa: E402

IN_FLIGHT = 16


async def main(url: str) -> None:
    backend = await storage.open_backend(url)
    out = sys.stdout
    counter = iter(range(10**9))

    async def writer() -> None:
        for i in counter:
            key = f"/crash/{i:09d}"
            await backend.create(key, key.encode())
            out.write(key + "\n")
            out.flush()

    await asyncio.gather(*(writer() for _ in range(IN_FLIGHT)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
