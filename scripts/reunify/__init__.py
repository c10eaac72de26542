"""Build the National Reunification Month campaign site and resource hub."""

from reunify import engine

__version__ = "0.1.0"

# Before any module imports MkDocs: ProperDocs, unless REUNIFY_ENGINE=mkdocs (see engine.py).
engine.select()
