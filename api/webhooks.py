"""HTTP routes of webhooks."""

#: Route handlers of this module, registered by ``api/app.py``.
HANDLERS: list = []
