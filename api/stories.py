"""HTTP routes of stories."""

#: Route handlers of this module, registered by ``api/app.py``.
HANDLERS: list = []
