"""Build the National Reunification Month campaign site and resource hub."""

__version__ = "0.1.0"
