"""Piccolo's SQLite engine, made fit for a server.

Piccolo opens a new connection (and a new thread) for every query outside a transaction,
and begins transactions DEFERRED, so that two writers can deadlock into "database is
locked". This engine keeps connections open, lets one writer at a time into the database
from this process (others wait their turn instead of failing), and opens write
transactions IMMEDIATE so that other processes wait on the busy timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

READER_CONNECTIONS = 4


def _is_read(sql: str) -> bool:
    return sql.lstrip(" \n\t(").upper().startswith("SELECT")


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on a pooled connection: the writer's, unless it only reads."""

    engine: PooledSQLiteEngine

    @property
    def writes(self) -> bool:
        return self.transaction_type is not TransactionType.deferred

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.engine.acquire(write=self.writes)
        try:
            await self.begin()
        except BaseException:
            await self.engine.release(self.connection, write=self.writes)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent is not None:
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            if self.connection.in_transaction:
                await self.connection.rollback()
            self.engine.current_transaction.reset(self.context)
            await self.engine.release(self.connection, write=self.writes)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """One writer connection behind a lock, a few reader connections, all kept open."""

    def __init__(self, path: str, busy_timeout: float) -> None:
        super().__init__(path=path, timeout=busy_timeout)
        self.busy_timeout = busy_timeout
        self._writer: aiosqlite.Connection | None = None
        self._writer_lock = asyncio.Lock()
        self._readers: asyncio.Queue[aiosqlite.Connection] | None = None
        self._all: list[aiosqlite.Connection] = []
        self._opening = asyncio.Lock()

    async def get_connection(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        # FULL: a write acknowledged to a client survives a power cut, not only a crash.
        await connection.executescript(
            f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)};"
            "PRAGMA foreign_keys = ON;"
            "PRAGMA synchronous = FULL;"
        )
        return connection

    async def open(self) -> None:
        async with self._opening:
            if self._writer is not None:
                return
            writer = await self.get_connection()
            await writer.executescript("PRAGMA journal_mode = WAL;")
            readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
            for _ in range(READER_CONNECTIONS):
                reader = await self.get_connection()
                self._all.append(reader)
                readers.put_nowait(reader)
            self._all.append(writer)
            self._readers, self._writer = readers, writer

    async def close(self) -> None:
        async with self._opening:
            for connection in self._all:
                await connection.close()
            self._all.clear()
            self._writer, self._readers = None, None

    async def acquire(self, *, write: bool) -> aiosqlite.Connection:
        if self._writer is None:
            await self.open()
        assert self._writer is not None and self._readers is not None
        if write:
            await self._writer_lock.acquire()
            return self._writer
        return await self._readers.get()

    async def release(self, connection: aiosqlite.Connection, *, write: bool) -> None:
        if write:
            self._writer_lock.release()
        elif self._readers is not None:
            self._readers.put_nowait(connection)

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        write = not _is_read(query)
        connection = await self.acquire(write=write)
        try:
            async with connection.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        finally:
            await self.release(connection, write=write)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> PooledSQLiteTransaction:
        """Transactions write unless told otherwise: a DEFERRED one only reads."""
        return PooledSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )
