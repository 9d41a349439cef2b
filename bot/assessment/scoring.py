"""Scores on the 19 criteria from the learner's own words and what the client did.

Each rule follows the 0–3 scale of ``pedagogie.md`` part 3 and returns the score, a
one-sentence French explanation and the turns that prove it. Inputs are the learner
turns with the NLU move, the analysis of the text and the engine state before and
after the turn (as stored in the tracker), so that scoring never depends on counting
messages and a session can be re-scored from the tracker store alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Sequence, Tuple

from bot.assessment.analysis import Analysis, products_mentioned
from bot.assessment.rubric import Rubric
from bot.engine.scenario import Scenario
from bot.engine.simulation import unknown_refs
from bot.language.text import any_keyword, clip


@dataclass
class TurnRecord:
    """One learner message in its context."""

    n: int
    text: str
    intent: str
    analysis: Analysis
    before: Dict[str, Any]
    after: Dict[str, Any]
    confidence: float = 1.0

    @property
    def moves(self) -> List[str]:
        return list(dict.fromkeys([self.intent, *self.analysis.moves]))

    def has(self, *moves: str) -> bool:
        return any(m in self.moves for m in moves)


@dataclass
class CriterionResult:
    criterion_id: str
    score: int | None
    level: str
    explanation: str
    evidence: List[Tuple[int, str]] = field(default_factory=list)
    advice: str = ""
    capped: bool = False


@dataclass
class Finding:
    turn: int
    criterion_id: str
    finding: str
    positive: bool = True


@dataclass
class Assessment:
    scores: Dict[str, CriterionResult]
    findings: List[Finding]
    grade_20: float
    level: str
    eliminatory: List[str]
    outcome: str
    competence_levels: Dict[str, str] = field(default_factory=dict)
    priorities: List[str] = field(default_factory=list)


class Context:
    """Derived facts about the whole session, shared by the rules."""

    def __init__(self, scenario: Scenario, turns: Sequence[TurnRecord], final: Dict[str, Any]):
        self.scenario = scenario
        self.turns = list(turns)
        self.final = final or (turns[-1].after if turns else {})
        self.findings: List[Finding] = []
        facts = {f.id: f for f in scenario.facts}
        self.revealed = {fid: facts[fid] for fid in self.final.get("revealed", {}) if fid in facts}
        self.revealed_topics = {f.topic for f in self.revealed.values()}
        # anticipated objections (« preempted ») never had to be raised
        raised = [
            oid for oid, status in self.final.get("objections", {}).items() if status not in ("waiting", "preempted")
        ]
        self.raised = [o for o in scenario.objections if o.id in raised]
        self.solution_turn = self.first(
            lambda t: not t.before.get("solution_presented") and t.after.get("solution_presented")
        )
        self.max_discount = scenario.cgv.max_discount_pct
        self.prices = {round(p.price, 2) for p in scenario.catalogue}
        self.flags = set(self.final.get("flags", []))

    def first(self, predicate: Callable[[TurnRecord], bool]) -> TurnRecord | None:
        return next((t for t in self.turns if predicate(t)), None)

    def where(self, predicate: Callable[[TurnRecord], bool]) -> List[TurnRecord]:
        return [t for t in self.turns if predicate(t)]

    def before_solution(self, turn: TurnRecord) -> bool:
        return self.solution_turn is None or turn.n < self.solution_turn.n

    def note(self, turn: TurnRecord, criterion_id: str, finding: str, positive: bool = True) -> None:
        self.findings.append(Finding(turn.n, criterion_id, finding, positive))

    @property
    def reached_proposal(self) -> bool:
        return bool(self.final.get("solution_presented"))

    @property
    def won(self) -> bool:
        return self.final.get("outcome") == "won"


Rule = Callable[[Context], Tuple[int, str, List[TurnRecord]]]
RULES: Dict[str, Rule] = {}


def rule(criterion_id: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[criterion_id] = fn
        return fn

    return register


def _ev(turns: Sequence[TurnRecord | None], limit: int = 3) -> List[TurnRecord]:
    seen: List[TurnRecord] = []
    for t in turns:
        if t is not None and t not in seen:
            seen.append(t)
    return seen[:limit]


# --------------------------------------------------------------- preparation
ENV_TOPICS = ("contrainte", "financement", "activite", "projet")


@rule("C1.1.1-a")
def environment(ctx: Context):
    asked = ctx.where(
        lambda t: (
            t.has("ask_open_question", "ask_closed_question")
            and t.after.get("revealed", {}).keys() - t.before.get("revealed", {}).keys()
        )
    )
    env_turns = [
        t
        for t in asked
        if any(ctx.scenario_fact(fid).topic in ENV_TOPICS for fid in _new_facts(t) if ctx.scenario_fact(fid))
    ]
    mentioned = ctx.where(lambda t: any_keyword(t.analysis.normalized, _env_keywords(ctx.scenario)))
    env = _ev(env_turns + mentioned, 4)
    topics = {ctx.scenario_fact(fid).topic for t in env_turns for fid in _new_facts(t) if ctx.scenario_fact(fid)}
    reused = [
        t
        for t in ctx.where(lambda t: t.has("present_solution", "argue_benefit", "handle_objection"))
        if any_keyword(t.analysis.normalized, _env_keywords(ctx.scenario))
    ]
    if not env:
        return 0, "Aucune variable d'environnement du client (contraintes, opportunités) n'a été abordée.", []
    constraint = "contrainte" in topics or any(
        any_keyword(t.analysis.normalized, _env_keywords(ctx.scenario, ("contrainte",))) for t in env
    )
    opportunity = bool(topics & {"financement", "projet", "activite"}) or any(
        any_keyword(t.analysis.normalized, ("cee", "prime", "aide", "subvention", "fin de support", "hausse"))
        for t in env
    )
    if constraint and opportunity and reused:
        return 3, "Contraintes et opportunités identifiées puis réutilisées dans la proposition.", _ev(env + reused)
    if constraint and opportunity or len(topics) >= 2:
        return 2, "Contraintes et opportunités du client identifiées.", env
    return 1, "Une variable de l'environnement évoquée, sans exploitation.", env


def _new_facts(turn: TurnRecord) -> List[str]:
    return list(turn.after.get("revealed", {}).keys() - turn.before.get("revealed", {}).keys())


def _env_keywords(scenario: Scenario, topics: Sequence[str] = ENV_TOPICS) -> List[str]:
    words: List[str] = []
    for fact in scenario.facts:
        if fact.topic in topics:
            words += fact.keywords[:6]
    return words


def _scenario_fact(self: Context, fact_id: str):
    return next((f for f in self.scenario.facts if f.id == fact_id), None)


Context.scenario_fact = _scenario_fact  # type: ignore[attr-defined]


@rule("C1.1.1-b")
def risk(ctx: Context):
    if "illegal_accepted" in ctx.flags:
        t = ctx.first(
            lambda t: (
                "illegal_accepted" in t.after.get("flags", []) and "illegal_accepted" not in t.before.get("flags", [])
            )
        )
        return 0, "Un délai de paiement illégal a été accepté : le risque client est ignoré.", _ev([t])
    illegal = next((o for o in ctx.scenario.objections if o.illegal), None)
    refused = None
    if illegal and ctx.final.get("objections", {}).get(illegal.id) == "resolved":
        refused = ctx.first(
            lambda t: (
                t.before.get("objections", {}).get(illegal.id) == "pending"
                and t.after.get("objections", {}).get(illegal.id) == "resolved"
            )
        )
    finance_q = ctx.where(
        lambda t: (
            t.has("ask_open_question", "ask_closed_question")
            and any_keyword(
                t.analysis.normalized,
                ("financ", "paiement", "payer", "tresorerie", "banque", "credit", "risque", "faisab", "volume"),
            )
        )
    )
    parades = ctx.where(
        lambda t: (
            t.analysis.parade
            and t.has(
                "present_solution",
                "handle_objection",
                "offer_concession",
                "state_price",
                "summarize_deal",
                "inform",
                "argue_benefit",
            )
        )
    )
    evidence = _ev([refused, *finance_q[:1], *parades[:2]])
    legal_ok = refused is not None or illegal is None
    if legal_ok and len(parades) >= 2 and (finance_q or refused):
        return (
            3,
            "Risques client et affaire traités"
            + (" : condition illégale refusée" if refused else "")
            + ", parades intégrées à l'offre.",
            evidence,
        )
    if (refused or finance_q) and parades:
        return 2, "Risque identifié et parade proposée (acompte, financement, phasage...).", evidence
    if refused or finance_q or parades:
        return 1, "Risque évoqué sans véritable parade.", evidence
    return 0, "Le risque client et le risque affaire n'ont pas été abordés.", []


@rule("C1.1.2-a")
def preparation(ctx: Context):
    errors = _price_errors(ctx)
    agenda = ctx.first(lambda t: t.has("state_agenda"))
    supports = ctx.where(lambda t: bool(t.analysis.supports))
    figures = ctx.where(
        lambda t: t.analysis.figures and t.has("argue_benefit", "handle_objection", "present_solution", "state_price")
    )
    if errors:
        return 0, "Prix ou références incohérents avec le catalogue : préparation insuffisante.", _ev(errors)
    if not ctx.turns:
        return 0, "Aucun message.", []
    if agenda and supports and len(figures) >= 3:
        return (
            3,
            "Objectif annoncé, supports cités et chiffres exacts utilisés tout au long de l'entretien.",
            _ev([agenda, *supports[:1], *figures[:1]]),
        )
    if agenda and (supports or figures):
        return 2, "Objectif clair et supports ou chiffres mobilisés.", _ev([agenda, *supports[:1], *figures[:1]])
    if agenda or supports or figures:
        return (
            1,
            "Préparation peu visible : objectif flou ou supports absents.",
            _ev([agenda, *supports[:1], *figures[:1]]),
        )
    return 0, "Aucune trace de préparation (objectif, supports, chiffres).", []


def _price_errors(ctx: Context) -> List[TurnRecord]:
    """Turns that announce a unit price or a reference absent from the catalogue."""
    bad = []
    for t in ctx.turns:
        if unknown_refs(ctx.scenario, t.text):
            ctx.note(t, "C1.1.2-a", "référence absente du catalogue", False)
            bad.append(t)
        elif t.intent == "state_price" and t.analysis.amounts and not ctx.before_solution(t):
            products = products_mentioned(t.analysis.normalized, ctx.scenario.catalogue)
            if len(products) == 1 and len(t.analysis.amounts) == 1:
                price = next(p.price for p in ctx.scenario.catalogue if p.ref == products[0])
                amount = t.analysis.amounts[0]
                if price >= 100 and abs(amount - price) > 0.02 * price and amount < price:
                    ctx.note(t, "C1.1.2-a", f"prix annoncé {amount:g} € au lieu de {price:g} €", False)
                    bad.append(t)
    if "beyond_margin" in ctx.flags:
        bad += ctx.where(
            lambda t: "beyond_margin" in t.after.get("flags", []) and "beyond_margin" not in t.before.get("flags", [])
        )
    return bad


# ------------------------------------------------------------------ contact
@rule("C1.2.1-a")
def contact(ctx: Context):
    opening = ctx.turns[:4]
    if not opening:
        return 0, "Aucune prise de contact.", []
    surname = ctx.scenario.main_persona.name.split()[-1].lower()
    greet = next((t for t in opening if t.has("greet") or "bonjour" in t.analysis.normalized), None)
    personal = greet and (
        surname in greet.analysis.normalized
        or any(w in greet.analysis.normalized for w in ("monsieur", "madame", "m. ", "mme"))
    )
    intro = next((t for t in opening if t.has("introduce_self")), None)
    frame = next((t for t in opening if t.has("state_agenda")), None)
    time_ok = any(t.analysis.time_check for t in opening)
    thanks = any(t.analysis.thanks for t in opening)
    familiar = [t for t in opening if t.analysis.tutoiement or t.analysis.familiar]
    if familiar:
        return 0, "Prise de contact familière (tutoiement ou vocabulaire relâché).", _ev(familiar)
    if not greet and not intro:
        return 0, "Pas de salutation ni de présentation : l'entretien commence sans prise de contact.", _ev(opening[:1])
    register_ok = not any(t.analysis.tutoiement or t.analysis.familiar for t in ctx.turns)
    if greet and intro and frame and time_ok and personal and register_ok:
        return (
            3,
            "Salutation personnalisée, présentation, objet et cadre validés, climat maintenu.",
            _ev([greet, intro, frame]),
        )
    if intro and (frame or thanks):
        return 2, "Présentation de soi et de l'objet du rendez-vous.", _ev([greet, intro, frame])
    return 1, "Prise de contact minimale (salutation sans cadre ni présentation complète).", _ev([greet, intro])


# ---------------------------------------------------------------- discovery
@rule("C1.2.1-b")
def questioning(ctx: Context):
    questions = ctx.where(
        lambda t: (
            ctx.before_solution(t)
            and t.has("ask_open_question", "ask_closed_question")
            and t.intent not in ("state_agenda", "greet", "introduce_self", "check_agreement")
        )
    )
    if not questions:
        return 0, "Aucune question de découverte.", []
    open_q = [t for t in questions if t.intent == "ask_open_question" or "open" in t.analysis.question_types]
    closed_q = [t for t in questions if t not in open_q]
    suggestive = [t for t in questions if "suggestive" in t.analysis.question_types]
    implication = [t for t in questions if t.analysis.implication]
    topics = ctx.revealed_topics
    premature = "premature_argument" in ctx.flags
    funnel = bool(open_q) and (not closed_q or open_q[0].n < closed_q[0].n)
    evidence = _ev([*open_q[:2], *implication[:1], *closed_q[:1]])
    for t in implication[:1]:
        ctx.note(t, "C1.2.1-b", "question d'implication")
    thorough = (implication and len(topics) >= 6) or len(topics) >= 9
    if len(open_q) >= 3 and funnel and thorough and not premature and not suggestive:
        return (
            3,
            "Entonnoir maîtrisé : questions ouvertes d'abord, implications chiffrées, dimensions couvertes.",
            evidence,
        )
    if len(open_q) >= 2 and len(topics) >= 4:
        return 2, "Découverte structurée par des questions ouvertes, avec quelques oublis.", evidence
    return 1, "Questions surtout fermées ou orientées, découverte incomplète.", evidence


@rule("C1.2.1-c")
def decision_circuit(ctx: Context):
    def turns_for(topic: str) -> List[TurnRecord]:
        return [
            t
            for t in ctx.turns
            if any((ctx.scenario_fact(f) and ctx.scenario_fact(f).topic == topic) for f in _new_facts(t))
        ]

    decision, timing, derived, budget = (turns_for(x) for x in ("decision", "delai", "activite", "budget"))
    if not decision and not derived:
        return 0, "Ni le circuit de décision ni la demande dérivée n'ont été abordés.", []
    reused = ctx.where(
        lambda t: (
            t.has("propose_close", "plan_follow_up", "present_solution", "handle_objection")
            and any_keyword(
                t.analysis.normalized,
                ("comite", "conseil", "associe", "direct", "dossier", "achats", "decid", "vote", "reunion"),
            )
        )
    )
    if decision and timing and derived:
        if reused:
            return (
                3,
                "Circuit de décision, calendrier et demande dérivée identifiés et exploités.",
                _ev([decision[0], timing[0], derived[0], reused[0]], 4),
            )
        return (
            2,
            "Circuit de décision et demande dérivée identifiés, peu exploités ensuite.",
            _ev([decision[0], derived[0]]),
        )
    if derived or (decision and (budget or timing)):
        return (
            2,
            "Circuit de décision (avec budget ou calendrier) ou demande dérivée identifiés.",
            _ev([*decision[:1], *derived[:1], *budget[:1]]),
        )
    return 1, "Seul le décideur a été identifié.", _ev(decision)


@rule("C1.2.1-d")
def motivations(ctx: Context):
    motive = [
        t
        for t in ctx.turns
        if any((ctx.scenario_fact(f) and ctx.scenario_fact(f).topic == "motivation") for f in _new_facts(t))
        or (
            t.has("ask_open_question", "ask_closed_question")
            and any_keyword(
                t.analysis.normalized, ("compte le plus", "plus important", "priorit", "essentiel", "critere")
            )
        )
    ]
    brake = [
        t
        for t in ctx.turns
        if any((ctx.scenario_fact(f) and ctx.scenario_fact(f).topic == "frein") for f in _new_facts(t))
    ]
    brake += ctx.where(
        lambda t: (
            t.has("ask_open_question", "ask_closed_question")
            and any_keyword(t.analysis.normalized, ("hesit", "frein", "inquiet", "crain", "doute", "risque", "reticen"))
        )
    )
    hierarchy = ctx.where(lambda t: t.has("reformulate") and t.analysis.hierarchy)
    validated = [t for t in hierarchy if t.after.get("reformulation_confirmed")]
    if not motive and not brake and not hierarchy:
        return 0, "Motivations et freins du client non recherchés.", []
    if motive and brake and validated:
        return (
            3,
            "Motivations hiérarchisées et freins explicités, validés par le client.",
            _ev([motive[0], brake[0], validated[0]]),
        )
    if motive and brake or (motive and hierarchy):
        return 2, "Motivation dominante et frein identifiés.", _ev([*motive[:1], *brake[:1], *hierarchy[:1]])
    return 1, "Motivation supposée ou frein isolé, sans vérification.", _ev([*motive[:1], *brake[:1], *hierarchy[:1]])


@rule("C1.2.1-e")
def listening(ctx: Context):
    refs = ctx.where(lambda t: t.has("reformulate") or t.analysis.reformulation)
    if not refs:
        return 0, "Aucune reformulation ni synthèse.", []
    confirmed = [
        t for t in refs if t.after.get("reformulation_confirmed") and not t.before.get("reformulation_confirmed")
    ]
    if confirmed:
        t = confirmed[0]
        ctx.note(t, "C1.2.1-e", "synthèse validée par le client")
        covered = [f for f in ctx.revealed.values() if any_keyword(t.analysis.normalized, f.keywords)]
        reused = ctx.first(
            lambda u: (
                u.n > t.n
                and u.has("present_solution", "argue_benefit")
                and (u.analysis.need_link or any(any_keyword(u.analysis.normalized, f.keywords) for f in covered))
            )
        )
        if t.analysis.validation_question and len(covered) >= 4 and (t.analysis.hierarchy or reused):
            return (
                3,
                "Synthèse complète, hiérarchisée, validée, puis réutilisée dans l'argumentation.",
                _ev([t, reused]),
            )
        return 2, "Synthèse complète validée par le client.", _ev([t])
    return 1, "Reformulation ponctuelle, incomplète ou corrigée par le client.", _ev(refs)


# ---------------------------------------------------------- argumentation
@rule("C1.2.2-a")
def solution(ctx: Context):
    presented = ctx.where(lambda t: t.has("present_solution"))
    if not presented:
        return 0, "Aucune solution présentée.", []
    if not ctx.solution_turn:
        return 1, "Produit cité sans lien avec des besoins découverts.", _ev(presented)
    fit = ctx.solution_turn
    core = [p for p in ctx.scenario.catalogue if p.core]
    named = set(ctx.final.get("products", []))
    alternative = ctx.first(
        lambda t: (
            t.n >= fit.n
            and t.analysis.amounts
            and (
                t.analysis.alternative
                or any_keyword(t.analysis.normalized, ("tranche", "phas", "achat ou", "location ou", "ou en location"))
                or len(products_mentioned(t.analysis.normalized, ctx.scenario.catalogue)) >= 2
                and " ou " in t.analysis.normalized
                or (t.before.get("change") == "announced" and t.after.get("change") == "adapted")
            )
            and t.has(
                "present_solution", "state_price", "handle_objection", "offer_concession", "inform", "argue_benefit"
            )
        )
    )
    linked = fit.analysis.need_link or any(
        any_keyword(fit.analysis.normalized, f.keywords) for f in ctx.revealed.values() if f.need
    )
    if any(p.ref in named for p in core) and alternative and linked:
        return (
            3,
            "Solution sur mesure du catalogue, reliée aux besoins, avec une alternative chiffrée.",
            _ev([fit, alternative]),
        )
    if any(p.ref in named for p in core):
        return 2, "Solution adaptée, avec les références du catalogue.", _ev([fit])
    return 1, "Solution présentée sans références précises du catalogue.", _ev([fit])


@rule("C1.2.2-b")
def arguments(ctx: Context):
    args = ctx.where(
        lambda t: t.has("argue_benefit", "handle_objection", "present_solution") and not ctx.before_solution(t)
    )
    args += [t for t in ctx.where(lambda t: t.has("argue_benefit") and ctx.before_solution(t))]
    if not args:
        return 0, "Aucun argument.", []
    cap = [
        t for t in args if (t.analysis.advantage or t.analysis.need_link) and (t.analysis.benefit or t.analysis.proof)
    ]
    proved = [t for t in cap if t.analysis.proof and t.analysis.figures]
    checks = ctx.where(lambda t: t.has("check_agreement") or t.analysis.check_question)
    for t in cap[:3]:
        ctx.note(t, "C1.2.2-b", "argument caractéristique → avantage → bénéfice/preuve")
    if len(cap) >= 2 and proved and checks and "premature_argument" not in ctx.flags:
        return 3, "Arguments CAP ciblés, chiffrés et prouvés, avec contrôle d'adhésion.", _ev([*proved[:2], checks[0]])
    grounded = [t for t in cap if not ctx.before_solution(t)]
    if grounded:
        return 2, "Arguments reliant caractéristiques, avantages et bénéfices client.", _ev(grounded)
    features = [
        t for t in args if t.analysis.figures or products_mentioned(t.analysis.normalized, ctx.scenario.catalogue)
    ]
    if features or cap:
        return 1, "Caractéristiques listées ou arguments avancés avant la découverte.", _ev(features or cap)
    return 0, "Aucun argument réel : des affirmations sans caractéristique, bénéfice ni preuve.", _ev(args)


@rule("C1.2.2-c")
def objections(ctx: Context):
    if not ctx.raised:
        if not ctx.final.get("price_stated"):
            return 0, "La phase des objections n'a pas été atteinte.", []
        return 2, "Objections anticipées : aucune n'a eu besoin d'être soulevée.", []
    statuses = ctx.final.get("objections", {})
    resolved = [o for o in ctx.raised if statuses.get(o.id) == "resolved"]
    acknowledged = set(ctx.final.get("acknowledged", []))
    handled_turns = ctx.where(
        lambda t: (
            t.before.get("current_objection")
            and t.before.get("objections", {}).get(t.before.get("current_objection")) == "pending"
            and t.after.get("objections", {}).get(t.before.get("current_objection")) in ("resolved", "conceded")
        )
    )
    ack_turns = ctx.where(lambda t: t.has("acknowledge_objection") and t.before.get("current_objection"))
    for t in handled_turns[:4]:
        ctx.note(t, "C1.2.2-c", "objection levée")
    conceded = [o for o in ctx.raised if statuses.get(o.id) == "conceded"]
    ratio = len(resolved) / len(ctx.raised)
    checks = ctx.where(
        lambda t: (
            t.analysis.check_question
            and t.before.get("objections") != t.after.get("objections")
            or (
                t.has("check_agreement")
                and any(t.before.get("objections", {}).get(o.id) == "resolved" for o in ctx.raised)
            )
        )
    )
    evidence = _ev([*ack_turns[:1], *handled_turns[:2]])
    if not resolved or conceded and ratio < 0.5:
        return (
            0,
            "Objections ignorées, contredites ou concédées sans traitement.",
            _ev(ack_turns or handled_turns or ctx.turns[-1:]),
        )
    contradicted = ctx.where(
        lambda t: (
            t.before.get("current_objection")
            and t.intent == "deny"
            and not t.analysis.parade
            and t.after.get("objections", {}).get(t.before["current_objection"]) == "pending"
        )
    )
    immediate = ctx.where(
        lambda t: (
            t.before.get("current_objection")
            and t.has("offer_concession")
            and t.before.get("current_objection") not in acknowledged
            and not (t.after.get("concessions") or [{}])[-1].get("trade", True)
        )
    )
    if (contradicted or immediate) and ratio < 1:
        return 0, "Objection contredite ou cédée par une concession immédiate.", _ev(contradicted + immediate)
    if not acknowledged and ratio < 1:
        return 1, "Réponses sans accueil ni clarification de l'objection.", evidence
    if ratio == 1 and len(acknowledged) >= max(1, len(ctx.raised) // 2) and (checks or len(ctx.raised) <= 2):
        return 3, "Chaque objection accueillie, qualifiée, traitée par une technique adaptée et levée.", evidence
    if ratio >= 0.6:
        return 2, "Technique adaptée pour la plupart des objections.", evidence
    return 1, "Réponses génériques : plusieurs objections restent ouvertes.", evidence


@rule("C1.2.2-d")
def negotiation(ctx: Context):
    concessions = ctx.final.get("concessions", [])
    turns_c = ctx.where(
        lambda t: (
            t.has("offer_concession") or len(t.after.get("concessions", [])) > len(t.before.get("concessions", []))
        )
    )
    beyond = [c for c in concessions if c.get("beyond")]
    unilateral = [c for c in concessions if not c.get("trade")]
    adapted = ctx.final.get("change") == "adapted"
    if beyond:
        return 0, "Concession hors de la marge de manœuvre autorisée.", _ev(turns_c)
    if unilateral and len(unilateral) >= len(concessions) / 2 and concessions:
        return 0, "Concessions unilatérales, sans contrepartie.", _ev(turns_c)
    if not ctx.final.get("price_stated"):
        return 0, "La négociation des conditions n'a pas été atteinte.", []
    if concessions:
        pcts = [c.get("percent") for c in concessions if c.get("percent") is not None]
        decreasing = all(a >= b for a, b in zip(pcts, pcts[1:], strict=False))
        if adapted and decreasing and (ctx.won or len(concessions) <= 2):
            return 3, "Concessions données contre contreparties, dans la marge, solution réévaluée.", _ev(turns_c)
        if unilateral:
            return 1, "Concession avec une contrepartie floue.", _ev(turns_c)
        return 2, "Échange donnant-donnant dans la marge.", _ev(turns_c)
    adapted_turn = ctx.first(lambda t: t.before.get("change") == "announced" and t.after.get("change") == "adapted")
    if adapted and ctx.won:
        return 3, "Marge défendue sans concession, solution réévaluée après le changement.", _ev([adapted_turn])
    if adapted or ctx.won:
        return 2, "Marge défendue ; solution maintenue ou réévaluée.", _ev([adapted_turn])
    return 1, "Solution non réévaluée malgré les objections.", []


# ------------------------------------------------------------------ closing
@rule("C1.2.3-a")
def closing(ctx: Context):
    closes = ctx.where(lambda t: t.has("propose_close"))
    if not closes:
        return 0, "Aucune tentative de conclusion.", []
    signals = ctx.where(lambda t: t.after.get("signals_given", 0) > t.before.get("signals_given", 0))
    exploited = [t for t in closes if t.before.get("signal_pending")]
    failed = ctx.final.get("failed_closes", 0)
    won = ctx.first(lambda t: t.before.get("outcome") == "open" and t.after.get("outcome") == "won")
    technique = [
        t
        for t in closes
        if "alternative" in t.analysis.question_types or any_keyword(t.analysis.normalized, ("si ", " ou "))
    ]
    if ctx.won and exploited and failed == 0 and technique:
        return 3, "Signes d'achat saisis, technique de conclusion adaptée, engagement obtenu.", _ev([exploited[0], won])
    if ctx.won and failed <= 1:
        return 2, "Conclusion au bon moment.", _ev([won])
    if signals and not exploited:
        return 1, "Conclusion forcée ou tardive : les signes d'achat n'ont pas été exploités.", _ev(closes)
    return 1, "Conclusion tentée trop tôt ou de façon forcée.", _ev(closes)


@rule("C1.2.3-b")
def formalisation(ctx: Context):
    recap = ctx.where(
        lambda t: (
            t.has("summarize_deal")
            or (t.has("propose_close", "plan_follow_up") and t.analysis.amounts and t.analysis.payment)
        )
    )
    if not recap:
        return 0, "Aucune formalisation de l'accord.", []

    def components(t: TurnRecord) -> int:
        a = t.analysis
        parts = [
            bool(products_mentioned(a.normalized, ctx.scenario.catalogue)) or bool(a.refs),
            bool(a.amounts),
            a.payment,
            a.delivery,
            a.services,
            a.validity,
            a.document,
            a.dated,
        ]
        return sum(parts)

    best = max(recap, key=components)
    count = components(best)
    if count >= 6 and best.analysis.document and best.analysis.dated:
        return 3, "Récapitulatif complet : références, prix, paiement, délais, services, document et date.", _ev([best])
    if count >= 4 and best.analysis.amounts and (best.analysis.payment or best.analysis.delivery):
        return 2, "Récapitulatif des composantes principales (technique, prix, délai, paiement).", _ev([best])
    return 1, "Formalisation réduite au prix ou à un accord vague.", _ev([best])


# ---------------------------------------------------------------- follow-up
@rule("C1.2.4-a")
def follow_up(ctx: Context):
    steps = ctx.where(
        lambda t: (
            t.has("plan_follow_up")
            or (t.has("say_goodbye", "summarize_deal") and t.analysis.written and t.analysis.dated)
        )
    )
    if not steps:
        return 0, "Aucun engagement de suivi.", []
    dated = [t for t in steps if t.analysis.dated]
    written = [t for t in steps if t.analysis.written]
    thanks = ctx.first(lambda t: t.has("say_goodbye") and t.analysis.thanks)
    if len(dated) >= 2 or (dated and written and thanks and len(steps) >= 2):
        return (
            3,
            "Plan de suivi complet : étapes datées, confirmation écrite, remerciements.",
            _ev([*dated[:2], thanks]),
        )
    if dated:
        return 2, "Prochaines étapes datées.", _ev(dated)
    return 1, "Engagement de suivi vague, sans date.", _ev(steps)


@rule("C2.2-a")
def satisfaction(ctx: Context):
    checks = ctx.where(lambda t: t.has("check_satisfaction"))
    measures = ctx.where(
        lambda t: (
            t.analysis.measure
            and t.analysis.dated
            and t.has("plan_follow_up", "check_satisfaction", "say_goodbye", "propose_additional_sale")
        )
    )
    prevention = ctx.where(
        lambda t: any_keyword(
            t.analysis.normalized,
            (
                "preventi",
                "eviter que",
                "ne se reproduise",
                "suivi regulier",
                "point mensuel",
                "point trimestriel",
                "revue",
            ),
        )
    )
    if not checks and not measures:
        return 0, "La satisfaction du client n'a pas été vérifiée.", []
    if checks and measures and prevention:
        return (
            3,
            "Satisfaction vérifiée, mesure datée proposée et action de prévention.",
            _ev([checks[0], measures[0], prevention[0]]),
        )
    if checks and measures:
        return 2, "Satisfaction vérifiée et mesure de suivi proposée.", _ev([checks[0], measures[0]])
    return 1, "Satisfaction évoquée sans mesure ni suite.", _ev(checks or measures)


@rule("C2.3-a")
def additional_sale(ctx: Context):
    sales = ctx.where(lambda t: t.has("propose_additional_sale"))
    if not sales:
        return 0, "Aucune vente complémentaire proposée.", []
    timely = [t for t in sales if t.before.get("outcome") == "won" or t.before.get("price_stated")]
    additional = [p for p in ctx.scenario.catalogue if p.additional]
    relevant = [t for t in timely if products_mentioned(t.analysis.normalized, additional)]
    valued = [t for t in relevant if t.analysis.amounts or t.analysis.benefit]
    if valued and (t := valued[0]) and t.after.get("additional_sale"):
        return 3, "Complément pertinent du catalogue, valorisé et accepté au bon moment.", _ev([t])
    if relevant:
        return 2, "Complément pertinent proposé après l'accord principal.", _ev(relevant)
    return 1, "Vente complémentaire intempestive ou sans lien avec un besoin.", _ev(sales)


@rule("C2.3-b")
def anticipation(ctx: Context):
    future = ctx.where(
        lambda t: (
            t.analysis.future
            and t.has(
                "plan_follow_up",
                "propose_additional_sale",
                "ask_open_question",
                "ask_closed_question",
                "say_goodbye",
                "summarize_deal",
                "inform",
                "present_solution",
            )
        )
    )
    if not future:
        return 0, "Aucune perspective sur les besoins futurs du client.", []
    planned = [
        t
        for t in future
        if t.analysis.dated and t.has("plan_follow_up", "propose_additional_sale", "say_goodbye", "summarize_deal")
    ]
    if planned and len(future) >= 2:
        return 3, "Besoins futurs anticipés et plan d'action daté.", _ev([future[0], planned[0]])
    if planned or len(future) >= 2:
        return 2, "Potentiel identifié et action proposée.", _ev(future)
    return 1, "Mention vague de l'avenir.", _ev(future)


# ----------------------------------------------------------- communication
@rule("T-1")
def communication(ctx: Context):
    if not ctx.turns:
        return 0, "Aucun message.", []
    register = [t for t in ctx.turns if t.analysis.tutoiement or t.analysis.familiar]
    walls = [t for t in ctx.turns if t.analysis.words > 120 and len(t.analysis.sentences) <= 2]
    share = len(register) / len(ctx.turns)
    change_turn = ctx.first(lambda t: t.after.get("change") == "announced" and t.before.get("change") != "announced")
    adapted_turn = ctx.first(lambda t: t.before.get("change") == "announced" and t.after.get("change") == "adapted")
    ignored = change_turn is not None and adapted_turn is None
    learner_gap = len([t for t in ctx.turns if change_turn and adapted_turn and change_turn.n < t.n <= adapted_turn.n])
    quick = adapted_turn is not None and change_turn is not None and learner_gap <= 2
    average_words = sum(t.analysis.words for t in ctx.turns) / len(ctx.turns)
    technical = [t for t in ctx.turns if products_mentioned(t.analysis.normalized, ctx.scenario.catalogue)]
    if share >= 0.3 or len(register) >= 2:
        return 0, "Registre inadapté (tutoiement, familiarités) dans une grande partie des messages.", _ev(register)
    if register or walls or ignored:
        reason = (
            "registre relâché" if register else "pavés peu structurés" if walls else "changement de paramètres ignoré"
        )
        return 1, f"Compréhensible mais imprécis : {reason}.", _ev(register or walls or [change_turn])
    if quick and len(technical) >= 3 and average_words >= 10:
        return (
            3,
            "Messages clairs et professionnels, vocabulaire technique exact, réactivité au changement.",
            _ev([adapted_turn, technical[0]]),
        )
    return 2, "Communication claire et professionnelle.", _ev(technical[:1] or ctx.turns[:1])


# ------------------------------------------------ scenario-specific readings
READINGS: Dict[str, Rule] = {}
HOUR = ("h", "heure", "matin", "apres-midi", "midi")
PLACE = (
    "sur site",
    "sur place",
    "chez vous",
    "visio",
    "teams",
    "dans vos locaux",
    "a carquefou",
    "au depot",
    "a l'agence",
)


def reading(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        READINGS[name] = fn
        return fn

    return register


@reading("meeting_proposal")
def meeting_proposal(ctx: Context):
    """Prospecting: the « solution » is the meeting proposal (object, benefit, format)."""
    proposals = ctx.where(
        lambda t: (
            t.has("present_solution", "propose_close")
            and (t.analysis.dated or "rendez" in t.analysis.normalized or "rdv" in t.analysis.normalized)
        )
    )
    if not proposals:
        pitch = ctx.where(lambda t: t.has("present_solution", "argue_benefit"))
        return (
            0,
            "Aucune proposition de rendez-vous (argumentaire produit à la place)."
            if pitch
            else "Aucune proposition de rendez-vous.",
            _ev(pitch),
        )
    best = max(
        proposals,
        key=lambda t: (
            t.analysis.benefit
            + any_keyword(t.analysis.normalized, ("audit", "essai", "etude", "objet", "pour voir", "faire le point"))
            + any_keyword(t.analysis.normalized, PLACE)
            + t.analysis.alternative
        ),
    )
    a = best.analysis
    has_object = any_keyword(
        a.normalized, ("audit", "essai", "etude", "objet", "pour voir", "faire le point", "batiment", "parc")
    )
    duration = any_keyword(a.normalized, ("minutes", "une heure", "1 h", "1h", "demi-heure", "30 min"))
    tailored = any_keyword(a.normalized, PLACE) and (a.alternative or " ou " in a.normalized)
    if has_object and tailored and (a.benefit or duration):
        return 3, "Rendez-vous sur mesure (objet, lieu, participants) avec une alternative.", _ev([best])
    if has_object and (a.benefit or duration):
        return 2, "Rendez-vous proposé avec un objet, un bénéfice et une durée.", _ev([best])
    return 1, "Rendez-vous proposé sans objet ni bénéfice clairs.", _ev([best])


@reading("meeting_recap")
def meeting_recap(ctx: Context):
    """Prospecting: the recap of the meeting (date, hour, place, participants, object, invitation)."""
    recaps = ctx.where(
        lambda t: t.has("summarize_deal", "plan_follow_up", "propose_close", "say_goodbye") and t.analysis.dated
    )
    if not recaps:
        return 0, "Aucun récapitulatif du rendez-vous.", []

    def parts(t: TurnRecord) -> int:
        a = t.analysis
        return sum([
            a.dated,
            any_keyword(a.normalized, HOUR) or bool(re.search(r"\d{1,2} ?h", a.normalized)),
            any_keyword(a.normalized, PLACE),
            any_keyword(a.normalized, ("monsieur", "m. ", "madame", "avec vous", "et vous", "present")),
            any_keyword(a.normalized, ("audit", "objet", "batiment", "parc", "essai")),
            a.written and any_keyword(a.normalized, ("invitation", "mail", "confirm")),
            any_keyword(a.normalized, ("preparer", "plans", "heures", "documents")),
        ])  # fmt: skip

    best = max(recaps, key=parts)
    n = parts(best)
    if n >= 6:
        return (
            3,
            "Rendez-vous récapitulé : date, heure, lieu, participants, objet, préparation et invitation écrite.",
            _ev([best]),
        )
    if n >= 4:
        return 2, "Rendez-vous récapitulé : date, heure, lieu et participants.", _ev([best])
    return 1, "Récapitulatif partiel du rendez-vous (date seule).", _ev([best])


@reading("complaint_handling")
def complaint_handling(ctx: Context):
    """Complaint: welcome, apologise, qualify, solve, measure satisfaction, prevent."""
    blame = ctx.where(
        lambda t: any_keyword(
            t.analysis.normalized,
            (
                "vos palettes",
                "votre faute",
                "pas notre faute",
                "c'est de votre",
                "vous auriez du",
                "le transporteur",
                "pas de notre ressort",
            ),
        )
    )
    apology = ctx.where(
        lambda t: (
            t.has("acknowledge_objection")
            or any_keyword(
                t.analysis.normalized, ("desole", "excuse", "regrette", "je comprends votre colere", "vous avez raison")
            )
        )
    )
    qualify = ctx.where(lambda t: t.has("ask_open_question", "ask_closed_question") and ctx.before_solution(t))
    solution = ctx.where(
        lambda t: t.has("present_solution", "handle_objection", "offer_concession") and t.analysis.dated
    )
    measure = ctx.where(
        lambda t: (
            t.analysis.measure
            and t.analysis.dated
            and t.has("plan_follow_up", "check_satisfaction", "say_goodbye", "summarize_deal", "present_solution")
        )
    )
    prevention = ctx.where(
        lambda t: any_keyword(
            t.analysis.normalized,
            ("preventi", "ne se reproduise", "eviter", "degag", "referent", "visites reprogramm", "point mensuel"),
        )
    )
    if blame or not apology:
        return 0, "Insatisfaction ignorée ou responsabilité rejetée sur le client.", _ev(blame or ctx.turns[:1])
    if not (qualify and solution):
        return 1, "Excuses sans insatisfaction qualifiée ni solution datée.", _ev(apology)
    if measure and prevention:
        return (
            3,
            "Insatisfaction qualifiée, solution datée, mesure de satisfaction et prévention.",
            _ev([solution[0], measure[0], prevention[0]]),
        )
    return 2, "Insatisfaction qualifiée et solution proposée.", _ev([apology[0], solution[0]])


# -------------------------------------------------------------- aggregation
def assess(
    scenario: Scenario,
    rubric: Rubric,
    turns: Sequence[TurnRecord],
    final: Dict[str, Any] | None = None,
    na: Sequence[str] = (),
) -> Assessment:
    """Score a finished session on the 19 criteria, apply caps, compute the grade /20."""
    ctx = Context(scenario, turns, final or {})
    results: Dict[str, CriterionResult] = {}
    invented = _invented(ctx)
    for criterion in rubric.criteria:
        if criterion.id in na:
            results[criterion.id] = CriterionResult(criterion.id, None, "na", "Situation absente de ce scénario.")
            continue
        reading_name = scenario.readings.get(criterion.id)
        score, explanation, evidence = (READINGS[reading_name] if reading_name else RULES[criterion.id])(ctx)
        capped = False
        if criterion.id in invented and score > 1:
            score, capped = 1, True
            explanation += " Plafonné à I : information inventée (hors catalogue ou hors marge)."
        results[criterion.id] = CriterionResult(
            criterion.id,
            score,
            rubric.level(score),
            explanation,
            [(t.n, clip(t.text, 240)) for t in evidence],
            criterion.advice,
            capped,
        )
        for t in evidence:
            ctx.note(t, criterion.id, explanation.split(":")[0].rstrip("."), score >= 2)
    weights = rubric.weights(scenario.id, list(na))
    mean = sum(weights[c] * results[c].score for c in weights if results[c].score is not None)
    grade = round(mean * 20 / 3, 1)
    eliminatory = _eliminatory(ctx)
    if eliminatory:
        grade = min(grade, 9.0)
    level = _grade_level(grade)
    competences = {}
    for comp, prefix in (("C1", "C1."), ("C2", "C2.")):
        scored = [r.score for cid, r in results.items() if cid.startswith(prefix) and r.score is not None]
        competences[comp] = rubric.level(round(sum(scored) / len(scored))) if scored else "na"
    priorities = sorted(
        (c for c in weights if results[c].score is not None and results[c].score < 3),
        key=lambda c: (3 - results[c].score) * weights[c],
        reverse=True,
    )[:3]
    return Assessment(
        scores=results,
        findings=_dedup(ctx.findings),
        grade_20=grade,
        level=level,
        eliminatory=eliminatory,
        outcome=ctx.final.get("outcome", "open"),
        competence_levels=competences,
        priorities=priorities,
    )


def _invented(ctx: Context) -> Dict[str, str]:
    invented: Dict[str, str] = {}
    if "beyond_margin" in ctx.flags:
        invented["C1.2.2-d"] = "remise hors marge"
    errors = _price_errors(ctx)
    if errors:
        invented["C1.2.2-a"] = "référence ou prix inventé"
    return invented


def _eliminatory(ctx: Context) -> List[str]:
    reasons = []
    if "denigrate" in ctx.flags or any(t.has("denigrate_competitor") for t in ctx.turns):
        reasons.append("dénigrement d'un concurrent")
    if "illegal_accepted" in ctx.flags:
        reasons.append("délai de paiement illégal accepté")
    if any(t.analysis.urgency for t in ctx.turns):
        reasons.append("pression abusive ou fausse urgence")
    return reasons


def _grade_level(grade: float) -> str:
    if grade < 5:
        return "TI"
    if grade < 10:
        return "I"
    if grade < 15:
        return "S"
    return "TS"


def _dedup(findings: List[Finding]) -> List[Finding]:
    seen = set()
    out = []
    for f in findings:
        key = (f.turn, f.criterion_id, f.finding)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
