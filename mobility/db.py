"""Engine and session factory: built per process from settings, never at import time."""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Dialect, Engine, Result, Select, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from mobility.config import Settings


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets web readers run while the OCPP server writes; busy_timeout queues writers
    # instead of failing at once; foreign keys are off by default in SQLite.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock at BEGIN so read-then-write checks (double booking) are serialised
    # on SQLite instead of failing with "database is locked" on upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(settings: Settings, *, readonly: bool = False, **kwargs: Any) -> Engine:
    """Create the engine for this process's settings (SQLite readers skip the write lock)."""
    url = settings.database_url
    if url.startswith("sqlite"):
        if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
            # Threaded web servers: enough pooled file connections that requests never queue.
            kwargs.setdefault("pool_size", 10)
            kwargs.setdefault("max_overflow", 30)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # Take over transaction control from pysqlite so BEGIN IMMEDIATE works.
        event.listen(
            engine,
            "connect",
            lambda dbapi_conn, _rec: setattr(dbapi_conn, "isolation_level", None),
        )
        if not readonly:
            event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    # No pre-ping: it costs a round trip per checkout. A dropped connection fails one query,
    # after which SQLAlchemy invalidates the pool; recycling retires idle connections early.
    kwargs.setdefault("pool_recycle", 600)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (handy for returning results)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


_AFTER_COMMIT = "mobility.after_commit"
_FAST_CURSOR = "mobility.fast_cursor"


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (ORM sessions type their results generically)."""
    return int(getattr(result, "rowcount", 0))


def after_commit(s: Session, action: Callable[[], object]) -> None:
    """Run `action` once this session's transaction has committed and released its locks.

    Side effects (payment provider, mail, charger commands) go here, never inside the
    transaction: the intent is recorded in the transaction, its execution comes after.
    """
    s.info.setdefault(_AFTER_COMMIT, []).append(action)


def _run_after_commit(actions: list[Callable[[], object]]) -> None:
    for action in actions:
        action()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Database:
    """Engine + session factory pair owned by one process."""

    def __init__(self, settings: Settings, **engine_kwargs: Any) -> None:
        self.settings = settings
        self.engine = make_engine(settings, **engine_kwargs)
        # Reads go through `sessions`; on SQLite they use deferred transactions so that readers
        # run side by side (WAL) while writers queue on BEGIN IMMEDIATE.
        self.read_engine = (
            make_engine(settings, readonly=True, **engine_kwargs)
            if settings.is_sqlite
            else self.engine
        )
        self.sessions = make_session_factory(self.read_engine)
        self._write_lock = threading.RLock() if settings.is_sqlite else None
        # Core reads run each statement on its own: on PostgreSQL that saves the BEGIN and
        # ROLLBACK round trips (READ COMMITTED gives a statement no less than a transaction).
        self._reads_engine = (
            self.read_engine
            if settings.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self.writes = make_session_factory(self.engine)
        self._fast: Engine | None = None
        self._fast_lock = threading.Lock()

    def fetch_all(self, sql: str, args: Any) -> list[Any]:
        """Run one compiled read statement on a raw driver connection; its raw rows."""
        if self.settings.is_sqlite:
            conn = self.read_engine.raw_connection()
            try:
                cursor = conn.cursor()
                cursor.execute(sql, args)
                fetched = list(cursor.fetchall())
                cursor.close()
            finally:
                conn.close()
            return fetched
        return self._fetch_all_pg(sql, args)

    def _fetch_all_pg(self, sql: str, args: Any) -> list[Any]:
        # Connections of their own, always in autocommit (one round trip, no BEGIN/ROLLBACK,
        # nothing to reset on return), each keeping one cursor: a new cursor re-resolves
        # every parameter's and column's adapter, which cost more than the query itself.
        conn = self._fast_engine().raw_connection()
        try:
            cursor = conn.info.get(_FAST_CURSOR)
            if cursor is None:
                cursor = conn.info[_FAST_CURSOR] = conn.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(sql, args, prepare=True)  # planned once per connection
            return list(cursor.fetchall())
        except (psycopg.OperationalError, psycopg.InterfaceError):
            # The server went away: every pooled connection is as dead as this one.
            conn.invalidate()
            self._fast_engine().dispose()
            raise
        finally:
            conn.close()

    def _fast_engine(self) -> Engine:
        if self._fast is not None:
            return self._fast
        with self._fast_lock:
            if self._fast is None:
                self._fast = make_engine(
                    self.settings, isolation_level="AUTOCOMMIT", pool_reset_on_return=None
                )
            return self._fast

    def reads(self) -> Any:
        """Context manager yielding a Core connection for hot read paths (no ORM session)."""
        return self._reads_engine.connect()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in its own (write) transaction; after-commit actions run once it is over."""
        with self._locked() as session:
            yield session
            actions = session.info.pop(_AFTER_COMMIT, [])
        # Committed, session closed, SQLite write lock released: now the side effects.
        _run_after_commit(actions)

    @contextmanager
    def _locked(self) -> Iterator[Session]:
        if self._write_lock is None:
            with transaction(self.writes) as session:
                yield session
            return
        # SQLite has one writer at a time; queueing this process's writers on a lock is fair
        # and prompt, where SQLite's busy handler polls with growing sleeps (long p99 tails).
        with self._write_lock, transaction(self.writes) as session:
            yield session

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
        self.read_engine.dispose()
        if self._fast is not None:
            self._fast.dispose()


class FastQuery:
    """A read-only Core select compiled once per dialect and run on a pooled DBAPI connection
    (on PostgreSQL, autocommit connections of their own with a cursor kept warm).

    For the hottest read paths only: SQLAlchemy's per-execution machinery costs ~100 µs, several
    times an indexed query. Parameters and results still go through the column types' own
    processors, so values are the same as through a Connection (tests compare both).
    """

    def __init__(self, stmt: Select[Any]) -> None:
        self.stmt = stmt
        self._plans: dict[str, tuple[Any, ...]] = {}

    def _plan(self, dialect: Dialect) -> tuple[Any, ...]:
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = self.stmt.compile(dialect=dialect)
            # The dialect's own form of each type (SQLite stores datetimes as text): a generic
            # type's processor would leave a datetime to the driver, which writes another string.
            binds = {
                name: bp.type.dialect_impl(dialect).bind_processor(dialect)
                for bp, name in compiled.bind_names.items()
            }
            columns = list(self.stmt.selected_columns)
            results = [
                col.type.dialect_impl(dialect).result_processor(dialect, None) for col in columns
            ]
            row_type = namedtuple("Row", [col.key for col in columns])  # type: ignore[misc]
            plan = (compiled, binds, results, row_type)
            self._plans[dialect.name] = plan
        return plan

    def all(self, db: Database, params: Mapping[str, Any]) -> list[Any]:
        """Every row, as named tuples (attribute access like SQLAlchemy rows)."""
        engine = db.read_engine
        compiled, binds, results, row_type = self._plan(engine.dialect)
        values = compiled.construct_params(dict(params))
        for name, process in binds.items():
            if process is not None and name in values:
                values[name] = process(values[name])
        args: Any = (
            [values[name] for name in compiled.positiontup] if compiled.positional else values
        )
        fetched = db.fetch_all(compiled.string, args)
        return [
            row_type(*(p(v) if p is not None else v for p, v in zip(results, raw, strict=True)))
            for raw in fetched
        ]
