"""Old import path: the cast lives in ``tests.helpers.cast``."""

from tests.helpers.cast import Cast, PageForm, api_claim, console_claim, forms_on, make_cast  # noqa: F401
from tests.helpers.people import IVANOV  # noqa: F401
from tests.helpers.web import csrf_token_of  # noqa: F401
