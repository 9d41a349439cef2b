from pathlib import Path

import pytest
import yaml

from bot.engine.library import DATA_DIR, default_library
from bot.engine.scenario import LINE_KEYS, ScenarioError, load_scenarios, parse_scenario

CONTRACT_IDS = {"cvc-ehpad", "info-cabinet", "agri-cuma", "air-plasturgie"}


def test_all_contract_scenarios_load():
    scenarios = load_scenarios(DATA_DIR / "scenarios")
    assert set(scenarios) >= CONTRACT_IDS


def test_defaults_cover_every_line_key():
    library = default_library()
    assert set(LINE_KEYS) <= set(library.default_lines)
    assert all(len(library.default_lines[k]) >= 2 for k in LINE_KEYS)


@pytest.mark.parametrize("scenario_id", sorted(CONTRACT_IDS))
def test_scenario_content_is_complete(scenario_id):
    s = default_library().scenario(scenario_id)
    topics = {f.topic for f in s.facts}
    assert {"budget", "decision", "besoin"} & topics
    assert len(s.objections) >= 5
    assert any(o.trigger in ("price", "proposal") for o in s.objections)
    assert s.cgv.max_discount_pct > 0
    assert s.catalogue and any(p.core for p in s.catalogue)
    assert s.signals and s.parameter_change.text
    assert {"optimal", "realiste", "repli"} <= set(s.briefing.objectives)


def test_air_plasturgie_has_the_illegal_payment_term():
    s = default_library().scenario("air-plasturgie")
    illegal = [o for o in s.objections if o.illegal]
    assert len(illegal) == 1 and "90" in " ".join(illegal[0].text)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_errors_are_in_french_with_file_and_field(tmp_path):
    good = (DATA_DIR / "scenarios" / "air-plasturgie.yml").read_text(encoding="utf-8")
    broken = good.replace("max_discount_pct:", "max_discount_pc:")
    path = _write(tmp_path, "air-plasturgie.yml", broken)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(path)
    message = str(err.value)
    assert message.startswith("air-plasturgie.yml")
    assert "cgv.max_discount_pct" in message and "champ obligatoire manquant" in message
    assert "cgv.max_discount_pc" in message and "champ inconnu" in message


def test_yaml_syntax_error_gives_the_line(tmp_path):
    path = _write(tmp_path, "cassé.yml", "id: x\ntitle: [oups\n")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(path)
    assert "YAML illisible" in str(err.value) and "ligne" in str(err.value)


def test_file_name_must_match_id(tmp_path):
    good = (DATA_DIR / "scenarios" / "cvc-ehpad.yml").read_text(encoding="utf-8")
    path = _write(tmp_path, "autre-nom.yml", good)
    with pytest.raises(ScenarioError, match="doit être le nom du fichier"):
        parse_scenario(path)


def test_unknown_persona_reference_is_reported(tmp_path):
    data = yaml.safe_load((DATA_DIR / "scenarios" / "cvc-ehpad.yml").read_text(encoding="utf-8"))
    data["parameter_change"]["persona"] = "fantome"
    path = _write(tmp_path, "cvc-ehpad.yml", yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ScenarioError, match="persona inconnue"):
        parse_scenario(path)
