"""contentsync: declarative docs-as-code for the Intercom Help Center."""

__version__ = "0.1.0"
