"""Rolling back a DuckDB transaction without hiding the error that made it fail."""

from __future__ import annotations

import duckdb

NO_TRANSACTION = "no transaction is active"


def rollback(con: duckdb.DuckDBPyConnection, error: BaseException | None = None) -> None:
    """ROLLBACK the open transaction; never raise over `error`, the reason it is rolled back.

    When COMMIT itself fails (disk full, file too large), DuckDB has already rolled the
    transaction back, and a second ROLLBACK raised "cannot rollback - no transaction is active",
    which replaced the real error in every message. That case is ignored; any other failure to
    roll back is added to `error` as a note (DuckDB discards the transaction anyway when the
    connection closes).
    """
    try:
        con.execute("ROLLBACK")
    except duckdb.Error as exc:
        if NO_TRANSACTION in str(exc):
            return
        if error is None:
            raise
        error.add_note(f"(the rollback failed too: {exc})")
