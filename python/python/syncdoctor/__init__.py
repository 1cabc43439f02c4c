"""syncdoctor from Python: diagnose Microsoft Entra ID directory synchronization from fact snapshots.

The engine is the Rust one (``syncdoctor-engine``), called through a native module built with
PyO3 on CPython's stable ABI; nothing is re-implemented here. Load a knowledge base once and
evaluate as many snapshots as you like, from as many threads as you like (the GIL is released
while the engine works)::

    from pathlib import Path
    import syncdoctor

    kb = syncdoctor.KnowledgeBase()              # the bundled knowledge base (or a rules/ folder)
    report = kb.evaluate(Path("snapshot.json"))  # a dict: the report contract
    text = kb.evaluate_json(Path("snapshot.json"))  # == `syncdoctor diagnose --format json`
    typed = kb.report(Path("snapshot.json"))     # Report / Finding objects
    for result in kb.replay(syncdoctor.read_ndjson("fleet.ndjson")):
        print(result.source, result.matched or result.error)

A snapshot is given as ``str`` (JSON or YAML text), ``bytes`` (UTF-8 text), ``os.PathLike`` (a
file) or a ``dict`` (a parsed document). A bad snapshot raises :class:`SnapshotError` whose
message is the located one ``syncdoctor diagnose`` prints (``file:line:col: …``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

from ._syncdoctor import (
    ENGINE_VERSION,
    KnowledgeBaseError,
    SnapshotError,
    SyncdoctorError,
)
from ._syncdoctor import KnowledgeBase as _NativeKnowledgeBase

__all__ = [
    "ENGINE_VERSION",
    "Affected",
    "Finding",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "NdjsonLine",
    "ReplayResult",
    "Report",
    "SnapshotError",
    "SnapshotText",
    "SyncdoctorError",
    "read_ndjson",
]

SnapshotInput = Union[str, bytes, "os.PathLike[str]", Mapping[str, Any]]


class NdjsonLine(NamedTuple):
    """One line of an NDJSON stream of snapshots (see :func:`read_ndjson`)."""

    file: str
    """The stream's path, as given."""
    line: int
    """1-based line number."""
    text: str
    """The line (one snapshot as JSON)."""

    @property
    def source(self) -> str:
        """How ``syncdoctor replay`` names the snapshot: ``file:line``."""
        return f"{self.file}:{self.line}"


class SnapshotText(NamedTuple):
    """The contents of a snapshot file that was read elsewhere (by Spark, from object storage…):
    parsed (JSON, or YAML for ``.yaml``/``.yml``) and named in messages as ``syncdoctor diagnose
    PATH`` would name the file."""

    path: str
    """The file's path or URI (names the snapshot)."""
    text: str
    """Its contents."""

    @property
    def source(self) -> str:
        """How ``syncdoctor replay`` names the snapshot: its path."""
        return self.path


def read_ndjson(path: Union[str, "os.PathLike[str]"]) -> Iterator[NdjsonLine]:
    """Yields the snapshots of an NDJSON stream lazily, one :class:`NdjsonLine` per non-blank line.

    Give the lines to :meth:`KnowledgeBase.replay`: errors then point at the stream's line, as
    ``syncdoctor replay FILE.ndjson`` prints them.
    """
    name = os.fspath(path)
    with open(name, encoding="utf-8") as stream:
        for number, text in enumerate(stream, start=1):
            text = text.rstrip("\r\n")
            if text.strip():
                yield NdjsonLine(name, number, text)


@dataclass(frozen=True)
class Affected:
    """The objects a per-object rule matched: their count and the first items."""

    count: int
    items: list = field(default_factory=list)


@dataclass(frozen=True)
class Finding:
    """One rule's finding (the report contract's ``findings[]``); ``explains`` holds the findings it
    is the deeper cause of."""

    rule_id: str
    rule_version: str
    title: str
    severity: str
    outcome: str
    message: str
    covers: list = field(default_factory=list)
    evidence: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    affected: Optional[Affected] = None
    explains: list = field(default_factory=list)
    resolution: Optional[dict] = None
    references: list = field(default_factory=list)
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    """The finding as the contract JSON gives it (every key, additive ones included)."""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Finding":
        """Builds a finding from its contract JSON."""
        affected = d.get("affected")
        return cls(
            rule_id=d["rule_id"],
            rule_version=d.get("rule_version", ""),
            title=d.get("title", ""),
            severity=d.get("severity", ""),
            outcome=d["outcome"],
            message=d.get("message", ""),
            covers=list(d.get("covers", [])),
            evidence=dict(d.get("evidence", {})),
            missing=list(d.get("missing", [])),
            affected=Affected(affected["count"], list(affected.get("items", []))) if affected else None,
            explains=[cls.from_dict(e) for e in d.get("explains", []) if isinstance(e, Mapping) and "outcome" in e],
            resolution=d.get("resolution"),
            references=list(d.get("references", [])),
            raw=dict(d),
        )

    def walk(self) -> Iterator["Finding"]:
        """This finding, then every finding nested under it, depth first."""
        yield self
        for child in self.explains:
            yield from child.walk()


@dataclass(frozen=True)
class Report:
    """A report as typed objects (the contract is ``schema/report.schema.json``)."""

    schema_version: int
    kb_version: str
    engine_version: str
    host: Optional[str]
    collected_at: Optional[str]
    summary: dict
    findings: list
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    """The report as the contract JSON gives it."""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Report":
        """Builds a report from its contract JSON."""
        snapshot = d.get("snapshot") or {}
        return cls(
            schema_version=d["schema_version"],
            kb_version=d["kb_version"],
            engine_version=d["engine_version"],
            host=snapshot.get("host"),
            collected_at=snapshot.get("collected_at"),
            summary=dict(d.get("summary", {})),
            findings=[Finding.from_dict(f) for f in d.get("findings", [])],
            raw=dict(d),
        )

    def all_findings(self) -> list:
        """Every finding, nested ones included, depth first (as the engine's ``all_findings``)."""
        return [f for top in self.findings for f in top.walk()]

    @property
    def matched(self) -> list:
        """Ids of the rules that matched, nested ones included."""
        return [f.rule_id for f in self.all_findings() if f.outcome == "match"]


@dataclass(frozen=True)
class ReplayResult:
    """One snapshot of a replay: its report (as a dict), or the error that stopped it being read."""

    source: str
    """How the snapshot is named (a path, ``file:line`` for NDJSON, or what the caller gave)."""
    report: Optional[dict]
    """The report contract, or None when the snapshot was bad."""
    error: Optional[str]
    """The located error message, or None."""
    changes: Optional[list] = None
    """With ``against``: the findings that differ, as ``syncdoctor replay --against-rules`` lists them."""
    report_json: Optional[str] = field(default=None, repr=False)
    """The report as ``syncdoctor diagnose --format json`` prints it."""

    @property
    def ok(self) -> bool:
        """Whether the snapshot could be read and evaluated."""
        return self.error is None

    @property
    def matched(self) -> list:
        """Ids of the rules that matched, nested ones included (empty for a bad snapshot)."""
        return Report.from_dict(self.report).matched if self.report else []


ReplayItem = Union[SnapshotInput, NdjsonLine, SnapshotText, Tuple[str, SnapshotInput]]


class KnowledgeBase(_NativeKnowledgeBase):
    """A compiled knowledge base: ``KnowledgeBase()`` is the bundled one, ``KnowledgeBase(folder)``
    loads the ``rules/`` folder ``folder`` (raising :class:`KnowledgeBaseError` with every located
    problem). Immutable and safe to share between threads."""

    def evaluate(self, snapshot: SnapshotInput, *, all: bool = False, only: Optional[Sequence[str]] = None,
                 skip: Optional[Sequence[str]] = None) -> dict:
        """Evaluates a snapshot; returns the report as a dict (the report contract)."""
        return json.loads(self.evaluate_json(snapshot, all=all, only=_list(only), skip=_list(skip)))

    def report(self, snapshot: SnapshotInput, *, all: bool = False, only: Optional[Sequence[str]] = None,
               skip: Optional[Sequence[str]] = None) -> Report:
        """Evaluates a snapshot; returns the report as typed objects."""
        return Report.from_dict(self.evaluate(snapshot, all=all, only=only, skip=skip))

    def replay(self, snapshots: Iterable[ReplayItem], *, against: Optional["KnowledgeBase"] = None,
               all: bool = False, only: Optional[Sequence[str]] = None,
               skip: Optional[Sequence[str]] = None) -> Iterator[ReplayResult]:
        """Evaluates snapshots one by one as the iterable yields them (lazily: nothing is read ahead)
        and yields a :class:`ReplayResult` for each; a bad snapshot gives a result with ``error``
        instead of raising, as in ``syncdoctor replay``.

        Items are snapshots (named ``#1``, ``#2``… or by their path), ``(source, snapshot)`` pairs,
        :class:`NdjsonLine` s from :func:`read_ndjson`, or :class:`SnapshotText` s (file contents
        read elsewhere, named by their path). With ``against``, each result also lists
        the findings that differ under that knowledge base (``replay --against-rules``).
        """
        only, skip = _list(only), _list(skip)
        for index, item in enumerate(snapshots, start=1):
            if isinstance(item, NdjsonLine):
                source = item.source
                out = self._replay_one(item.text, file=item.file, line=item.line, against=against, all=all,
                                       only=only, skip=skip)
            elif isinstance(item, SnapshotText):
                source = item.source
                out = self._replay_one(item.text, file=item.path, against=against, all=all, only=only, skip=skip)
            else:
                if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                    source, snapshot = item
                elif isinstance(item, os.PathLike):
                    source, snapshot = os.fspath(item), item
                else:
                    source, snapshot = f"#{index}", item
                out = self._replay_one(snapshot, against=against, all=all, only=only, skip=skip)
            text, error, changes = out
            yield ReplayResult(
                source=source,
                report=json.loads(text) if text is not None else None,
                error=error,
                changes=json.loads(changes) if changes is not None else None,
                report_json=text,
            )


def _list(values: Optional[Sequence[str]]) -> Optional[list]:
    if values is None:
        return None
    if isinstance(values, str):
        return [values]
    return list(values)
