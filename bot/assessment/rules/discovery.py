"""Prise de contact et découverte (C1.2.1): contact, questioning, decision circuit, motives, listening.

Each rule quotes its line of ``data/assessment/rubric.yml`` (label and 0–3 scale), then says how
the learner's words and the client's reactions are read against it. What the client revealed is
read from the engine state (the facts of the scenario and their topics), never from a turn count.
"""

from __future__ import annotations

from bot.assessment.rules.context import Context, RuleBook, Score
from bot.language.intents import CONTACT_MOVES, QUESTIONS
from bot.language.intents import Intent as I  # noqa: E741 - the short name of the lead's groups
from bot.language.text import any_keyword, normalize

RULES = RuleBook()

#: how many of the first messages make the opening of the meeting
OPENING_TURNS = 4
#: moves that do not count as discovery questions even when they ask something
NOT_DISCOVERY = CONTACT_MOVES | {I.CHECK_AGREEMENT.value}
#: moves where the decision circuit is exploited (named again to close or to plan)
EXPLOITING = (I.PROPOSE_CLOSE, I.PLAN_FOLLOW_UP, I.PRESENT_SOLUTION, I.HANDLE_OBJECTION)
#: a complete synthesis covers at least this many of the facts the client revealed
SYNTHESIS_FACTS = 4


@RULES("C1.2.1-a")
def contact(ctx: Context) -> Score:
    """Gérer la relation interpersonnelle – prise de contact.

    0: absente ou familière; 1: formule minimale; 2: présentation + objet + cadre;
    3: cadre validé, accroche personnalisée, climat de confiance maintenu.

    Read on the first messages: a greeting (by name or title), an introduction, the object of the
    meeting, the time checked, thanks; « tu » or familiar words anywhere in the opening give 0.
    """
    opening = ctx.turns[:OPENING_TURNS]
    if not opening:
        return Score.of(0, "Aucune prise de contact.")
    surname = normalize(ctx.scenario.main_persona.name.split()[-1])
    greet = next((t for t in opening if t.has(I.GREET)), None)
    personal = greet and (surname in greet.normalized or ctx.says(greet, "courtesy_title"))
    intro = next((t for t in opening if t.has(I.INTRODUCE_SELF)), None)
    frame = next((t for t in opening if t.has(I.STATE_AGENDA)), None)
    time_ok = any(t.analysis.time_check for t in opening)
    thanks = any(t.analysis.thanks for t in opening)
    familiar = [t for t in opening if t.familiar]
    if familiar:
        return Score.of(0, "Prise de contact familière (tutoiement ou vocabulaire relâché).", familiar)
    if not greet and not intro:
        return Score.of(
            0, "Pas de salutation ni de présentation : l'entretien commence sans prise de contact.", opening[:1]
        )
    register_ok = not any(t.familiar for t in ctx.turns)
    if greet and intro and frame and time_ok and personal and register_ok:
        return Score.of(
            3, "Salutation personnalisée, présentation, objet et cadre validés, climat maintenu.", [greet, intro, frame]
        )
    if intro and (frame or thanks):
        return Score.of(2, "Présentation de soi et de l'objet du rendez-vous.", [greet, intro, frame])
    return Score.of(1, "Prise de contact minimale (salutation sans cadre ni présentation complète).", [greet, intro])


@RULES("C1.2.1-b")
def questioning(ctx: Context) -> Score:
    """Cerner la problématique : questionnement structuré.

    0: pas de découverte; 1: questions fermées/orientées, trous majeurs; 2: découverte structurée, quelques oublis;
    3: entonnoir maîtrisé, implications chiffrées, aucune dimension QQOQCCP oubliée.

    Discovery questions are those asked before the solution; the funnel starts with open questions;
    the dimensions covered are the topics of the facts the client revealed.
    """
    questions = ctx.where(lambda t: ctx.before_solution(t) and t.has(*QUESTIONS) and t.intent not in NOT_DISCOVERY)
    if not questions:
        return Score.of(0, "Aucune question de découverte.")
    open_q = [t for t in questions if t.intent == I.ASK_OPEN_QUESTION or "open" in t.analysis.question_types]
    closed_q = [t for t in questions if t not in open_q]
    suggestive = [t for t in questions if "suggestive" in t.analysis.question_types]
    implication = [t for t in questions if t.analysis.implication]
    topics = ctx.revealed_topics
    premature = "premature_argument" in ctx.flags
    funnel = bool(open_q) and (not closed_q or open_q[0].n < closed_q[0].n)
    evidence = [*open_q[:2], *implication[:1], *closed_q[:1]]
    for t in implication[:1]:
        ctx.note(t, "C1.2.1-b", "question d'implication")
    # every QQOQCCP dimension: 9 topics revealed, or 6 with an implication question
    thorough = (implication and len(topics) >= 6) or len(topics) >= 9
    if len(open_q) >= 3 and funnel and thorough and not premature and not suggestive:
        return Score.of(
            3,
            "Entonnoir maîtrisé : questions ouvertes d'abord, implications chiffrées, dimensions couvertes.",
            evidence,
        )
    if len(open_q) >= 2 and len(topics) >= 4:
        return Score.of(2, "Découverte structurée par des questions ouvertes, avec quelques oublis.", evidence)
    return Score.of(1, "Questions surtout fermées ou orientées, découverte incomplète.", evidence)


@RULES("C1.2.1-c")
def decision_circuit(ctx: Context) -> Score:
    """Identifier le circuit de décision, les attentes et la demande dérivée.

    0: non abordé; 1: décideur seulement; 2: circuit complet OU demande dérivée;
    3: circuit complet + calendrier + demande dérivée, exploités dans la stratégie.

    Identified means revealed by the client (facts of the topics decision, delai, activite — the
    derived demand — and budget); exploited means the circuit named again to close or to plan.
    """
    decision, timing, derived, budget = (ctx.revealing(x) for x in ("decision", "delai", "activite", "budget"))
    if not decision and not derived:
        return Score.of(0, "Ni le circuit de décision ni la demande dérivée n'ont été abordés.")
    reused = ctx.where(lambda t: t.has(*EXPLOITING) and ctx.says(t, "decision_circuit"))
    if decision and timing and derived:
        if reused:
            return Score.of(
                3,
                "Circuit de décision, calendrier et demande dérivée identifiés et exploités.",
                [decision[0], timing[0], derived[0], reused[0]],
                limit=4,
            )
        return Score.of(
            2, "Circuit de décision et demande dérivée identifiés, peu exploités ensuite.", [decision[0], derived[0]]
        )
    if derived or (decision and (budget or timing)):
        return Score.of(
            2,
            "Circuit de décision (avec budget ou calendrier) ou demande dérivée identifiés.",
            [*decision[:1], *derived[:1], *budget[:1]],
        )
    return Score.of(1, "Seul le décideur a été identifié.", decision)


@RULES("C1.2.1-d")
def motivations(ctx: Context) -> Score:
    """Repérer motivations (SONCAS) et freins.

    0: aucun; 1: motivation supposée sans vérification; 2: motivation dominante + un frein identifiés;
    3: motivations hiérarchisées et freins explicités, validés par le client.

    A motive or a brake is revealed by the client (topics motivation, frein) or asked about; motives
    are ranked in a reformulation, validated when the client confirms it.
    """
    motive = [
        t
        for t in ctx.turns
        if "motivation" in ctx.topics_revealed_in(t) or (t.has(*QUESTIONS) and ctx.says(t, "motive_question"))
    ]
    brake = ctx.revealing("frein") + ctx.where(lambda t: t.has(*QUESTIONS) and ctx.says(t, "brake_question"))
    hierarchy = ctx.where(lambda t: t.has(I.REFORMULATE) and t.analysis.hierarchy)
    validated = [t for t in hierarchy if t.after.get("reformulation_confirmed")]
    if not motive and not brake and not hierarchy:
        return Score.of(0, "Motivations et freins du client non recherchés.")
    if motive and brake and validated:
        return Score.of(
            3,
            "Motivations hiérarchisées et freins explicités, validés par le client.",
            [motive[0], brake[0], validated[0]],
        )
    shown = [*motive[:1], *brake[:1], *hierarchy[:1]]
    if motive and brake or (motive and hierarchy):
        return Score.of(2, "Motivation dominante et frein identifiés.", shown)
    return Score.of(1, "Motivation supposée ou frein isolé, sans vérification.", shown)


@RULES("C1.2.1-e")
def listening(ctx: Context) -> Score:
    """Écoute, reformulation et synthèse.

    0: aucune reformulation; 1: écho ponctuel; 2: synthèse complète;
    3: synthèse hiérarchisée, validée, et réutilisée comme fil de l'argumentation.

    A synthesis is complete when the client confirms it; it is reused when a later argument links to
    a need or names a fact it covered.
    """
    refs = ctx.where(lambda t: t.has(I.REFORMULATE) or t.analysis.reformulation)
    if not refs:
        return Score.of(0, "Aucune reformulation ni synthèse.")
    confirmed = [t for t in refs if t.became("reformulation_confirmed")]
    if not confirmed:
        return Score.of(1, "Reformulation ponctuelle, incomplète ou corrigée par le client.", refs)
    synthesis = confirmed[0]
    ctx.note(synthesis, "C1.2.1-e", "synthèse validée par le client")
    covered = [f for f in ctx.revealed.values() if any_keyword(synthesis.normalized, f.keywords)]
    reused = ctx.first(
        lambda u: (
            u.n > synthesis.n
            and u.has(I.PRESENT_SOLUTION, I.ARGUE_BENEFIT)
            and (u.analysis.need_link or any(any_keyword(u.normalized, f.keywords) for f in covered))
        )
    )
    ranked = synthesis.analysis.hierarchy or reused
    if synthesis.analysis.validation_question and len(covered) >= SYNTHESIS_FACTS and ranked:
        return Score.of(
            3, "Synthèse complète, hiérarchisée, validée, puis réutilisée dans l'argumentation.", [synthesis, reused]
        )
    return Score.of(2, "Synthèse complète validée par le client.", [synthesis])
