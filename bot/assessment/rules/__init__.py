"""The assessment rules, one module per competence block of ``data/assessment/rubric.yml``.

``preparation`` (C1.1), ``discovery`` (contact and discovery, C1.2.1), ``argumentation`` (C1.2.2),
``closing`` (C1.2.3), ``relationship`` (follow-up and customer relationship, C1.2.4 and C2, and
communication T-1); ``readings`` holds the readings proper to a kind of situation; ``aggregate``
turns the scores into the assessment. Every rule returns a typed :class:`Score`; no rule imports
Rasa, and the French words they look for are in ``data/lexicon/`` and the scenario files.
"""

from bot.assessment.rules.aggregate import Assessment, CriterionResult, assess
from bot.assessment.rules.context import Context, Finding, Score, TurnRecord

__all__ = ["Assessment", "Context", "CriterionResult", "Finding", "Score", "TurnRecord", "assess"]
