"""The learner's French, understood once: shared by the client persona, the coach and the assessment.

Everything here is plain Python with no Rasa import. The French knowledge itself (cue words, topics,
events of the calendar) lives in ``data/lexicon/`` and ``data/language/``; these modules only read it.
"""
