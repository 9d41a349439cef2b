"""The registry of a learner's personal data: every table, column and file that holds it.

Export, erasure and the retention purge all walk :data:`REGISTRY`, so a learner's data is
listed in one place (RGPD art. 15, 17 and 5-1-e: the right of access, the right to erasure,
storage limitation). ``tests/web/test_privacy.py`` fails when a table of the metadata gets a
foreign key to one of these tables without being added here (or to :data:`NOT_LEARNER_DATA`).

Outside our own tables a learner's data also sits in:

* Rasa's tracker store (table ``events``, keyed by ``sender_id``: the learner id, or the guest id
  ``tg:<id>`` of a linked Telegram account), in the same database (``DATABASE_URL``);
* the journal of unsaved messages (``UNSAVED_MESSAGES_FILE``, one JSON line per message, key
  ``sender``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence

from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.storage import lti_models  # noqa: F401  (its tables are learner data too)
from bot.storage.links import guest_id
from bot.storage.models import Base, ChannelLink

#: Rasa's SQL tracker store: its table and the column naming the conversation (the learner)
TRACKER_TABLE = "events"
TRACKER_SENDER = "sender_id"


@dataclass(frozen=True)
class LearnerTable:
    """One table holding a learner's data: ``column`` points to the learner, directly (``via``
    empty: ``learners.id``) or to the primary key of the ``via`` table of the registry."""

    table: str
    column: str
    via: str = ""
    #: ``delete`` the rows, or ``pseudonymise`` them (the audit trail outlives the learner)
    on_erase: str = "delete"
    #: what it holds, why it is kept (shown on the privacy page's registry and in the export)
    purpose: str = ""


#: Parents before children: the export reads in this order, the erasure deletes in reverse.
REGISTRY: Sequence[LearnerTable] = (
    LearnerTable("learners", "id", purpose="identifiant, nom affiché, classe"),
    LearnerTable("users", "learner_id", purpose="compte de connexion (identifiant, empreinte du mot de passe)"),
    LearnerTable("api_tokens", "user_id", via="users", purpose="jetons d'API du compte"),
    LearnerTable(
        "web_sessions", "user_id", via="users", purpose="sessions de connexion ouvertes (12 h au plus, puis effacées)"
    ),
    LearnerTable("widget_links", "user_id", via="users", purpose="liens du widget ENT donnés par l'enseignant"),
    LearnerTable("sessions", "learner_id", purpose="simulations : situation, dates, issue, note"),
    LearnerTable("turns", "session_id", via="sessions", purpose="transcriptions des échanges"),
    LearnerTable("evidence", "session_id", via="sessions", purpose="preuves relevées pour l'évaluation"),
    LearnerTable("criterion_scores", "session_id", via="sessions", purpose="scores automatiques par critère"),
    LearnerTable("score_overrides", "session_id", via="sessions", purpose="scores corrigés par l'enseignant"),
    LearnerTable("move_corrections", "turn_id", via="turns", purpose="corrections d'étiquettes par l'enseignant"),
    LearnerTable("self_assessments", "session_id", via="sessions", purpose="auto-évaluation de l'élève par bloc"),
    LearnerTable("model_releases", "session_id", via="sessions", purpose="corrigés publiés pour une séance de l'élève"),
    LearnerTable("channel_links", "learner_id", purpose="comptes Telegram liés"),
    LearnerTable("link_codes", "learner_id", purpose="codes de liaison Telegram"),
    LearnerTable("preparation_sheets", "learner_id", purpose="fiches de préparation rédigées avant les simulations"),
    LearnerTable("lti_accounts", "user_id", via="users", purpose="identifiant du compte dans l'ENT (Moodle)"),
    LearnerTable("lti_attempts", "learner_id", purpose="activités Moodle ouvertes par l'élève"),
    LearnerTable("lti_grades", "session_id", via="sessions", purpose="notes envoyées au carnet de notes de Moodle"),
    LearnerTable(
        "audit_events", "learner_id", on_erase="pseudonymise", purpose="journal des accès (qui a vu ou modifié quoi)"
    ),
)

#: Foreign keys to registry tables that do not point at a learner (the test checks this list).
NOT_LEARNER_DATA = {
    ("groups", "teacher_id"): "the teacher of a class",
    ("score_overrides", "teacher_id"): "the teacher who overrode a score",
    ("move_corrections", "teacher_id"): "the teacher who corrected a label",
    ("model_releases", "teacher_id"): "the teacher who released a model transcript",
    ("audit_events", "actor_id"): "who acted; pseudonymised with the learner's rows on erasure",
    ("authored_scenarios", "author_id"): "the teacher who wrote a scenario in the editor",
    ("assignments", "teacher_id"): "the teacher who set the work",
    ("widget_links", "teacher_id"): "the teacher who gave the widget link out",
    ("preparation_sheets", "session_id"): "the session a sheet prepared (the sheet is listed by its learner)",
}

BY_NAME: Dict[str, LearnerTable] = {entry.table: entry for entry in REGISTRY}
#: never exported: password and token digests, the keyed digest of a web session's id
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "id_hash"})


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def key_query(entry: LearnerTable, learner_ids: Sequence[str]) -> Select:
    """The values of ``entry.column`` that belong to the learners (a subquery for the children)."""
    if not entry.via:
        return select(table("learners").c.id).where(table("learners").c.id.in_(list(learner_ids)))
    parent = BY_NAME[entry.via]
    parent_table = table(parent.table)
    parent_pk = list(parent_table.primary_key.columns)[0]
    return select(parent_pk).where(parent_table.c[parent.column].in_(key_query(parent, learner_ids)))


def rows_query(entry: LearnerTable, learner_ids: Sequence[str]) -> Select:
    """Every row of ``entry.table`` about the learners."""
    t = table(entry.table)
    return select(t).where(t.c[entry.column].in_(key_query(entry, learner_ids)))


def learner_ids_of(db: Session, learner_id: str) -> List[str]:
    """The learner and the Telegram guests it linked (their sessions are the same person's)."""
    links = db.scalars(select(ChannelLink).where(ChannelLink.learner_id == learner_id)).all()
    return [learner_id] + [guest_id(link.channel, link.external_id) for link in links]


def tracker_table(db: Session) -> Table | None:
    """Rasa's ``events`` table when the tracker store shares this database (absent otherwise)."""
    bind = db.get_bind()
    if not inspect(bind).has_table(TRACKER_TABLE):
        return None
    return Table(TRACKER_TABLE, MetaData(), autoload_with=bind)


def _plain(value: Any) -> Any:
    """JSON-friendly: dates as ISO 8601, the rest as it is."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def journal_lines(path: Path, sender_ids: Iterable[str]) -> List[Dict[str, Any]]:
    """The learner's messages in the journal of unsaved messages."""
    wanted = set(sender_ids)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and item.get("sender") in wanted:
            out.append(item)
    return out


def export_learner(db: Session, learner_id: str, journal: Path | None = None) -> Dict[str, Any]:
    """Everything stored about one learner, table by table (RGPD art. 15 and 20: machine-readable)."""
    ids = learner_ids_of(db, learner_id)
    tables: Dict[str, List[Dict[str, Any]]] = {}
    for entry in REGISTRY:
        rows = db.execute(rows_query(entry, ids)).mappings().all()
        tables[entry.table] = [{k: _plain(v) for k, v in row.items() if k not in SECRET_COLUMNS} for row in rows]
    events = tracker_table(db)
    if events is not None:
        rows = db.execute(select(events).where(events.c[TRACKER_SENDER].in_(ids)).order_by(events.c.id)).mappings()
        tables[TRACKER_TABLE] = [
            {**{k: _plain(v) for k, v in row.items() if k != "data"}, "data": _json(row.get("data"))} for row in rows
        ]
    if journal is not None:
        tables["unsaved_messages"] = journal_lines(journal, ids)
    return {
        "learner_id": learner_id,
        "sender_ids": ids,
        "purposes": {entry.table: entry.purpose for entry in REGISTRY},
        "tables": tables,
    }


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
