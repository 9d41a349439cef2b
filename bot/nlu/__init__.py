"""The project's own NLU component: a linear intent classifier over Rasa's featurizers (docs/nlu.md)."""
