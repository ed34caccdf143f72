"""The Experiments view: stored experiments, their runs with live progress, and their results with charts."""
from .page import ExperimentsPage

__all__ = ["ExperimentsPage"]
