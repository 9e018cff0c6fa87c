"""Where Piccolo's own tools (migrations) find the engine and the app.

``DB`` is replaced by ``models.schema.bind`` with the engine the settings select; to
generate a migration after changing a table, run::

    PICCOLO_CONF=models.piccolo_conf piccolo migrations new tracker --auto
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.sqlite import SQLiteEngine

DB = SQLiteEngine(path="data/tracker.sqlite")
APP_REGISTRY = AppRegistry(apps=["models.piccolo_app"])
