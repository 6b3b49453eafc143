"""The application as served under load in ``make bench``: production config, no rate limits.

The load generator is one client on the loopback address, which the per-IP
limits would rightly throttle after a few requests; the benchmark measures the
work of a request, so the limiter is switched off here and nowhere else.
"""

from config import load_config
from recovery import create_app

config = load_config()
config.RATELIMIT_ENABLED = False
app = create_app(config)
