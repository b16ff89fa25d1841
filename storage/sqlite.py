"""Embedded SQLite backend: the default store, no other service needed.

Layout (the idea is kine's, pkg/logstructured/sqllog): one append-only table `log` where
every write is a row whose INTEGER PRIMARY KEY is the store revision. A delete is a row
with `deleted = 1` carrying the value the key held. The latest row of a key is its state;
the latest row at or below revision R is its state at R, so reads at a past revision and
watch history are plain range queries. Compaction deletes superseded rows and tombstones at
or below the compaction revision, never a key's latest row and never the newest row (which
keeps the revision counter across restarts).

Writes go through one writer thread that commits whatever is queued in a single transaction
(group commit): an acknowledged write is on disk (`synchronous=FULL` by default, WAL
mode), and concurrent writers share an fsync instead of queueing for one each. Reads run on
the event loop's thread with their own connection; WAL lets them proceed while the writer
commits. Watches re-read the log after each commit notification, so a watcher can never see a
gap, and a slow watcher costs a cursor, not a buffer.

One process owns a database file: a second one is refused (the watch notification is
in-process).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from storage import errors
from storage.backend import (
    Event,
    EventType,
    KeyValue,
    Page,
    checked,
    checked_key,
    checked_range,
    checked_revision,
    prefix_end,
)

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS log (
    rev INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    create_rev INTEGER NOT NULL,
    prev_rev INTEGER NOT NULL,
    deleted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

SYNC_MODES = ("FULL", "NORMAL", "EXTRA", "OFF")
WATCH_BATCH = 1000
COMPACT_BATCH = 5000
MAX_GROUP = 512
_NOTHING = KeyValue("", b"", 0, 0)


def _range(prefix: str, column: str = "key") -> tuple[str, tuple[str, ...]]:
    end = prefix_end(prefix)
    if end:
        return f"{column} >= ? AND {column} < ?", (prefix, end)
    return f"{column} >= ?", (prefix,)


@dataclass(slots=True)
class _Write:
    """One queued write: `apply` runs in the writer thread inside the group transaction."""

    apply: Callable[[sqlite3.Cursor, int], tuple[KeyValue, bool]]
    future: asyncio.Future[KeyValue]
    result: KeyValue | None = None
    error: BaseException | None = None
    wrote: bool = field(default=False)


class SQLiteBackend:
    def __init__(self, path: str, *, synchronous: str = "FULL") -> None:
        if synchronous.upper() not in SYNC_MODES:
            raise errors.InvalidURL(f"synchronous must be one of {', '.join(SYNC_MODES)}")
        self.path = path
        self._sync = synchronous.upper()
        self._lock_fd = -1
        self._reader: sqlite3.Connection | None = None
        self._queue: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._rev = 0
        self._compact_rev = 0
        self._changed: asyncio.Future[None] | None = None
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------

    async def open(self) -> SQLiteBackend:
        self._loop = asyncio.get_running_loop()
        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            self._lock_fd = os.open(self.path + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        except OSError as e:
            raise errors.Unavailable(f"cannot open {self.path}: {e}") from e
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            self._unlock()
            raise errors.Unavailable(f"{self.path} is in use by another process") from e
        try:
            writer = self._connect()
            writer.executescript(SCHEMA)
            self._rev = writer.execute("SELECT coalesce(max(rev), 0) FROM log").fetchone()[0]
            row = writer.execute("SELECT value FROM meta WHERE name = 'compact_rev'").fetchone()
            self._compact_rev = row[0] if row else 0
            self._reader = self._connect()
        except (sqlite3.Error, errors.Unavailable) as e:
            self._unlock()
            raise errors.Unavailable(f"cannot open {self.path}: {e}") from e
        self._changed = self._loop.create_future()
        self._thread = threading.Thread(
            target=self._write_loop, args=(writer,), name="sqlite-writer", daemon=True
        )
        self._thread.start()
        return self

    def _unlock(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self._sync}")
        except sqlite3.Error as e:
            raise errors.Unavailable(f"cannot open {self.path}: {e}") from e
        return conn

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join)
        if self._reader is not None:
            self._reader.close()
        self._unlock()
        self._notify()

    # -- the writer thread -----------------------------------------------------------

    def _write_loop(self, conn: sqlite3.Connection) -> None:
        cur = conn.cursor()
        next_rev = self._rev + 1
        while True:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            stop = False
            while len(batch) < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            try:
                next_rev = self._commit(cur, batch, next_rev)
            except Exception as e:  # a bug, not the caller's: fail the batch, keep the writer
                log.exception("sqlite writer: unexpected error")
                self._rollback(cur, batch, e)
            assert self._loop is not None
            try:
                self._loop.call_soon_threadsafe(self._committed, batch)
            except RuntimeError:  # the loop is gone: nobody waits for these anymore
                break
            if stop:
                break
        conn.close()

    def _commit(self, cur: sqlite3.Cursor, batch: list[_Write], next_rev: int) -> int:
        start = next_rev
        try:
            cur.execute("BEGIN IMMEDIATE")
            for w in batch:
                try:
                    w.result, w.wrote = w.apply(cur, next_rev)
                except errors.StorageError as e:
                    w.error = e
                    continue
                if w.wrote:
                    next_rev += 1
            cur.execute("COMMIT")
            return next_rev
        except sqlite3.Error as e:
            log.error("sqlite commit failed: %s", e)
            self._rollback(cur, batch, e)
            return start

    @staticmethod
    def _rollback(cur: sqlite3.Cursor, batch: list[_Write], cause: Exception) -> None:
        try:
            cur.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        for w in batch:
            if w.error is None:
                w.result = None
                w.wrote = False
                err = errors.Unavailable(f"sqlite commit failed: {cause}")
                err.__cause__ = cause
                w.error = err

    def _committed(self, batch: list[_Write]) -> None:
        """On the loop: publish the new revision, wake watchers, then answer the writers."""
        for w in batch:
            if w.wrote and w.error is None and w.result is not None:
                self._rev = max(self._rev, w.result.mod_revision)
        self._notify()
        for w in batch:
            if w.future.done():
                continue
            if w.error is not None:
                w.future.set_exception(w.error)
            else:
                assert w.result is not None
                w.future.set_result(w.result)

    def _notify(self) -> None:
        changed, self._changed = self._changed, None
        if changed is not None and not changed.done():
            changed.set_result(None)
        if not self._closed and self._loop is not None:
            self._changed = self._loop.create_future()

    async def _submit(self, apply: Callable[[sqlite3.Cursor, int], tuple[KeyValue, bool]]) -> KeyValue:
        if self._closed or self._loop is None:
            raise errors.Unavailable("store is closed")
        fut: asyncio.Future[KeyValue] = self._loop.create_future()
        self._queue.put(_Write(apply, fut))
        return await fut

    # -- writes (the `apply` functions run in the writer thread) ---------------------

    @staticmethod
    def _latest(cur: sqlite3.Cursor, key: str) -> KeyValue | None:
        row = cur.execute(
            "SELECT value, create_rev, rev, deleted FROM log WHERE key = ? ORDER BY rev DESC LIMIT 1",
            (key,),
        ).fetchone()
        if row is None or row[3]:
            return None
        return KeyValue(key, row[0], row[1], row[2])

    _INSERT = "INSERT INTO log (rev, key, value, create_rev, prev_rev, deleted) VALUES (?, ?, ?, ?, ?, ?)"

    async def create(self, key: str, value: bytes) -> KeyValue:
        value = checked(key, value)

        def apply(cur: sqlite3.Cursor, rev: int) -> tuple[KeyValue, bool]:
            if self._latest(cur, key) is not None:
                raise errors.KeyExists(key)
            cur.execute(self._INSERT, (rev, key, value, rev, 0, 0))
            return KeyValue(key, value, rev, rev), True

        return await self._submit(apply)

    async def update(self, key: str, value: bytes, *, revision: int) -> KeyValue:
        value = checked(key, value)

        def apply(cur: sqlite3.Cursor, rev: int) -> tuple[KeyValue, bool]:
            old = self._latest(cur, key)
            if old is None:
                raise errors.KeyNotFound(key)
            if old.mod_revision != revision:
                raise errors.Conflict(key, expected=revision, current=old)
            cur.execute(self._INSERT, (rev, key, value, old.create_revision, old.mod_revision, 0))
            return KeyValue(key, value, old.create_revision, rev), True

        return await self._submit(apply)

    async def delete(self, key: str, *, revision: int = 0) -> KeyValue:
        checked_key(key)

        def apply(cur: sqlite3.Cursor, rev: int) -> tuple[KeyValue, bool]:
            old = self._latest(cur, key)
            if old is None:
                raise errors.KeyNotFound(key)
            if revision and old.mod_revision != revision:
                raise errors.Conflict(key, expected=revision, current=old)
            cur.execute(
                self._INSERT, (rev, key, old.value, old.create_revision, old.mod_revision, 1)
            )
            return KeyValue(key, old.value, old.create_revision, rev), True

        return await self._submit(apply)

    async def compact(self, revision: int) -> None:
        if revision <= self._compact_rev:
            return
        if revision > self._rev:
            raise errors.FutureRevision(revision=revision, current=self._rev)
        # Raised before any row goes: reads and watches check this on the loop thread
        # before they query, so none of them can read a half-compacted range.
        self._compact_rev = revision
        floor = _execute(self._db(), "SELECT coalesce(min(rev), 0) FROM log", ()).fetchone()[0]

        def mark(cur: sqlite3.Cursor, rev: int) -> tuple[KeyValue, bool]:
            cur.execute(
                "INSERT INTO meta (name, value) VALUES ('compact_rev', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
                (revision,),
            )
            return _NOTHING, False

        await self._submit(mark)
        # Short transactions over windows of revisions, so writers are never held up long.
        for lo in range(floor - 1, revision, COMPACT_BATCH):
            hi = min(lo + COMPACT_BATCH, revision)

            def sweep(cur: sqlite3.Cursor, rev: int, lo: int = lo, hi: int = hi) -> tuple[KeyValue, bool]:
                cur.execute(
                    """DELETE FROM log WHERE rev IN (
                         SELECT rev FROM log AS l
                         WHERE rev > ?1 AND rev <= ?2 AND rev < (SELECT max(rev) FROM log)
                           AND (deleted = 1 OR EXISTS (
                                 SELECT 1 FROM log AS m
                                 WHERE m.key = l.key AND m.rev > l.rev AND m.rev <= ?3)))""",
                    (lo, hi, revision),
                )
                return _NOTHING, False

            await self._submit(sweep)

    # -- reads (on the loop thread) --------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        if self._closed or self._reader is None:
            raise errors.Unavailable("store is closed")
        return self._reader

    def _at(self, revision: int) -> int:
        """Validate a read revision (0: now) and return the revision to read at."""
        if revision == 0:
            return self._rev
        if revision < self._compact_rev:
            raise errors.Compacted(revision=revision, compact_revision=self._compact_rev)
        if revision > self._rev:
            raise errors.FutureRevision(revision=revision, current=self._rev)
        return revision

    async def get(self, key: str, *, revision: int = 0) -> KeyValue:
        checked_key(key, write=False)
        checked_revision(revision)
        db = self._db()
        if revision:
            at = self._at(revision)
            row = _execute(
                db,
                "SELECT value, create_rev, rev, deleted FROM log WHERE key = ? AND rev <= ? "
                "ORDER BY rev DESC LIMIT 1",
                (key, at),
            ).fetchone()
        else:
            row = _execute(
                db,
                "SELECT value, create_rev, rev, deleted FROM log WHERE key = ? ORDER BY rev DESC LIMIT 1",
                (key,),
            ).fetchone()
        if row is None or row[3]:
            raise errors.KeyNotFound(key, revision=revision or self._rev)
        return KeyValue(key, row[0], row[1], row[2])

    async def list(
        self, prefix: str, *, revision: int = 0, limit: int = 0, start_after: str = ""
    ) -> Page:
        checked_range(prefix, revision, start_after)
        db = self._db()
        at = self._at(revision)
        where, params = _range(prefix)
        sql = (
            "SELECT key, value, create_rev, max(rev), deleted FROM log "
            f"WHERE {where} AND key > ? AND rev <= ? GROUP BY key HAVING deleted = 0 ORDER BY key"
        )
        args: tuple[Any, ...] = (*params, start_after, at)
        if limit > 0:
            sql += " LIMIT ?"
            args += (limit + 1,)
        rows = _execute(db, sql, args).fetchall()
        more = limit > 0 and len(rows) > limit
        if more:
            rows = rows[:limit]
        return Page([KeyValue(r[0], r[1], r[2], r[3]) for r in rows], at, more)

    async def count(self, prefix: str, *, revision: int = 0, start_after: str = "") -> int:
        checked_range(prefix, revision, start_after)
        db = self._db()
        at = self._at(revision)
        where, params = _range(prefix)
        row = _execute(
            db,
            f"SELECT count(*) FROM (SELECT max(rev), deleted FROM log WHERE {where} AND key > ? AND rev <= ? "
            "GROUP BY key) WHERE deleted = 0",
            (*params, start_after, at),
        ).fetchone()
        return int(row[0])

    async def current_revision(self) -> int:
        self._db()
        return self._rev

    async def compact_revision(self) -> int:
        return self._compact_rev

    # -- watch -----------------------------------------------------------------------

    async def watch(
        self, prefix: str, *, since: int, prev_kv: bool = False
    ) -> AsyncIterator[Event]:
        checked_key(prefix, write=False)
        checked_revision(since)
        where, params = _range(prefix, "l.key")
        cols = "l.rev, l.key, l.value, l.create_rev, l.prev_rev, l.deleted"
        if prev_kv:
            sql = (
                f"SELECT {cols}, p.value, p.create_rev FROM log AS l "
                "LEFT JOIN log AS p ON p.rev = l.prev_rev "
            )
        else:
            sql = f"SELECT {cols} FROM log AS l "
        sql += f"WHERE l.rev > ? AND l.rev <= ? AND {where}"
        sql += " ORDER BY l.rev LIMIT ?"
        last = since
        while True:
            if self._closed:
                raise errors.Unavailable("store is closed")
            if last < self._compact_rev:
                raise errors.Compacted(revision=last, compact_revision=self._compact_rev)
            bound = self._rev
            changed = self._changed
            rows = _execute(self._db(), sql, (last, bound, *params, WATCH_BATCH)).fetchall()
            for r in rows:
                kv = KeyValue(r[1], r[2], r[3], r[0])
                prev = None
                if prev_kv and r[4] and r[6] is not None:
                    prev = KeyValue(r[1], r[6], r[7], r[4])
                yield Event(EventType.DELETE if r[5] else EventType.PUT, kv, prev)
            if len(rows) == WATCH_BATCH:
                last = rows[-1][0]
                continue
            last = bound
            if changed is not None and self._rev == bound:
                # shielded: one watcher cancelled while waiting must not cancel the others'
                await asyncio.shield(changed)


def _execute(db: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
    try:
        return db.execute(sql, args)
    except sqlite3.Error as e:
        raise errors.Unavailable(f"sqlite: {e}") from e


async def open_sqlite(path: str, *, synchronous: str = "FULL") -> SQLiteBackend:
    return await SQLiteBackend(path, synchronous=synchronous).open()
