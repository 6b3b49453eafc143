"""The call ledger and the subscriber base: CSV imports, partitions, synthetic data, the demo seed.

* :mod:`.imports` — the all-or-nothing imports (``import_calls``, ``import_subscribers``),
  built from :mod:`.source` (reading files), :mod:`.rows` (parsing and validating
  a row) and :mod:`.writers` (database writes);
* :mod:`.partitions` — PostgreSQL monthly partitions of ``call_events``;
* :mod:`.generator` — synthetic subscribers and calls for load tests;
* :mod:`.commands` — ``ledger-partitions`` and ``bench generate-*`` (flask CLI).
"""
