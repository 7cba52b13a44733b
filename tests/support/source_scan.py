"""Calls in the project's own source that match a rule: how a "written once" test finds a second copy."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path


def calls_where(root: Path, matches: Callable[[ast.Call], bool]) -> list[str]:
    """``path:line`` (relative to ``root``) of every call under ``root`` for which ``matches`` is true."""
    found = []
    for source in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and matches(node):
                found.append(f"{source.relative_to(root).as_posix()}:{node.lineno}")
    return found


def method_name(call: ast.Call) -> str | None:
    """``replace`` for ``x.replace(...)``; None for a plain function call."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def receiver_name(call: ast.Call) -> str | None:
    """``os`` for ``os.replace(...)``; None when the receiver is not a plain name."""
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        return call.func.value.id
    return None
