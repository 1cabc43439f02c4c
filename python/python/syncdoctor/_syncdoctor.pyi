"""Type stubs of the native module ``syncdoctor._syncdoctor`` (PyO3, stable ABI)."""

import os
from typing import Any, Mapping, Optional, Sequence, Tuple, Union

SnapshotInput = Union[str, bytes, "os.PathLike[str]", Mapping[str, Any]]

ENGINE_VERSION: str
"""The engine's version (``engine_version`` in reports)."""

class SyncdoctorError(Exception):
    """Base class of the errors syncdoctor raises."""

class SnapshotError(SyncdoctorError):
    """A snapshot could not be read, parsed or validated; the message locates every problem
    (``file:line:col``), as the CLI prints it."""

class KnowledgeBaseError(SyncdoctorError):
    """A knowledge base could not be read or compiled; the message locates every problem, as the
    CLI prints it."""

class KnowledgeBase:
    """A compiled knowledge base. Load it once; evaluate any number of snapshots from any number
    of threads (immutable; the GIL is released while the engine works)."""

    def __new__(cls, rules: Optional[Union[str, "os.PathLike[str]"]] = None) -> "KnowledgeBase":
        """Loads the knowledge base in folder ``rules``, or the bundled one when ``rules`` is None.
        Raises KnowledgeBaseError with every located problem."""
    @property
    def version(self) -> str:
        """The knowledge base's version (``kb_version`` in reports)."""
    @property
    def engine_version(self) -> str:
        """The engine's version (``engine_version`` in reports)."""
    def rules(self) -> list[dict[str, str]]:
        """The rules, in load order: dicts with id, version, title, severity, area, path."""
    def evaluate_json(
        self,
        snapshot: SnapshotInput,
        *,
        all: bool = False,
        only: Optional[Sequence[str]] = None,
        skip: Optional[Sequence[str]] = None,
    ) -> str:
        """Evaluates a snapshot; returns the report as JSON text, exactly as
        ``syncdoctor diagnose --format json`` prints it. Raises SnapshotError on a bad snapshot,
        ValueError on a selection that names no rule."""
    def validate(self, snapshot: SnapshotInput) -> None:
        """Reads and validates a snapshot without evaluating it; raises SnapshotError when it is bad."""
    def _replay_one(
        self,
        snapshot: Any,
        *,
        file: Optional[Union[str, "os.PathLike[str]"]] = None,
        line: Optional[int] = None,
        against: Optional["KnowledgeBase"] = None,
        all: bool = False,
        only: Optional[Sequence[str]] = None,
        skip: Optional[Sequence[str]] = None,
    ) -> Tuple[Optional[str], Optional[str], Optional[str]]:
        """One step of ``KnowledgeBase.replay``: (report JSON, error, changes JSON); never raises
        on a bad snapshot."""
    def __len__(self) -> int:
        """The number of rules."""
