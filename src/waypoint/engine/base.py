"""The estimator contract every engine model follows (after scikit-learn's).

- ``__init__`` only stores its keyword arguments, unchanged, as attributes of the same name.
- ``fit(data)`` does the work, sets attributes ending in ``_`` and returns ``self``.
- ``get_params()`` / ``set_params(**params)`` read and change the constructor arguments;
  ``clone(est)`` makes an unfitted copy with the same arguments.
- Using a fitted-only method before ``fit`` raises :class:`NotFittedError`.

``tests/engine/checks.py`` holds the checks every model passes.
"""

from __future__ import annotations

import inspect
from typing import Any, Self, TypeVar


class NotFittedError(ValueError, AttributeError):
    """A method that needs a fitted model was called before ``fit``."""


class Estimator:
    """Base class: parameter handling from the ``__init__`` signature."""

    _fitted_attribute: str = "params_"

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        names = []
        for name, parameter in signature.parameters.items():
            if name == "self":
                continue
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}.__init__ must name every parameter")
            names.append(name)
        return sorted(names)

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, as given."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Self:
        """Change constructor arguments; unknown names raise ``ValueError``."""
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}")
            setattr(self, name, value)
        return self

    def is_fitted(self) -> bool:
        return hasattr(self, self._fitted_attribute)

    def _check_fitted(self) -> None:
        if not self.is_fitted():
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit first")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


E = TypeVar("E", bound=Estimator)


def clone(estimator: E) -> E:
    """A new, unfitted estimator with the same constructor arguments."""
    return type(estimator)(**estimator.get_params())
