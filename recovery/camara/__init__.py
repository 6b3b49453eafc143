"""CAMARA partner APIs under ``/camara``: KYC Match v0.4 and SIM Swap v2 (DESIGN 3.2).

An existing CAMARA client works by pointing its ``apiRoot`` at ``/camara``:
same paths, fields, string match values and error codes, and the
``x-correlator`` header echoed on every answer. Each API is one flask-smorest
blueprint (``kyc_match.blp``, ``sim_swap.blp``) listed in
``recovery.api.API_MODULES``; the rules they apply live in
``recovery.camara.services`` (no Flask there).
"""
