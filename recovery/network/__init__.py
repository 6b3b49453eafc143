"""The network side: the SIM inventory, the provisioning outbox, its backends and the worker.

See docs/NETWORK.md for the flow. Use-cases call :mod:`recovery.network.provisioning`
inside their own transaction; ``flask --app wsgi worker`` delivers.
"""
