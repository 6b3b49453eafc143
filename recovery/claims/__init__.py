"""The lost-SIM claim workflow as use-cases, free of Flask.

* :mod:`.actors` — who acts (channel, staff member or API client, IP);
* :mod:`.submit` — ``submit_claim``: lock check, verification, decision, and
  what follows (SIM blocked, tickets, notifications, audit);
* :mod:`.lockout` — failed claims per number and supervisor unlocks;
* :mod:`.tickets` — ``block_sim``, ``open_reissue``, ``fulfil``, ``cancel``;
* :mod:`.notifications` — the outbox and the pluggable delivery backend.

Each use-case takes the SQLAlchemy ``session`` and ``now`` as arguments, adds
its work to the session and raises a named exception when it cannot proceed.
The caller (a view, the API, a test) commits, or rolls back on an exception.
"""
