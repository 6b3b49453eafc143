"""Unit tests of identity verification: no app, no database."""
