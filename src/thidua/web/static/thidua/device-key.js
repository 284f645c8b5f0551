// Device keys (docs/voting.md): the phone's own Ed25519 key, made here with the vendored
// @noble/curves, kept in this browser's storage and registered with the server once (by the
// QR sign-in, or on the first conference page). Every ballot is signed with it before it is
// sent, so a session cookie copied off the hall's Wi-Fi cannot vote.
(function () {
  "use strict";
  var lib = window.noble;
  if (!lib) { return; }
  var ed = lib.ed25519;
  var encoder = new TextEncoder();

  function slot(who) { return "thidua.device-key." + who; }
  function secretOf(who) {
    try { return window.localStorage.getItem(slot(who)); } catch (error) { return null; }
  }
  function keep(who, secret) { window.localStorage.setItem(slot(who), secret); }
  function publicOf(secret) { return lib.bytesToHex(ed.getPublicKey(lib.hexToBytes(secret))); }
  function newSecret() { return lib.bytesToHex(ed.utils.randomSecretKey()); }

  // The same text as thidua.voting.devices.message: context, poll, user name, ballot.
  function ballotText(form) {
    var choices = [], answers = [], scores = [];
    form.querySelectorAll("input[type=hidden]").forEach(function (input) {
      if (input.name === "choice") { choices.push(input.value); }
      else if (input.name.indexOf("a_") === 0) { answers.push([input.name.slice(2), input.value]); }
      else if (input.name.indexOf("s_") === 0) { scores.push([input.name.slice(2), input.value]); }
    });
    if (scores.length || form.querySelector("input[name=score]")) {  // a score ballot: scores:a=40+30+15,b=… (sorted by unit)
      scores.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
      return "scores:" + scores.map(function (pair) { return pair[0] + "=" + pair[1]; }).join(",");
    }
    if (answers.length) {
      answers.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
      return "answers:" + answers.map(function (pair) { return pair[0] + "=" + pair[1]; }).join(",");
    }
    return "choices:" + choices.sort().join(",");
  }
  // What the phone signs (docs/voting.md §3): the context, the poll, the delegate, the ballot.
  function message(poll, who, ballot) {
    return "thidua-ballot-v1\n" + poll + "\n" + who + "\n" + ballot;
  }

  function sign(who, text) {
    var secret = secretOf(who);
    if (!secret) { return ""; }
    return lib.bytesToHex(ed.sign(encoder.encode(text), lib.hexToBytes(secret)));
  }

  // The QR sign-in: a fresh key for this phone, its public half sent with the sign-in.
  document.querySelectorAll("form[data-device-join]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var secret = newSecret();
      keep(form.dataset.deviceJoin, secret);
      form.querySelector("input[name=device_key]").value = publicOf(secret);
    });
  });

  // A conference page: register this phone's key if the server has none; warn if the server
  // holds another phone's key (someone else registered first, or the phone's storage was
  // cleared): the delegate goes to the counting board for a new check-in key.
  var state = document.getElementById("device-key");
  var ready = Promise.resolve(true);
  var foreign = false;  // the server holds another phone's key: no ballot can go from here
  if (state) {
    var who = state.dataset.who, registered = state.dataset.registered;
    var secret = secretOf(who);
    var mine = secret ? publicOf(secret) : "";
    if (!registered) {
      // kept first: a page left before the reply (the phone's next page registers it again)
      // must not lose the key the server may have recorded
      secret = secret || newSecret();
      keep(who, secret);
      var body = new URLSearchParams({ public_key: publicOf(secret) });
      ready = fetch(state.dataset.registerUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": state.dataset.csrf }
      }).then(function (response) { return response.ok; }, function () { return false; });
    } else if (registered !== mine) {
      foreign = true;
      ready = Promise.resolve(false);
    }
    ready.then(function (ok) {
      var warning = document.getElementById("device-key-warning");
      if (!ok && warning) { warning.hidden = false; }
      // the cast button off, not a refusal after the choices (the warning says where to go);
      // a registration that only failed to reach the server leaves it on (the next try may)
      if (foreign) {
        document.querySelectorAll("form[data-sign-poll] button[type=submit]").forEach(
          function (button) { button.disabled = true; });
      }
    });
  }

  // The cast: sign the confirmed ballot, then send it.
  document.querySelectorAll("form[data-sign-poll]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.signed) { return; }
      event.preventDefault();
      if (foreign) { return; }
      ready.then(function () {
        var text = message(form.dataset.signPoll, form.dataset.signWho, ballotText(form));
        form.querySelector("input[name=signature]").value = sign(form.dataset.signWho, text);
        form.dataset.signed = "1";
        form.submit();
      });
    });
  });

  window.thiduaDevice = {
    ready: ready,
    message: message,
    sign: function (who, text) { return sign(who, text); },
    publicKey: function (who) { var s = secretOf(who); return s ? publicOf(s) : ""; }
  };
})();
