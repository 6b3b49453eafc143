"""The lost-SIM claim workflow as use-cases, free of Flask.

* :mod:`.actors` — who acts (channel, staff member, API client or account
  holder, IP) and ``Actor.audit``;
* :mod:`.submit` — ``submit_claim``: lock check, verification, decision, and
  what follows (SIM blocked, tickets, notifications, audit);
* :mod:`.records` — what a claim row keeps of its verification and decision,
  and how pages and the API read it back;
* :mod:`.sims` — ``block_sim``, the one SIM-block use-case (a claim and the
  personal account), and ``stop_current_sim``, its SIM step;
* :mod:`.tickets` — ``insert_reissue``, ``fulfil`` (the hand-over), ``cancel``;
* :mod:`.lockout`, :mod:`.ceiling` — failed claims per number and supervisor
  unlocks; the ceiling of failed numbers per client;
* :mod:`.notifications` — the outbox and the pluggable delivery backend;
* :mod:`.boundary` — the only Flask-aware part: runs a claim for the request.

Each use-case takes the SQLAlchemy ``session`` and ``now`` as arguments, adds
its work to the session and raises a named exception when it cannot proceed.
The caller (a view, the API, a test) commits, or rolls back on an exception.
"""
