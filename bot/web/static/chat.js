// Student chat: relays through the web app (the learner id comes from the login or
// the widget token, never from the page). No framework, no inline script (CSP).
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) return;
  var api = root.dataset.api;
  var csrf = root.dataset.csrf;
  var isWidget = root.dataset.widget === "1";
  var token = "";
  if (isWidget) {
    var m = /(?:^|[#&])token=([^&]+)/.exec(window.location.hash);
    token = m ? decodeURIComponent(m[1]) : "";
  }
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var text = document.getElementById("text");
  var status = document.getElementById("status");
  var buttons = form.querySelectorAll("button");
  var phases = document.querySelectorAll("#phases li");
  var busy = false;
  var ended = false;

  function add(speaker, name, body) {
    var div = document.createElement("div");
    div.className = "msg " + speaker;
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = name || (speaker === "learner" ? "Vous" : speaker === "coach" ? "Coach" : "Client");
    var p = document.createElement("span");
    p.textContent = body;
    div.appendChild(who);
    div.appendChild(p);
    list.appendChild(div);
    list.scrollTop = list.scrollHeight;
    return div;
  }

  function showPhase(phase) {
    var seen = false;
    phases.forEach(function (li) {
      li.classList.remove("current", "done");
      if (li.dataset.phase === phase) { li.classList.add("current"); seen = true; }
      else if (!seen && phase) { li.classList.add("done"); }
    });
  }

  function setBusy(value, message) {
    busy = value;
    buttons.forEach(function (b) { b.disabled = value || (ended && b.id !== "restart"); });
    status.textContent = message || "";
  }

  function post(path, body) {
    var headers = { "Content-Type": "application/json" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    if (token) headers["Authorization"] = "Bearer " + token;
    return fetch(api + path, { method: "POST", headers: headers, body: JSON.stringify(body || {}), credentials: "same-origin" })
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (data) {
          if (!resp.ok) throw new Error(data.detail || "Erreur " + resp.status);
          return data;
        });
      });
  }

  function handle(data) {
    (data.messages || []).forEach(function (m) { add(m.speaker, m.name, m.text); });
    if (data.phase) showPhase(data.phase);
    if (data.ended) {
      ended = true;
      root.classList.add("ended");
      var done = document.createElement("p");
      done.className = "notice";
      if (!isWidget && data.session_id) {
        var a = document.createElement("a");
        a.href = (root.dataset.debrief || "/eleve/seances/") + encodeURIComponent(data.session_id);
        a.id = "debrief-link";
        a.textContent = "Voir le bilan détaillé";
        done.appendChild(a);
      } else {
        done.textContent = "Simulation terminée.";
      }
      list.appendChild(done);
      list.scrollTop = list.scrollHeight;
    }
  }

  function call(path, body, pending) {
    if (busy) return Promise.resolve();
    setBusy(true, pending || "Le client réfléchit…");
    return post(path, body).then(function (data) { handle(data); setBusy(false); })
      .catch(function (err) { setBusy(false, err.message + " — votre message peut être renvoyé."); });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var value = text.value;
    if (!value.trim() || busy) return;
    add("learner", "Vous", value);
    text.value = "";
    call("/message", { text: value });
  });
  text.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  document.getElementById("hint").addEventListener("click", function () { call("/hint", {}, "Le coach prépare un indice…"); });
  document.getElementById("end").addEventListener("click", function () {
    if (window.confirm("Terminer la simulation et afficher le bilan ?")) call("/end", {}, "Calcul du bilan…");
  });

  function start(scenario) {
    if (!scenario) { status.textContent = "Choisissez une situation."; return; }
    list.textContent = "";
    ended = false;
    var payload = { scenario_id: scenario, mode: root.dataset.mode };
    if (root.dataset.level) payload.level = root.dataset.level;
    if (root.dataset.variant) payload.variant = root.dataset.variant;
    call("/start", payload, "Préparation de la simulation…");
  }
  var pick = document.getElementById("pick-scenario");
  if (pick) {
    pick.addEventListener("change", function () { start(pick.value); });
    start(pick.value);
  } else {
    start(root.dataset.scenario);
  }
})();
