"""Run a migration's SQL script through Alembic, one statement at a time.

asyncpg prepares each statement, so a script of several statements must be split; scripts keep
semicolons only between statements (none inside literals or function bodies).
"""

from __future__ import annotations

from alembic import op


def execute_script(script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            op.execute(statement)
