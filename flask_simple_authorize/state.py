"""The per-app state of the extension, kept in ``app.extensions["simple_authorize"]``."""

from __future__ import annotations

import dataclasses
import typing as t
from collections.abc import Callable
from collections.abc import Mapping

from flask import Flask
from flask import current_app
from flask import request

from .config import Settings
from .errors import ConfigurationError

if t.TYPE_CHECKING:
    from .extension import SimpleAuthorize

EXTENSION_KEY = "simple_authorize"

ContextProvider = Callable[[], Mapping[str, t.Any]]
UserLoader = Callable[[t.Any], t.Any]


@dataclasses.dataclass
class AuthorizeState:
    """What the extension knows about one app.

    :param extension: The :class:`.SimpleAuthorize` instance registered on the app.
    :param settings: The validated ``SIMPLE_AUTHORIZE_*`` configuration.
    :param huey: The huey instance bound to the app, if any.
    """

    extension: SimpleAuthorize
    settings: Settings
    huey: t.Any = None
    #: ``blueprint name -> policy namespace`` (shared with the extension).
    blueprint_namespaces: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Names of the blueprints whose requests are API requests (shared with the extension).
    api_blueprints: set[str] = dataclasses.field(default_factory=set)

    @property
    def context_provider(self) -> ContextProvider | None:
        """The app's context provider, if one is registered."""
        return self.extension.context_provider_function

    @property
    def user_loader(self) -> UserLoader | None:
        """The app's job user loader, if one is registered."""
        return self.extension.user_loader_function


def get_state(app: Flask | None = None) -> AuthorizeState:
    """Return the extension's state for ``app`` (default: the current app).

    :raises ConfigurationError: The extension is not registered on the app.
    """
    if app is None:
        app = t.cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
    try:
        return t.cast(AuthorizeState, app.extensions[EXTENSION_KEY])
    except KeyError:
        raise ConfigurationError(
            f"Flask-Simple-Authorize is not registered on app {app.name!r}: call"
            " SimpleAuthorize(app) or authz.init_app(app) first"
        ) from None


def request_blueprint_names() -> list[str]:
    """Return the current request's blueprint names, innermost first.

    Each blueprint appears under the full dotted name it serves requests under
    (``"v1.posts"``), the last part of it (``"posts"``) and the name it was
    created with, which differs when it was registered with ``name=``
    (``app.register_blueprint(api, name="api_v2")``). So a blueprint can be
    registered with the extension by object or by any of its names.
    """
    names: list[str] = []
    registered = current_app.blueprints
    for name in request.blueprints:
        names.append(name)
        own = name.rpartition(".")[2]
        if own != name:
            names.append(own)
        blueprint = registered.get(name)
        if blueprint is not None and blueprint.name not in (name, own):
            names.append(blueprint.name)
    return names
