"""Errors raised by the voting kernels, with messages a member or an admin can read (French)."""

from __future__ import annotations


class VotingError(ValueError):
    """Base class of every error raised by ``voting``."""


class VotingInputError(VotingError):
    """The ballots, counts, weights or options given to a kernel are inconsistent."""


class PolicyError(VotingError):
    """A tally policy or a majority cannot be understood or applied."""


class QuorumNotSetError(VotingError):
    """The legal form has no default quorum and the statutes do not fix one."""


class QuorumOverrideError(VotingError):
    """The statutes try to set a quorum below the legal default."""


class PreflibFormatError(VotingError):
    """A PrefLib file does not follow the format."""


class MajorityNotSetError(VotingError):
    """The legal form has no default majority and the statutes do not fix one."""
