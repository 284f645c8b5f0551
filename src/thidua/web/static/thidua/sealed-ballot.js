// The phone's ballot in an encrypted poll (docs/ballot-crypto.md §4): the confirmed choices,
// as the form's bits (given by the page), are encrypted here to the board's key; the phone
// shows the tracker, signs `sealed:<tracker>` with its device key (device-key.js) and sends
// the ballot. Before casting, the delegate may challenge a ballot: its randomness goes to the
// server, which opens it and answers what it says; it is never counted, and a fresh
// encryption is made for the real cast.
(function () {
  "use strict";
  var crypto = window.thiduaBallotCrypto;
  var root = document.getElementById("sealed-ballot");
  if (!crypto || !root || !window.thiduaDevice) { return; }
  var d = root.dataset;
  var bits = JSON.parse(document.getElementById("sealed-bits").textContent);
  var names = JSON.parse(document.getElementById("sealed-names").textContent);
  var form = document.getElementById("sealed-cast"), challenge = document.getElementById("challenge");
  var info = null, current = null;

  function byId(id) { return document.getElementById(id); }
  function say(text) { byId("sealed-status").textContent = text; }

  var call = window.thiduaApi(d.api, d.csrf);

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

  call("GET", "/polls/" + d.poll + "/sealed").then(function (found) {
    info = found;
    encrypt();
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
