"""The session setup form package: fields, tables, seller editors, LLM settings, live room preview."""
from .form import SessionSetupForm
from .scenario_files import example_scenarios

__all__ = ["SessionSetupForm", "example_scenarios"]
