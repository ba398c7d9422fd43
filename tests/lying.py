"""Hostile action names: objects whose equality and hash lie about what they are."""

from __future__ import annotations

import typing as t


def lying_str(claims: str) -> type[str]:
    """Return a ``str`` subclass whose instances equal everything and hash like ``claims``."""

    class LyingStr(str):
        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return hash(claims)

        def endswith(self, *args: t.Any) -> bool:
            return False

    return LyingStr


def lying_object(claims: str) -> type:
    """Return a class (not a ``str``) whose instances equal everything and hash like ``claims``."""

    class LyingObject:
        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return hash(claims)

    return LyingObject
