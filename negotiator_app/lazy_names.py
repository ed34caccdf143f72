"""Package namespaces whose names are imported on first use: importing one light submodule of a package (the
settings, the stored records' models) must not load the heavy ones (SQLAlchemy, httpx) the others need."""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def name_loader(package: str, homes: dict[str, list[str]], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: `homes` maps each submodule to the names it defines; a name is
    imported from its submodule when first asked for, then kept in `namespace` (the package's globals)."""
    home_of = {name: module for module, names in homes.items() for name in names}

    def load(name: str) -> Any:
        module = home_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return load
