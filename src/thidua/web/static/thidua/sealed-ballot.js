// The phone's ballot in an encrypted poll (docs/ballot-crypto.md §4). The delegate chooses
// and confirms on this page without a round trip: the choices never leave the phone in the
// clear. Confirmed choices become the form's bits, are encrypted here to the board's key;
// the phone shows the tracker, signs `sealed:<tracker>` with its device key (device-key.js)
// and sends the ballot. Before casting, the delegate may challenge a ballot: its randomness
// goes to the server, which opens it and answers what it says; it is never counted, and a
// fresh encryption is made for the real cast.
(function () {
  "use strict";
  var crypto = window.thiduaBallotCrypto;
  var root = document.getElementById("sealed-ballot");
  if (!crypto || !root || !window.thiduaDevice) { return; }
  var d = root.dataset;
  var names = JSON.parse(document.getElementById("sealed-names").textContent);
  var messages = JSON.parse(document.getElementById("sealed-messages").textContent);
  var choose = document.getElementById("sealed-choose"), confirm = document.getElementById("sealed-confirm");
  var form = document.getElementById("sealed-cast"), challenge = document.getElementById("challenge");
  var info = null, current = null, bits = null;

  function byId(id) { return document.getElementById(id); }
  function say(text) { byId("sealed-status").textContent = text; }
  function phrase(code, params) {
    return messages[code].replace(/%\((\w+)\)s/g, function (_, key) { return String(params[key]); });
  }

  var call = window.thiduaApi(d.api, d.csrf);

  // --- choosing, on the phone only -------------------------------------------------------

  // The ticks (a choice poll) or answers (an approval poll) as the form's bits; a refusal
  // worded as the server words it for a plain ballot.
  function choiceBallot() {
    var choices = [], answers = {};
    choose.querySelectorAll("input[name=choice]:checked").forEach(function (box) { choices.push(box.value); });
    choose.querySelectorAll("input[type=radio]:checked").forEach(function (radio) {
      answers[radio.name.slice(2)] = radio.value;
    });
    var allowed = Number(choose.dataset.allowed);
    if (choose.dataset.allowed && choices.length > allowed) {
      throw phrase("too_many_choices", { count: choices.length, allowed: allowed });
    }
    return crypto.choiceBits(info.form, { choices: choices, answers: answers });
  }

  // The typed scores: a unit left blank is not scored, a unit half filled is refused, the
  // own unit is never typed (its boxes are not shown).
  function scoreBallot() {
    var scores = {};
    choose.querySelectorAll("fieldset[data-unit]").forEach(function (row) {
      var inputs = row.querySelectorAll("input"), name = row.dataset.name;
      if (!inputs.length) { return; }
      var typed = Array.prototype.map.call(inputs, function (input) { return input.value.trim(); });
      if (typed.every(function (t) { return t === ""; })) { return; }
      scores[row.dataset.unit] = typed.map(function (text, g) {
        if (!/^\d+$/.test(text)) { throw phrase("score_not_number", { text: text.slice(0, 20) }); }
        var score = Number(text), maximum = Number(inputs[g].max);
        if (score > maximum) { throw phrase("range", { unit: name, score: score, maximum: maximum }); }
        return score;
      });
    });
    var missing = [];
    choose.querySelectorAll("fieldset[data-unit]").forEach(function (row) {
      if (row.querySelectorAll("input").length && !(row.dataset.unit in scores)) { missing.push(row.dataset.name); }
    });
    if (missing.length && choose.dataset.partial === "refuse") {
      throw phrase("missing", { units: missing.join(", ") });
    }
    return crypto.scoreBits(info.form, scores);
  }

  function list(place, plaintext) {
    place.textContent = "";
    shown(plaintext).forEach(function (line) {
      var item = document.createElement("li"); item.textContent = line; place.appendChild(item);
    });
  }

  // What a plaintext says: the chosen selections' names, or a score poll's scores per unit
  // (each output's weighted sum of bits: skipped or the group's score).
  function shown(plaintext) {
    if (!info.form.outputs) {
      return names.filter(function (name, i) { return plaintext[i]; });
    }
    var lines = [], skipped = false;
    info.form.outputs.forEach(function (o) {
      var value = o.weights.reduce(function (t, w) { return t + w[1] * plaintext[w[0]]; }, 0);
      var name = names[o.weights[0][0]];
      if (o.label.indexOf("skipped:") === 0) {
        skipped = Boolean(value);
        if (skipped) { lines.push(name + ": " + d.notScored); }
      } else if (!skipped) {
        lines.push(name + ": " + value);
      }
    });
    return lines;
  }

  choose.addEventListener("submit", function (event) {
    event.preventDefault();  // never sent: the server refuses a plain ballot here anyway
    var problem = byId("sealed-problem");
    try {
      bits = info.form.outputs ? scoreBallot() : choiceBallot();
      if (!crypto.formValid(info.form, bits)) { throw phrase(info.form.outputs ? "invalid" : "blank", {}); }
    } catch (error) {
      problem.textContent = typeof error === "string" ? error : error.message;
      problem.hidden = false;
      return;
    }
    problem.hidden = true;
    list(byId("sealed-chosen"), bits);
    choose.hidden = true;
    confirm.hidden = false;
    encrypt();
  });

  byId("sealed-change").addEventListener("click", function () {
    current = null; bits = null;
    form.querySelector("button[type=submit]").disabled = true;
    challenge.disabled = true;
    byId("challenged").hidden = true;
    confirm.hidden = true;
    choose.hidden = false;
  });

  // --- encrypting, challenging, casting --------------------------------------------------

  // A score poll (its form has outputs, docs/score-ballot-crypto.md) has its own context, and
  // its ballot goes with the proof that it skips the delegate's own unit (§4).
  function encrypt() {
    var scored = Boolean(info.form.outputs);
    var context = (scored ? crypto.scorePollContext : crypto.pollContext)(
      info.public_key, info.cluster, info.year, info.code, info.form);
    current = crypto.encryptBallot(context, info.public_key, info.form, bits);
    if (scored) { current.ownUnit = crypto.proveOwnUnit(context, info.public_key, info.form, current, d.own); }
    byId("tracker").textContent = crypto.shownTracker(current.tracker);
    form.querySelector("button[type=submit]").disabled = false;
    challenge.disabled = false;
  }

  call("GET", "/polls/" + d.poll + "/sealed").then(function (found) {
    info = found;
    choose.querySelector("button[type=submit]").disabled = false;
  }).catch(function (error) { say(error.message); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!current) { return; }
    form.querySelector("button[type=submit]").disabled = true;
    window.thiduaDevice.ready.then(function () {
      var text = window.thiduaDevice.message(d.signPoll, d.who, "sealed:" + current.tracker);
      var sent = current.ownUnit ? Object.assign({ own_unit: current.ownUnit }, current.ballot) : current.ballot;
      form.querySelector("input[name=sealed]").value = JSON.stringify(sent);
      form.querySelector("input[name=signature]").value = window.thiduaDevice.sign(d.who, text);
      form.submit();
    });
  });

  challenge.addEventListener("click", function () {
    challenge.disabled = true;
    var spoiled = current;
    current = null;
    var body = Object.assign({}, spoiled.ballot, { randomness: spoiled.randomness });
    call("POST", "/polls/" + d.poll + "/spoiled", body).then(function (opened) {
      byId("challenged-tracker").textContent = crypto.shownTracker(opened.tracker);
      list(byId("chosen"), bits);
      list(byId("opened"), opened.plaintext);
      var same = JSON.stringify(opened.plaintext) === JSON.stringify(bits);
      byId("challenge-same").hidden = !same;
      byId("challenge-differs").hidden = same;
      byId("challenged").hidden = false;
      encrypt();
    }).catch(function (error) { say(error.message); challenge.disabled = false; current = spoiled; });
  });
})();
