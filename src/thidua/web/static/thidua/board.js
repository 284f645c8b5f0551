// A counting-board member's device (docs/ballot-crypto.md §2, §5): the steps of the key
// ceremony on the board's key page, and the member's part of the decryption on a poll's page,
// run here with ballot-crypto.js through the JSON API. The member's secrets (communication
// secret, polynomial, key share) stay in this browser's storage, under the ceremony's label,
// and in the passphrase-sealed backup the member downloads.
(function () {
  "use strict";
  var crypto = window.thiduaBallotCrypto, lib = window.noble;
  var root = document.getElementById("board-device");
  if (!crypto || !root) { return; }
  var d = root.dataset, index = Number(d.index);
  var slot = "thidua.board." + d.label + "." + d.who;
  var context = crypto.ceremonyContext(d.cluster, Number(d.year), d.label, Number(d.members),
    Number(d.threshold));

  function load() {
    try { return JSON.parse(window.localStorage.getItem(slot)); } catch (error) { return null; }
  }
  function keep(record) { window.localStorage.setItem(slot, JSON.stringify(record)); }
  function byId(id) { return document.getElementById(id); }
  function say(text, id) { var place = byId(id || "board-status"); if (place) { place.textContent = text; } }
  function show(id, visible) { var place = byId(id); if (place) { place.hidden = !visible; } }

  var call = window.thiduaApi(d.api, d.csrf);

  // x·G: what the member confirms (the server compares it with X_j from the commitments).
  function publicOf(share) {
    return lib.bytesToHex(lib.ed25519.Point.BASE.multiply(crypto.scalarFrom(share)).toBytes());
  }

  function step(button, work) {
    if (!button) { return; }
    button.addEventListener("click", function () {
      button.disabled = true;
      say("…");
      Promise.resolve().then(work).then(function (reload) {
        if (reload !== false) { window.location.reload(); }
      }, function (error) {
        say(error.message || String(error));
        button.disabled = false;
      });
    });
  }

  function announcementsOf(state) {
    state.announcements.forEach(function (a) { crypto.checkAnnouncement(context, Number(d.threshold), a); });
    return state.announcements;
  }

  // --- the board's key page ------------------------------------------------------------------

  // Every fingerprint as this device computes it, to compare with what is read aloud.
  function showFingerprints(state) {
    state.announcements.forEach(function (a) {
      var cell = document.querySelector("[data-fingerprint-of='" + a.index + "']");
      if (!cell) { return; }
      try {
        crypto.checkAnnouncement(context, state.threshold, a);
        cell.textContent = crypto.memberFingerprint(context, a);
      } catch (error) { cell.textContent = "✗ " + error.code; }
    });
    var here = byId("key-fingerprint-here");
    if (here && state.public_key) {
      here.textContent = crypto.keyFingerprint(context, crypto.jointKey(state.announcements));
    }
  }

  step(byId("announce"), function () {
    var member = crypto.newMember(context, index, Number(d.threshold));
    keep(member.secret);
    return call("POST", "/ceremony/announcement", member.announcement);
  });

  step(byId("send-shares"), function () {
    var secret = load();
    if (!secret) { throw new Error(byId("key-lost").innerText); }
    return call("GET", "/ceremony").then(function (state) {
      var messages = announcementsOf(state).filter(function (a) { return a.index !== index; })
        .map(function (a) { return crypto.shareFor(context, secret, a); });
      return call("POST", "/ceremony/shares", { messages: messages });
    });
  });

  step(byId("confirm"), function () {
    if (!byId("compared").checked) { throw new Error(byId("compared").parentNode.innerText); }
    var secret = load();
    if (!secret) { throw new Error(byId("key-lost").innerText); }
    return call("GET", "/ceremony").then(function (state) {
      var published = {}, received = {}, wrong = null;
      announcementsOf(state).forEach(function (a) { published[a.index] = a; });
      state.shares.forEach(function (message) {
        if (message.to !== index || wrong) { return; }
        received[message.from] = crypto.openShare(context, secret, published[message.from], message);
        if (received[message.from] === null) { wrong = message; }
      });
      if (wrong) {
        var complaint = crypto.complain(context, secret, wrong);
        byId("complaint-json").textContent = JSON.stringify(complaint, null, 2);
        show("complaint", true);
        return call("POST", "/ceremony/complaints", complaint).then(function (verdict) {
          show(verdict.upheld ? "complaint-upheld" : "complaint-unfounded", true);
          say("");
          return false;
        });
      }
      secret.share = crypto.keyShare(secret, received, state.announcements);
      keep(secret);
      return call("POST", "/ceremony/confirmation", { verification_key: publicOf(secret.share) });
    });
  });

  step(byId("backup-save"), function () {
    var passphrase = byId("backup-pass").value, record = load();
    if (passphrase.length < 8) { throw new Error(byId("backup-pass").labels[0].innerText); }
    var backup = crypto.sealBackup(passphrase, context, index, record.communication, record.share);
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([JSON.stringify(backup, null, 2)], { type: "application/json" }));
    link.download = "khoa-" + d.label + "-" + index + ".json";
    document.body.appendChild(link);
    link.click();
    link.remove();
    say("✓ " + link.download);
    return false;
  });

  // --- restoring from the backup (both pages) ------------------------------------------------

  step(byId("restore-button"), function () {
    var file = byId("restore-file").files[0], passphrase = byId("restore-pass").value;
    if (!file) { throw new Error(byId("restore-file").labels[0].innerText); }
    return Promise.all([file.text(), call("GET", "/ceremony")]).then(function (both) {
      var backup = JSON.parse(both[0]);
      if (backup.index !== index) { throw new Error("index " + backup.index + " ≠ " + index); }
      var opened = crypto.openBackup(passphrase, context, backup);
      if (publicOf(opened.share) !== crypto.verificationKey(both[1].announcements, index)) {
        throw new Error("wrong_key_share");
      }
      keep({ index: index, communication: opened.communication, share: opened.share });
    });
  });

  // --- a poll's decryption -------------------------------------------------------------------

  // The member types the hall's turnout; the device stops when the board's ballots differ,
  // recomputes the sums from the published ballots, then publishes its part with its proofs.
  step(byId("decrypt-button"), function () {
    var turnout = Number(byId("turnout").value), record = load();
    if (!record || !record.share) { show("key-lost", true); throw new Error(byId("key-lost").innerText); }
    if (!Number.isInteger(turnout) || byId("turnout").value.trim() === "") {
      throw new Error(byId("turnout").labels[0].innerText);
    }
    return call("GET", "/polls/" + d.poll + "/sealed").then(function (found) {
      var ballots = found.box.ballots;
      if (ballots.length !== turnout) {
        throw new Error(byId("turnout-differs").textContent.replace("{board}", ballots.length)
          .replace("{typed}", turnout));
      }
      // a score poll (its form has outputs) has its own context, and its outputs are decrypted
      var scored = Boolean(found.form.outputs);
      var poll = (scored ? crypto.scorePollContext : crypto.pollContext)(
        found.public_key, found.cluster, found.year, found.code, found.form);
      ballots.forEach(function (ballot) {  // every ballot's proofs, checked on this device
        crypto.verifyBallot(poll, found.public_key, found.form, ballot, ballot.tracker);
      });
      var sums = crypto.combine(ballots, found.form.selections.length);
      if (JSON.stringify(sums) !== JSON.stringify(found.box.sums)) {
        throw new Error(byId("sums-differ").textContent);
      }
      return call("POST", "/polls/" + d.poll + "/decryption", {
        partial: crypto.partialDecrypt(poll, index, record.share,
          scored ? crypto.outputSums(found.form, sums) : sums), turnout: turnout
      });
    });
  });

  // --- on loading ----------------------------------------------------------------------------

  var record = load();
  var lost = d.poll ? !(record && record.share) : Boolean(d.announced) && !record;
  show("key-lost", lost);
  show("restore", lost && Boolean(d.confirmed));
  show("restore-none", lost && !d.confirmed);
  show("backup", !d.poll && Boolean(record && record.share));
  if (!d.poll) {
    call("GET", "/ceremony").then(showFingerprints, function (error) { say(error.message); });
  }
})();
