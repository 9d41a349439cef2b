from bot.engine.inputs import screen
from bot.language.lexicon import lexicon
from bot.language.numbers import numbers
from bot.language.terms import figures
from bot.language.text import catalogue_refs, has_keyword, is_tutoiement, normalize


def test_normalize_strips_accents_case_and_controls():
    assert normalize("  Relève GAZ\u200b à  −10 °C ") == "releve gaz a −10 °c"
    assert normalize("L’œuvre") == "l'oeuvre"


def test_keywords_match_word_starts_only():
    text = normalize("Quel est votre budget ? Et qui décide ?")
    assert has_keyword(text, "budget")
    assert has_keyword(text, "decid")
    assert not has_keyword(text, "udget")
    assert not has_keyword(text, "")


def test_numbers_in_french_formats():
    assert numbers("29 800 € HT et 45k€, soit 1,5 fois") == [29800.0, 45000.0, 1.5]
    assert numbers("35 postes à 1 090 €") == [35.0, 1090.0]
    assert figures(normalize("une remise de 8 % puis 12,5 pour cent")).percents == (8.0, 12.5)


def test_catalogue_refs_and_register():
    assert catalogue_refs("le VSD-45 et le PAC-HT65, pas le XYZ") == ["VSD-45", "PAC-HT65"]
    assert is_tutoiement(normalize("Tu peux me dire ton budget ?"))
    assert not is_tutoiement(normalize("Pouvez-vous me dire votre budget ?"))
    assert lexicon()["familiar_words"].which(normalize("ouais bah on verra, mecanisee")) == ["ouais", "bah"]


def test_screen_bad_input():
    assert screen("") == "empty"
    assert screen("   \u200b\u200b ") == "empty"
    assert screen("😀😀😀") == "empty"
    assert screen("a" * 3000) == "too_long"
    assert screen("مرحبا كيف حالك اليوم") == "other_language"
    assert screen("Hello, how are you, can you help me with this deal please") == "other_language"
    assert screen("Bonjour Monsieur Garnier, comment allez-vous ?") is None
    assert screen("ok") is None
    assert screen("12") is None


def test_a_framed_answer_keeps_the_capitals_of_names():
    """« Comme je vous le disais : » + the answer: common words lowered, names, titles and acronyms kept."""
    from bot.language.text import lower_first, proper_nouns

    names = proper_nouns(["Notre responsable, Inès Dumas, suit le dossier avec Alsace Télécom."])
    assert {"Inès", "Dumas", "Alsace", "Télécom"} <= names and "Notre" not in names
    assert lower_first("J'ai peur d'un rejet.", names) == "j'ai peur d'un rejet."
    assert lower_first("Notre mainteneur a fait une offre.", names) == "notre mainteneur a fait une offre."
    assert lower_first("Inès Dumas décide.", names) == "Inès Dumas décide."
    assert lower_first("Mme Colin signe.", names) == "Mme Colin signe."
    assert lower_first("Pneumatique Services entretient le parc.", names) == "Pneumatique Services entretient le parc."
    assert lower_first("PAC et chaudière.", names) == "PAC et chaudière."
    assert lower_first("L'ANAH nous doit 27 400 €.", names) == "l'ANAH nous doit 27 400 €."
