"""Full negotiations over the REST channel, real Rasa server and real action server."""

from __future__ import annotations

import pytest

from tests.e2e.scripts import FOLLOW_UP, POOR, SCRIPTS

pytestmark = pytest.mark.e2e


def speakers(messages):
    return [m["custom"]["speaker"] for m in messages]


def client_text(messages):
    return " ".join(m["custom"]["text"] for m in messages if m["custom"]["speaker"] == "client")


def play_poor(rasa_stack, sender, scenario_id, lines) -> str:
    """A poor learner: says ``lines`` until the client ends the meeting, then asks for the debrief."""
    rasa_stack.send(sender, f'/start_scenario{{"scenario_id": "{scenario_id}"}}')
    for text in lines:
        rasa_stack.send(sender, text)
        if rasa_stack.state(sender)["outcome"] != "open":
            break
    if rasa_stack.state(sender)["outcome"] == "open":
        rasa_stack.send(sender, "/request_debrief")
    return rasa_stack.state(sender)["outcome"]


def play(rasa_stack, sender, scenario_id, script=None):
    """A good learner: follows the script and answers whatever the client raises, when raised."""
    script = script or SCRIPTS[scenario_id]
    transcript = []

    def say(text):
        reply = rasa_stack.send(sender, text)
        transcript.append((text, reply))
        return reply

    def answer_pending(limit=12):
        for _ in range(limit):
            state = rasa_stack.state(sender)
            if state["outcome"] != "open":
                return
            current = state.get("current_objection")
            if state["change"] == "announced":
                say(script["change"])
            elif current and state["objections"].get(current) == "pending":
                if current not in state.get("acknowledged", []):
                    say("Je comprends tout à fait votre remarque, c'est un point important.")
                say(script["answers"][current])
            else:
                return

    start = say(f'/start_scenario{{"scenario_id": "{scenario_id}"}}')
    assert speakers(start) == ["coach", "coach"]
    assert "Fiche de préparation" in start[0]["custom"]["text"]
    assert start[0]["custom"]["kind"] == "briefing"
    steps = script["opening"] + script["discovery"] + [script["reformulate"], script["solution"]]
    steps += script.get("preempt") or []  # what a strong learner says before the client objects
    steps += [script["price"]] if script.get("price") else []
    for text in steps:
        say(text)
        answer_pending()
    for _ in range(8):
        answer_pending()
        if rasa_stack.state(sender)["outcome"] != "open":
            break
        say(script["close"])
    return transcript


@pytest.mark.parametrize("scenario_id", sorted(SCRIPTS))
def test_good_negotiation_is_won(rasa_stack, library, scenario_id):
    sender = f"good-{scenario_id}"
    transcript = play(rasa_stack, sender, scenario_id)
    state = rasa_stack.state(sender)
    scenario_debug = [(t, client_text(r)[:120]) for t, r in transcript[-6:]]
    assert state["outcome"] == "won", scenario_debug
    # facts were revealed by questions, the key ones included
    assert len(state["revealed"]) >= 5
    # objections were raised after the proposal and all handled
    raised = [o for o, s in state["objections"].items() if s != "waiting"]
    assert len(raised) >= 4
    assert all(state["objections"][o] in ("resolved", "preempted") for o in raised)
    # the parameters changed mid-meeting and the learner adapted
    assert state["change"] == "adapted"
    # a persona who joins mid-meeting speaks under their own name
    scenario = library.scenario(scenario_id)
    names = {m["custom"]["name"] for _, r in transcript for m in r if m["custom"]["speaker"] == "client"}
    joining = scenario.parameter_change.persona
    if joining and joining != scenario.main_persona.id:
        assert scenario.persona(joining).name in names
    assert scenario.main_persona.name in names
    # client and coach are told apart; every reply has at least one message
    assert all(reply for _, reply in transcript)
    assert all(m["custom"]["speaker"] in ("client", "coach") for _, r in transcript for m in r)
    for text in FOLLOW_UP:
        rasa_stack.send(sender, text)
    debrief = rasa_stack.send(sender, "/request_debrief")
    assert debrief[0]["custom"]["kind"] == "debrief"
    assert "Affaire conclue" in debrief[0]["custom"]["text"]
    # every learner message is in the tracker store, in order
    sent = [t for t, _ in transcript] + FOLLOW_UP + ["/request_debrief"]
    assert rasa_stack.user_texts(sender) == sent


@pytest.mark.parametrize("scenario_id", ["air-plasturgie", "cvc-ehpad"])
def test_poor_negotiation_is_lost(rasa_stack, scenario_id):
    sender = f"poor-{scenario_id}"
    rasa_stack.send(sender, f'/start_scenario{{"scenario_id": "{scenario_id}"}}')
    coach_seen = []
    for text in POOR:
        reply = rasa_stack.send(sender, text)
        coach_seen += [m["custom"]["text"] for m in reply if m["custom"]["speaker"] == "coach"]
        if rasa_stack.state(sender)["outcome"] != "open":
            break
    state = rasa_stack.state(sender)
    assert state["outcome"] == "lost"
    assert "premature_argument" in state["flags"] and "denigrate" in state["flags"]
    assert any("avant d'avoir découvert" in c for c in coach_seen)
    debrief = rasa_stack.send(sender, "je veux mon bilan")
    assert "Affaire perdue" in debrief[0]["custom"]["text"]


def test_hint_and_out_of_scope_keep_the_simulation_going(rasa_stack):
    sender = "meta-learner"
    rasa_stack.send(sender, '/start_scenario{"scenario_id": "info-cabinet"}')
    hint = rasa_stack.send(sender, "je suis bloqué, tu peux m'aider ?")
    assert speakers(hint) == ["coach"] and hint[0]["custom"]["kind"] == "hint"
    off = rasa_stack.send(sender, "t'as vu le match de foot hier soir ?")
    # small talk in a meeting: the client brings the learner back to the point, in character
    assert "client" in speakers(off)
    assert rasa_stack.state(sender)["off_topic"] == 1
    reply = rasa_stack.send(sender, "Bonjour Madame Fontaine")
    assert "client" in speakers(reply)


def test_unknown_scenario_and_no_simulation(rasa_stack):
    reply = rasa_stack.send("nobody", "Bonjour Madame")
    assert reply[0]["custom"]["kind"] == "menu" and "air-plasturgie" in reply[0]["custom"]["text"]
    reply = rasa_stack.send("nobody", '/start_scenario{"scenario_id": "../../etc/passwd"}')
    assert "Je ne connais pas le scénario" in reply[0]["custom"]["text"]


def test_exam_mode_gives_no_hint(rasa_stack):
    sender = "exam-learner"
    start = rasa_stack.send(sender, '/start_scenario{"scenario_id": "agri-cuma", "mode": "exam"}')
    assert "Mode examen" in start[1]["custom"]["text"]
    reply = rasa_stack.send(sender, "un indice svp")
    assert "ne donne pas d'indice" in reply[0]["custom"]["text"]
