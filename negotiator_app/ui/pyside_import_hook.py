"""PySide's import hook, made cheap: it reads every imported module's source to look for "PySide6".

Standard library only, so that the frozen app's entry script can install it before anything else is imported."""
from __future__ import annotations

import sys


def quicken_pyside_import_hook() -> None:
    """Once PySide6 is imported, its import hook asks of every module imported after it whether the module's
    source mentions "PySide6" (for PySide's opt-in `__feature__` switches), through inspect.getsource: reading,
    decoding and splitting into lines the ~150 files imported before the window's first paint cost some 30 ms
    there, and every later import pays it too. The same question answered from the file's bytes; anything else
    (a module with no source file; a PySide that no longer has this hook) keeps PySide's own answer."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or getattr(original, "reads_bytes", False):
        return

    frozen = getattr(sys, "frozen", False)

    def mod_uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except FileNotFoundError:
                if frozen:  # PyInstaller's loaders look for the source at this same path: PySide would find none
                    return False
            except OSError:
                pass
        return original(module)

    mod_uses_pyside.reads_bytes = True  # type: ignore[attr-defined]
    mod_uses_pyside.original = original  # type: ignore[attr-defined]
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[union-attr]
