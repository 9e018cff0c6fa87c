"""HTTP routes of outcomes."""

#: Route handlers of this module, registered by ``api/app.py``.
HANDLERS: list = []
