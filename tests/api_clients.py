"""Old import path: the API-client builders live in ``tests.helpers.people``."""

from tests.helpers.people import add_token, make_api_client

__all__ = ["add_token", "make_api_client"]
