"""Keep decrypted personal data out of SQLAlchemy's own log lines.

``hide_parameters`` keeps SQL parameters out of the log, and the values are
ciphertext at that point anyway. Result rows are another matter: at DEBUG
(``SQLALCHEMY_ECHO = "debug"``, or the ``sqlalchemy.engine`` logger set to
DEBUG while troubleshooting) SQLAlchemy logs every row *after* the column
types have processed it — names, addresses and e-mails already decrypted.
The filter below replaces the values of such lines; the line itself stays, so
the log still shows that a row came back.
"""

from __future__ import annotations

import logging

#: The logger SQLAlchemy's engines write statements and rows to.
ENGINE_LOGGER = "sqlalchemy.engine.Engine"
ROW_HIDDEN = "Row (values hidden: a row may hold decrypted personal data)"


class HideResultRows(logging.Filter):
    """Replaces the values of SQLAlchemy's ``Row …`` debug lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, without the row's values."""
        if isinstance(record.msg, str) and record.msg.startswith("Row "):
            record.msg, record.args = ROW_HIDDEN, ()
        return True


def hide_result_rows() -> None:
    """Install ``HideResultRows`` on the engine logger (once per process)."""
    logger = logging.getLogger(ENGINE_LOGGER)
    if not any(isinstance(existing, HideResultRows) for existing in logger.filters):
        logger.addFilter(HideResultRows())
