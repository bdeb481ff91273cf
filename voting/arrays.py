"""Array checks shared by the ballot constructors: shapes, integer types, weights, and the frozen
copies that make ballots immune to later changes of the caller's arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from voting.errors import VotingInputError

WEIGHT_TYPE_MESSAGE = "Les poids des bulletins doivent être des entiers ou des fractions."


def rank_dtype(n_candidates: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer type holding ranks 0 … n_candidates (n_candidates = unranked)."""
    if n_candidates < 127:
        return np.int8
    return np.int16 if n_candidates < 32767 else np.int32


def as_array(values: Any, what: str) -> NDArray[Any]:
    """``np.asarray`` that turns ragged or unreadable input into a :class:`VotingInputError`."""
    try:
        return np.asarray(values)
    except (TypeError, ValueError) as error:
        raise VotingInputError(f"{what} : tableau illisible ({error}).") from error


def is_integer_array(array: NDArray[Any]) -> bool:
    """Integer dtype, booleans excluded (a float, NaN included, is never a count or an index)."""
    return array.dtype != np.bool_ and bool(np.issubdtype(array.dtype, np.integer))


def as_matrix(values: Any, n_columns: int, what: str) -> NDArray[Any]:
    """A 2-D array with one row per ballot and ``n_columns`` columns; an empty input is a matrix
    without rows. Any other shape is refused (never silently reshaped)."""
    array = as_array(values, what)
    if array.size == 0:
        array = array.astype(np.int64)  # an empty list has no integer type to check
        if array.ndim < 2:
            array = array.reshape(0, n_columns)
    if array.ndim != 2 or array.shape[1] != n_columns:
        raise VotingInputError(
            f"{what} : il faut une ligne par bulletin et {n_columns} colonnes "
            f"(reçu la forme {array.shape})."
        )
    return array


def as_weight_array(values: Any, n_ballots: int) -> NDArray[np.int64]:
    """Exact integer weights, one per ballot, none negative (no float, no NaN, no boolean)."""
    array = as_array(values, "Poids des bulletins")
    if array.size == 0:
        array = array.astype(np.int64).reshape(-1)
    if not is_integer_array(array):
        raise VotingInputError(WEIGHT_TYPE_MESSAGE)
    if array.shape != (n_ballots,):
        raise VotingInputError(f"{array.size} poids pour {n_ballots} bulletins.")
    if array.size and int(array.min()) < 0:
        raise VotingInputError("Le poids d'un bulletin ne peut pas être négatif.")
    return array.astype(np.int64, copy=False)


def check_weight_scale(scale: Any) -> None:
    """``weight_scale`` is the common denominator of the caller's weights: an integer ≥ 1."""
    if isinstance(scale, bool) or not isinstance(scale, int | np.integer) or scale < 1:
        raise VotingInputError(f"Échelle des poids invalide : {scale!r} (entier ≥ 1).")


def frozen(array: NDArray[Any], dtype: DTypeLike) -> NDArray[Any]:
    """A read-only array of ``dtype`` that nobody else can write: a fresh copy, unless ``array``
    already is one (read-only and owning its data, as the arrays of other ballots are)."""
    if array.dtype == np.dtype(dtype) and array.flags.owndata and not array.flags.writeable:
        return array
    copy = np.array(array, dtype=dtype, copy=True, order="C")
    copy.setflags(write=False)
    return copy
