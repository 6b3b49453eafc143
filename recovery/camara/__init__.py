"""CAMARA partner APIs under ``/camara``: KYC Match v0.4, SIM Swap v2, Number Recycling v0.2
and KYC Tenure v0.2 (DESIGN 3.2).

An existing CAMARA client works by pointing its ``apiRoot`` at ``/camara``:
same paths, fields, string match values and error codes, and the
``x-correlator`` header echoed on every answer. Each API is one flask-smorest
blueprint (``kyc_match.blp``, ``sim_swap.blp``, ``recycling.blp``, ``tenure.blp``) listed in
``recovery.api.API_MODULES``; the rules they apply live in
``recovery.camara.services`` and, for the contract history, ``recovery.contracts`` (no Flask there).
"""
