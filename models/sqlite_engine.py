"""Piccolo's SQLite engine, made fit for a server.

Piccolo opens a new connection (and a new thread) for every query outside a transaction,
and begins transactions DEFERRED, so that two writers can deadlock into "database is
locked". This engine keeps connections open: a few readers, and one writer that this
process's write transactions share, one after another.

The writer is kept busy. A write transaction's statements run on it directly, back to back,
with no hop to another thread each: they touch pages in memory and last microseconds. What
can wait — taking the file's write lock from other processes (``BEGIN IMMEDIATE``, up to
the busy timeout) and the ``COMMIT`` that syncs the log to disk — runs in a worker thread.
Transactions that queue for the writer meanwhile are committed as a group: each runs inside
its own ``SAVEPOINT`` (one that fails rolls back alone, and its caller gets its error), and
one ``COMMIT`` — one sync — ends the group. A transaction returns only once the ``COMMIT``
that holds it is done, so an acknowledged write is on disk; if that ``COMMIT`` fails, every
transaction of the group fails with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

READER_CONNECTIONS = 4


def _is_read(sql: str) -> bool:
    return sql.lstrip(" \n\t(").upper().startswith("SELECT")


class _Done:
    """What a statement on the writer answers: its rows, in aiosqlite's shapes (awaited, or
    ``async with ... as cursor`` then ``await cursor.fetchall()``)."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def __await__(self):
        return self._self().__await__()

    async def _self(self) -> _Done:
        return self

    async def __aenter__(self) -> _Done:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def fetchall(self) -> list[Any]:
        return self.rows


class Writer:
    """The one connection that writes, used from the event loop's thread between the
    group's ``BEGIN`` and ``COMMIT`` (both in a worker thread)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.raw = connection
        #: Held by one transaction at a time, and by the group's commit.
        self.lock = asyncio.Lock()
        self.in_group = False
        #: Transactions of the open group that succeeded, waiting for its COMMIT.
        self.members: list[asyncio.Future[None]] = []
        self.committer: asyncio.Task[None] | None = None
        self.row_factory = dict_factory  # what Piccolo sets; the rows are dicts anyway

    def execute(self, sql: str, args: Any = ()) -> _Done:
        return _Done(self.raw.execute(sql, args or ()).fetchall())

    async def begin_member(self) -> None:
        """Called holding the lock: a savepoint in the open group, which opens if needed."""
        if not self.in_group:
            await asyncio.to_thread(self.raw.execute, "BEGIN IMMEDIATE")
            self.in_group = True
        self.raw.execute("SAVEPOINT member")

    def end_member(self, succeeded: bool) -> asyncio.Future[None] | None:
        """Called holding the lock: keep the member's work (a future of the group's COMMIT)
        or undo it alone; the group's commit is then scheduled."""
        try:
            if succeeded:
                self.raw.execute("RELEASE member")
                done: asyncio.Future[None] | None = asyncio.get_running_loop().create_future()
                self.members.append(done)
            else:
                self.raw.execute("ROLLBACK TO member")
                self.raw.execute("RELEASE member")
                done = None
        except sqlite3.Error as error:
            self._abort(error)
            raise
        finally:
            if not self.raw.in_transaction and self.in_group:
                # SQLite ended the transaction itself (e.g. a disk error): the group is lost.
                self._abort(sqlite3.OperationalError("the write transaction was rolled back"))
            self._schedule_commit()
        return done

    def _schedule_commit(self) -> None:
        if self.in_group and self.committer is None:
            self.committer = asyncio.get_running_loop().create_task(self._commit_group())

    def _abort(self, error: BaseException) -> None:
        members, self.members = self.members, []
        if self.raw.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.raw.execute("ROLLBACK")
        self.in_group = False
        for member in members:
            if not member.done():
                member.set_exception(error)

    async def _commit_group(self) -> None:
        # The lock is fair: the transactions already waiting for it run first, joining
        # this group; those that come later make the next.
        async with self.lock:
            self.committer = None
            if not self.in_group:
                return
            members, self.members = self.members, []
            try:
                await asyncio.to_thread(self.raw.execute, "COMMIT")
            except BaseException as error:
                self.members = members
                self._abort(error if isinstance(error, Exception) else sqlite3.OperationalError())
                if not isinstance(error, Exception):
                    raise
                return
            self.in_group = False
            for member in members:
                if not member.done():
                    member.set_result(None)

    async def drain(self) -> None:
        while self.committer is not None:
            await asyncio.shield(self.committer)


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on a pooled connection: a member of the writer's group, unless it
    only reads."""

    engine: PooledSQLiteEngine

    @property
    def writes(self) -> bool:
        return self.transaction_type is not TransactionType.deferred

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        if self.writes:
            writer = await self.engine.writer()
            await writer.lock.acquire()
            try:
                await writer.begin_member()
            except BaseException:
                writer.lock.release()
                raise
            self.connection = writer
        else:
            self.connection = await self.engine.acquire_reader()
            try:
                await self.begin()
            except BaseException:
                await self.engine.release_reader(self.connection)
                raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent is not None:
            return exception is None
        self.engine.current_transaction.reset(self.context)
        if not self.writes:
            try:
                if exception is None and not self._committed and not self._rolled_back:
                    await self.commit()
            finally:
                if self.connection.in_transaction:
                    await self.connection.rollback()
                await self.engine.release_reader(self.connection)
            return exception is None
        writer: Writer = self.connection
        try:
            committed = writer.end_member(exception is None and not self._rolled_back)
        finally:
            writer.lock.release()
        if committed is not None:
            await committed  # on disk, or the group's error
        return exception is None

    async def commit(self) -> None:
        if self.writes:
            raise NotImplementedError("a write transaction commits when its block ends")
        await super().commit()

    async def rollback(self) -> None:
        if self.writes:
            raise NotImplementedError("raise out of a write transaction's block to undo it")
        await super().rollback()


class PooledSQLiteEngine(SQLiteEngine):
    """One writer connection shared in turns (see the module), a few reader connections,
    all kept open."""

    def __init__(self, path: str, busy_timeout: float) -> None:
        super().__init__(path=path, timeout=busy_timeout)
        self.busy_timeout = busy_timeout
        self._writer: Writer | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] | None = None
        self._all: list[aiosqlite.Connection] = []
        self._opening = asyncio.Lock()

    def _pragmas(self) -> str:
        # FULL: a write acknowledged to a client survives a power cut, not only a crash.
        return (
            f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)};"
            "PRAGMA foreign_keys = ON;"
            "PRAGMA synchronous = FULL;"
        )

    async def get_connection(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.executescript(self._pragmas())
        return connection

    def _writer_connection(self) -> sqlite3.Connection:
        connection = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
        connection.row_factory = dict_factory
        connection.executescript(self._pragmas() + "PRAGMA journal_mode = WAL;")
        return connection

    async def open(self) -> None:
        async with self._opening:
            if self._writer is not None:
                return
            writer = Writer(await asyncio.to_thread(self._writer_connection))
            readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
            for _ in range(READER_CONNECTIONS):
                reader = await self.get_connection()
                self._all.append(reader)
                readers.put_nowait(reader)
            self._readers, self._writer = readers, writer

    async def close(self) -> None:
        async with self._opening:
            if self._writer is not None:
                await self._writer.drain()
                async with self._writer.lock:
                    self._writer.raw.close()
            for connection in self._all:
                await connection.close()
            self._all.clear()
            self._writer, self._readers = None, None

    async def writer(self) -> Writer:
        if self._writer is None:
            await self.open()
        assert self._writer is not None
        return self._writer

    async def acquire_reader(self) -> aiosqlite.Connection:
        if self._readers is None:
            await self.open()
        assert self._readers is not None
        return await self._readers.get()

    async def release_reader(self, connection: aiosqlite.Connection) -> None:
        if self._readers is not None:
            self._readers.put_nowait(connection)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        # The connections' pragmas are set once, when they open (Piccolo sets foreign_keys
        # again before every statement: a second hop each).
        if isinstance(connection, Writer):
            return connection.execute(query, args).rows
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        if not _is_read(query):
            async with self.transaction():
                writer = await self.writer()
                return writer.execute(query, args).rows
        connection = await self.acquire_reader()
        try:
            async with connection.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        finally:
            await self.release_reader(connection)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> PooledSQLiteTransaction:
        """Transactions write unless told otherwise: a DEFERRED one only reads."""
        return PooledSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )
