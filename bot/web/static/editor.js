// Scenario editor: a form over the scenario as its YAML file holds it. Every check is the
// server's (POST …/api/valider answers per field); this file only draws the form, keeps the
// document up to date and shows the answers. Fields the form does not show (client lines,
// assessment cues…) stay in the document untouched. No framework, no inline script (CSP).
(function () {
  "use strict";
  var root = document.getElementById("editor");
  if (!root) return;
  var doc = JSON.parse(root.dataset.body || "{}");
  var topics = JSON.parse(root.dataset.topics || "{}");
  var base = root.dataset.base;
  var readonly = root.dataset.readonly === "1";
  var saved = null; // {slug, version, key} once stored

  var MOVES = "handle_objection, ask_open_question, reformulate, argue_benefit, inform, present_solution, offer_concession, deny";
  // field kinds: text, area, lines (one per line), words (comma separated), number, int, bool, choice, pairs (« clé : texte »)
  var SECTIONS = [
    { title: "Contexte", fields: [
      ["id", "Identifiant (minuscules, tirets)", "text"], ["title", "Titre", "text"],
      ["kind", "Type d'entretien", "choice", ["negotiation", "complaint", "account_review", "prospecting"]],
      ["competences", "Compétences (séparées par des virgules)", "words"], ["date", "Date de l'entretien", "text"],
      ["vendor", "Entreprise du vendeur", "area"], ["client", "Entreprise cliente", "area"],
      ["derived_demand", "Demande dérivée", "area"], ["decision_circuit", "Circuit de décision (une ligne par étape)", "lines"],
      ["motivations", "Motivations (une par ligne : « clé : texte »)", "pairs"], ["budget", "Budget (texte)", "area"],
      ["briefing.learner", "Rôle de l'élève", "area"], ["briefing.context", "Contexte présenté à l'élève", "area"],
      ["briefing.known", "Ce que l'élève sait déjà (une ligne par information)", "lines"],
      ["briefing.objectives.optimal", "Objectif optimal", "text"], ["briefing.objectives.realiste", "Objectif réaliste", "text"],
      ["briefing.objectives.repli", "Objectif de repli", "text"],
      ["briefing.room_for_manoeuvre", "Marge de manœuvre (une ligne par point)", "lines"]] },
    { title: "Personnages", list: "personas", item: "Personnage", fields: [
      ["id", "Identifiant", "text"], ["name", "Nom (« M. Garnier »)", "text"], ["role", "Fonction", "text"],
      ["style", "Style", "text"], ["main", "Interlocuteur principal", "bool"]] },
    { title: "Faits à découvrir", list: "facts", item: "Fait", fields: [
      ["id", "Identifiant", "text"], ["topic", "Thème", "choice", Object.keys(topics)], ["label", "Intitulé", "text"],
      ["keywords", "Mots-clés (radicaux sans accent, virgules)", "words"],
      ["open", "Réponse à une question ouverte (une variante par ligne)", "lines"],
      ["closed", "Réponse à une question fermée (une variante par ligne)", "lines"],
      ["need", "Besoin", "bool"], ["key", "Fait clé", "bool"], ["public", "Connu de l'élève (peut figurer sur la fiche)", "bool"],
      ["persona", "Seul ce personnage le sait (identifiant)", "text"]] },
    { title: "Objections", list: "objections", item: "Objection", fields: [
      ["id", "Identifiant", "text"], ["type", "Type", "text"], ["nature", "Nature", "text"],
      ["trigger", "Déclencheur", "choice", ["start", "proposal", "price", "close", "change"]],
      ["text", "Ce que dit le client (une variante par ligne)", "lines"],
      ["clarification", "Précision si on le questionne", "lines"], ["insist", "S'il insiste", "lines"],
      ["resolved", "Quand l'objection est levée", "lines"],
      ["resolved_by.moves", "Réponses attendues (actes : " + MOVES + ")", "words"],
      ["resolved_by.keywords", "Mots attendus dans la réponse (virgules)", "words"],
      ["hint", "Indice du coach", "area"]] },
    { title: "Catalogue", list: "catalogue", item: "Article", fields: [
      ["ref", "Référence", "text"], ["label", "Désignation", "text"], ["price", "Prix", "number"],
      ["unit", "Unité (€ HT par défaut)", "text"], ["keywords", "Mots-clés (virgules)", "words"],
      ["core", "Article principal", "bool"], ["additional", "Option", "bool"]] },
    { title: "Conditions générales de vente", fields: [
      ["cgv.payment", "Paiement", "text"], ["cgv.max_discount_pct", "Remise maximale (%)", "number"],
      ["cgv.terms", "Conditions (une par ligne)", "lines"], ["limits.budget_max", "Budget maximal du client (€ HT)", "number"]] },
    { title: "Changement de paramètres", fields: [
      ["parameter_change.trigger", "Moment", "choice", ["proposal", "price", "first_objection_resolved"]],
      ["parameter_change.text", "Ce que dit le client (une variante par ligne)", "lines"],
      ["parameter_change.adapted_by.moves", "Réponses attendues (actes, virgules)", "words"],
      ["parameter_change.adapted", "Quand l'élève s'est adapté", "lines"], ["parameter_change.hint", "Indice du coach", "area"]] },
    { title: "Règles de l'issue", fields: [
      ["outcome.min_needs", "Besoins à découvrir au minimum", "int"],
      ["outcome.required_facts", "Faits indispensables (identifiants, virgules)", "words"],
      ["outcome.requires_price", "Un prix est nécessaire pour conclure", "bool"],
      ["outcome.max_failed_closes", "Conclusions ratées avant l'échec", "int"]] },
    { title: "Signaux d'achat", list: "signals", item: "Signal", fields: [["text", "Ce que dit le client", "area"]] }
  ];

  function get(obj, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? undefined : o[k]; }, obj);
  }
  function set(obj, path, value) {
    var keys = path.split("."), last = keys.pop();
    keys.forEach(function (k) { if (typeof obj[k] !== "object" || obj[k] === null) obj[k] = {}; obj = obj[k]; });
    if (value === undefined) delete obj[last]; else obj[last] = value;
  }
  function asList(v) { return v == null ? [] : Array.isArray(v) ? v : [v]; }

  function shown(kind, v) {
    if (v == null) return "";
    if (kind === "lines") return asList(v).join("\n");
    if (kind === "words") return asList(v).join(", ");
    if (kind === "pairs") return Object.keys(v).map(function (k) { return k + " : " + v[k]; }).join("\n");
    return String(v);
  }
  function read(kind, input) {
    var raw = input.value;
    if (kind === "bool") return input.checked ? true : undefined;
    if (!raw.trim()) return undefined;
    if (kind === "lines") return raw.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    if (kind === "words") return raw.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    if (kind === "number" || kind === "int") { var n = Number(raw.replace(",", ".").replace(/\s/g, "")); return isNaN(n) ? raw : n; }
    if (kind === "pairs") {
      var out = {};
      raw.split("\n").forEach(function (line) { var i = line.indexOf(":"); if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim(); });
      return out;
    }
    return raw;
  }

  // the path of a field as the server names it: « facts[2].open » (lists counted from 1)
  function field(owner, f, label) {
    var path = f[0], kind = f[2], wrap = document.createElement("div");
    wrap.className = "field field-" + kind;
    var id = "f-" + (label + "-" + path).replace(/[^a-zA-Z0-9]+/g, "-");
    var input;
    if (kind === "area" || kind === "lines" || kind === "pairs") { input = document.createElement("textarea"); input.rows = kind === "area" ? 2 : 3; }
    else if (kind === "choice") {
      input = document.createElement("select");
      [""].concat(f[3]).forEach(function (o) { var opt = document.createElement("option"); opt.value = o; opt.textContent = topics[o] ? o + " — " + topics[o] : o; input.appendChild(opt); });
    } else { input = document.createElement("input"); input.type = kind === "bool" ? "checkbox" : "text"; }
    input.id = id;
    input.dataset.path = (label ? label + "." : "") + path;
    if (kind === "bool") input.checked = get(owner, path) === true; else input.value = shown(kind, get(owner, path));
    input.disabled = readonly;
    input.addEventListener(kind === "bool" || kind === "choice" ? "change" : "input", function () { set(owner, path, read(kind, input)); changed(); });
    var lab = document.createElement("label");
    lab.htmlFor = id;
    lab.textContent = f[1];
    var err = document.createElement("p");
    err.className = "field-error error";
    err.dataset.for = input.dataset.path;
    if (kind === "bool") { wrap.appendChild(input); wrap.appendChild(lab); } else { wrap.appendChild(lab); wrap.appendChild(input); }
    wrap.appendChild(err);
    return wrap;
  }

  function button(text, cls, onClick) {
    var b = document.createElement("button");
    b.type = "button"; b.className = cls; b.textContent = text; b.disabled = readonly;
    b.addEventListener("click", onClick);
    return b;
  }

  function draw() {
    var host = document.getElementById("sections");
    host.textContent = "";
    SECTIONS.forEach(function (s, n) {
      var box = document.createElement("fieldset");
      box.className = "card section";
      box.id = "section-" + (s.list || n);
      var legend = document.createElement("legend");
      legend.textContent = s.title;
      box.appendChild(legend);
      if (!s.list) { s.fields.forEach(function (f) { box.appendChild(field(doc, f, "")); }); host.appendChild(box); return; }
      if (s.list === "signals") doc.signals = asList(doc.signals).map(function (x) { return typeof x === "string" ? { text: x } : x; });
      var items = doc[s.list] = asList(doc[s.list]);
      items.forEach(function (item, i) {
        var sub = document.createElement("fieldset");
        sub.className = "item";
        var l = document.createElement("legend");
        l.textContent = s.item + " " + (i + 1);
        sub.appendChild(l);
        s.fields.forEach(function (f) { sub.appendChild(field(item, f, s.list + "[" + (i + 1) + "]")); });
        sub.appendChild(button("Supprimer", "danger small", function () { items.splice(i, 1); draw(); changed(); }));
        box.appendChild(sub);
      });
      box.appendChild(button("Ajouter : " + s.item.toLowerCase(), "secondary add", function () { items.push({}); draw(); }));
      host.appendChild(box);
    });
  }

  var status = document.getElementById("status");
  var timer = null;
  function post(path, body) {
    return fetch(base + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf },
      body: JSON.stringify(body)
    }).then(function (resp) { return resp.json().catch(function () { return {}; }).then(function (d) { d.status = resp.status; return d; }); });
  }

  function show(result) {
    document.querySelectorAll(".field-error").forEach(function (p) { p.textContent = ""; });
    document.querySelectorAll(".invalid").forEach(function (e) { e.classList.remove("invalid"); });
    var general = document.getElementById("problems"), warnings = document.getElementById("warnings");
    general.textContent = ""; warnings.textContent = "";
    var inputs = Array.prototype.slice.call(document.querySelectorAll("[data-path]"));
    (result.errors || []).forEach(function (e) {
      // the longest field path that starts the error's path (« facts[2].open[1] » → « facts[2].open »)
      var best = null;
      inputs.forEach(function (i) { var p = i.dataset.path; if ((e.path === p || e.path.indexOf(p + ".") === 0 || e.path.indexOf(p + "[") === 0) && (!best || p.length > best.dataset.path.length)) best = i; });
      var li = document.createElement("li");
      li.textContent = (e.path !== "(fichier)" ? e.path + " : " : "") + e.message;
      general.appendChild(li);
      if (best) {
        best.classList.add("invalid");
        var p = document.querySelector('.field-error[data-for="' + best.dataset.path + '"]');
        if (p) p.textContent = (p.textContent ? p.textContent + " ; " : "") + e.message;
      }
    });
    (result.warnings || []).forEach(function (w) { var li = document.createElement("li"); li.textContent = "À vérifier : " + w; warnings.appendChild(li); });
    document.getElementById("preview").textContent = result.preview || "";
    if (result.detail) status.textContent = result.detail;
    else status.textContent = result.ok ? "Scénario valide." : (result.errors || []).length + " erreur(s) à corriger.";
    status.className = result.ok && !result.detail ? "ok" : "error";
  }

  function validate() { return post("/api/valider", { scenario: doc }).then(show); }
  function changed() {
    document.getElementById("publish").disabled = true; // publish what was saved, not what is being typed
    clearTimeout(timer);
    status.textContent = "Vérification…"; status.className = "muted";
    timer = setTimeout(validate, 500);
  }

  var visibility = document.getElementById("visibility");
  visibility.value = root.dataset.visibility === "private" ? "private" : "school";
  visibility.disabled = readonly;
  visibility.addEventListener("change", changed);
  document.getElementById("save").disabled = readonly;
  document.getElementById("save").addEventListener("click", function () {
    clearTimeout(timer);
    status.textContent = "Enregistrement…";
    post("/api/enregistrer", { scenario: doc, visibility: visibility.value }).then(function (r) {
      show(r);
      if (r.status !== 200) return;
      offer(r);
      status.textContent = "Enregistré : version " + r.version + ".";
      document.getElementById("publish").disabled = false;
    });
  });
  document.getElementById("publish").addEventListener("click", function () {
    if (!saved) return;
    post("/api/publier", { slug: saved.slug }).then(function (r) {
      if (r.status !== 200) { show(r); return; }
      status.textContent = "Publié : les élèves peuvent jouer la version " + r.version + ".";
      status.className = "ok";
      document.getElementById("publish").disabled = true;
    });
  });

  function offer(r) {
    saved = r;
    var t = document.getElementById("try"), x = document.getElementById("export");
    t.href = "/enseignant/scenarios/essai/" + encodeURIComponent(r.key); t.classList.remove("hidden");
    x.href = base + "/" + encodeURIComponent(r.slug) + "/export.yml"; x.classList.remove("hidden");
  }
  if (root.dataset.key) {
    var at = root.dataset.key.lastIndexOf("@");
    offer({ key: root.dataset.key, slug: root.dataset.key.slice(0, at), version: Number(root.dataset.key.slice(at + 1)) });
    document.getElementById("publish").disabled = readonly || root.dataset.published === "1";
  }
  draw();
  if (Object.keys(doc).length) validate();
})();
