// Encrypted ballots in the browser (docs/ballot-crypto.md, protocol thidua-ballot-crypto-v1):
// the delegate's phone encrypts and proves a ballot (§3, §4); a counting-board member's
// device runs the key ceremony (§2) and decrypts its part of the sums (§5). The server side
// is thidua.core.ballot_crypto, which accepts what this makes and makes what this reads.
// Plain ES2020 on the vendored noble bundle (global `noble`); also loads in Node for tests.
//
// At the interface, bytes (points, scalars, contexts) are lowercase hex strings, as in the
// protocol's JSON; BigInt and noble points stay inside.
(function (root) {
  "use strict";
  var lib = root.noble;
  if (!lib) { return; }
  var Point = lib.ed25519.Point;
  var G = Point.BASE, ZERO = Point.ZERO;
  var L = Point.Fn.ORDER;
  var PROTOCOL = "thidua-ballot-crypto-v1";
  var hex = lib.bytesToHex, unhex = lib.hexToBytes, concat = lib.concatBytes;
  var encoder = new TextEncoder();

  // A broken rule: `code` names it as the Python reference and the spec do.
  class Invalid extends Error {
    constructor(code, where) {
      super(where ? code + " at " + where : code);
      this.code = code;
      this.where = where || "";
    }
  }

  // --- §1 encodings -----------------------------------------------------------------------

  function mod(value) { var r = value % L; return r < 0n ? r + L : r; }

  function u32(number) {
    if (!Number.isInteger(number) || number < 0 || number >= 4294967296) {
      throw new Invalid("out_of_range");
    }
    return new Uint8Array([number >>> 24, (number >>> 16) & 255, (number >>> 8) & 255, number & 255]);
  }

  function text(value) { return encoder.encode(value); }

  function littleEndian(data) {
    var value = 0n;
    for (var i = data.length - 1; i >= 0; i--) { value = (value << 8n) | BigInt(data[i]); }
    return value;
  }

  function scalarBytes(value) {
    var out = new Uint8Array(32), rest = mod(value);
    for (var i = 0; i < 32; i++) { out[i] = Number(rest & 255n); rest >>= 8n; }
    return out;
  }

  function scalarHex(value) { return hex(scalarBytes(value)); }

  function fixed(raw, where) {
    var data = typeof raw === "string" ? unhex(raw) : raw;
    if (data.length !== 32) { throw new Invalid("wrong_length", where); }
    return data;
  }

  // A received scalar: 32 bytes little-endian, below ℓ.
  function scalarFrom(raw, where) {
    var value = littleEndian(fixed(raw, where));
    if (value >= L) { throw new Invalid("scalar_not_canonical", where); }
    return value;
  }

  // A received point: canonical, on the curve, in the prime-order subgroup, not the identity.
  function pointFrom(raw, where) {
    var data = fixed(raw, where), point;
    try {
      point = Point.fromBytes(data, false); // strict RFC 8032 decoding, not ZIP-215
    } catch (error) { throw new Invalid("bad_point", where); }
    if (hex(point.toBytes()) !== hex(data) || point.is0() || !point.isTorsionFree()) {
      throw new Invalid("bad_point", where);
    }
    return point;
  }

  function enc(point) { return point.toBytes(); }

  // H(tag, x₁, …): SHA-512 over each item behind its u32 length.
  function H(tag) {
    var hasher = lib.sha512.create();
    for (var i = 0; i < arguments.length; i++) {
      var item = i === 0 ? text(tag) : arguments[i];
      hasher.update(u32(item.length));
      hasher.update(item);
    }
    return hasher.digest();
  }

  // Hs: H read little-endian, reduced modulo ℓ (the Fiat–Shamir challenges).
  function Hs() { return mod(littleEndian(H.apply(null, arguments))); }

  // First 16 bytes as 8 groups of 4 uppercase hex digits.
  function grouped(data) {
    return hex(data.slice(0, 16)).toUpperCase().match(/.{4}/g).join(" ");
  }

  // 64 random bytes reduced modulo ℓ; zero is drawn again.
  function randomScalar() {
    for (;;) {
      var value = mod(littleEndian(lib.randomBytes(64)));
      if (value !== 0n) { return value; }
    }
  }

  // s·P for a secret s (constant-time `multiply`); 0·P and s·identity are the identity.
  function mul(s, point) {
    s = mod(s);
    return s === 0n || point.is0() ? ZERO : point.multiply(s);
  }

  // s·P for a public s.
  function mulPublic(s, point) { return point.multiplyUnsafe(mod(s)); }

  function sum(points) { return points.reduce(function (a, b) { return a.add(b); }, ZERO); }

  // The joint key, precomputed for fast fixed-base multiplication (one key kept).
  var cachedKey = { hex: "", point: null };
  function keyPoint(raw) {
    if (cachedKey.hex !== raw) { cachedKey = { hex: raw, point: pointFrom(raw, "key").precompute(8) }; }
    return cachedKey.point;
  }

  // --- §3 the poll's ballot form -------------------------------------------------------------

  function choiceForm(candidates, allowed, blankValid) {
    var most = Math.min(allowed, candidates.length);
    if (most < 1) { throw new Invalid("no_choice_allowed"); }
    var selections = candidates.map(function (code) { return "choice:" + code; });
    var weights = candidates.map(function (_, i) { return [i, 1]; });
    if (blankValid) { weights.push([selections.length, most]); selections.push("blank"); }
    return { selections: selections, constraints: [{ weights: weights, low: 1, high: most }] };
  }

  function approvalForm(candidates, blankValid) {
    var selections = [], constraints = [];
    candidates.forEach(function (code, i) {
      selections.push("yes:" + code, "no:" + code);
      constraints.push({ weights: [[2 * i, 1], [2 * i + 1, 1]], low: 0, high: 1 });
    });
    var total = selections.map(function (_, i) { return [i, 1]; });
    if (blankValid) { total.push([selections.length, candidates.length]); selections.push("blank"); }
    constraints.push({ weights: total, low: 1, high: candidates.length });
    return { selections: selections, constraints: constraints };
  }

  // A plain ballot as the form's bits (thidua.core.ballots.sealed_bits): `ballot.choices`
  // the ticked candidates, `ballot.answers` candidate → "yes" | "no" | "abstain"; a ballot
  // that says nothing sets the blank bit where the form has one.
  function choiceBits(form, ballot) {
    var said = {};
    (ballot.choices || []).forEach(function (code) { said["choice:" + code] = true; });
    Object.keys(ballot.answers || {}).forEach(function (code) {
      var answer = ballot.answers[code];
      if (answer !== "abstain") { said[answer + ":" + code] = true; }
    });
    var bits = form.selections.map(function (label) { return said[label] ? 1 : 0; });
    var blank = form.selections.indexOf("blank");
    if (blank >= 0 && bits.indexOf(1) < 0) { bits[blank] = 1; }
    return bits;
  }

  function formBytes(form) {
    var out = [u32(form.selections.length)];
    form.selections.forEach(function (label) { var t = text(label); out.push(u32(t.length), t); });
    out.push(u32(form.constraints.length));
    form.constraints.forEach(function (c) {
      out.push(u32(c.weights.length));
      c.weights.forEach(function (w) { out.push(u32(w[0]), u32(w[1])); });
      out.push(u32(c.low), u32(c.high));
    });
    return concat.apply(null, out);
  }

  function weighted(bits, weights) {
    return weights.reduce(function (total, w) { return total + w[1] * bits[w[0]]; }, 0);
  }

  // Whether a plaintext ballot satisfies the form (what the proofs prove).
  function formValid(form, bits) {
    return bits.length === form.selections.length &&
      bits.every(function (bit) { return bit === 0 || bit === 1; }) &&
      form.constraints.every(function (c) {
        var total = weighted(bits, c.weights);
        return c.low <= total && total <= c.high;
      });
  }

  // Q = H("thidua/v1/poll", K, cluster, year, poll code, form).
  function pollContext(key, cluster, year, poll, form) {
    return hex(H("thidua/v1/poll", unhex(key), text(cluster), u32(year), text(poll), formBytes(form)));
  }

  // --- score polls (docs/score-ballot-crypto.md) --------------------------------------------

  // The form of a score poll (§2) with its outputs (§3): per candidate a skip bit and the
  // bits of each group's score; each score within 0…Mg and zero when skipped; one skip only
  // (the own unit) under "refuse", at least one under "skip".
  function scoreForm(candidates, groups, partial) {
    if (candidates.length < 2 || new Set(candidates).size !== candidates.length) {
      throw new Invalid("bad_candidates");
    }
    if (!groups.length || groups.some(function (m) { return !(Number.isInteger(m) && m >= 1 && m <= 1000); })) {
      throw new Invalid("bad_scale");
    }
    if (partial !== "refuse" && partial !== "skip") { throw new Invalid("bad_partial"); }
    var selections = [], constraints = [], outputs = [], skips = [];
    candidates.forEach(function (code) {
      var skip = selections.length;
      skips.push([skip, 1]);
      selections.push("skip:" + code);
      outputs.push({ label: "skipped:" + code, weights: [[skip, 1]] });
      groups.forEach(function (maximum, g) {
        var bits = [];
        for (var i = 0; i < maximum.toString(2).length; i++) {
          bits.push([selections.length, 2 ** i]);
          selections.push("score:" + code + ":" + g + ":" + i);
        }
        constraints.push({ weights: bits.concat([[skip, maximum]]), low: 0, high: maximum });
        outputs.push({ label: "total:" + code + ":" + g, weights: bits });
      });
    });
    constraints.push({ weights: skips, low: 1, high: partial === "refuse" ? 1 : candidates.length });
    return { selections: selections, constraints: constraints, outputs: outputs };
  }

  // The base form's bytes, then each output's label and weights.
  function scoreFormBytes(form) {
    var out = [formBytes(form), u32(form.outputs.length)];
    form.outputs.forEach(function (o) {
      var t = text(o.label);
      out.push(u32(t.length), t, u32(o.weights.length));
      o.weights.forEach(function (w) { out.push(u32(w[0]), u32(w[1])); });
    });
    return concat.apply(null, out);
  }

  // Q of a score poll: its own tag, so that no proof serves both kinds of poll.
  function scorePollContext(key, cluster, year, poll, form) {
    return hex(H("thidua/v1/score-poll", unhex(key), text(cluster), u32(year), text(poll),
      scoreFormBytes(form)));
  }

  // A delegate's scores as the form's bits: `scores` maps a candidate to null (skipped; an
  // absent candidate too) or to one integer per group. The form's bounds are checked when
  // the ballot is encrypted (plaintext_outside_form); a score its bits cannot hold is refused.
  function scoreBits(form, scores) {
    Object.keys(scores).forEach(function (code) {
      if (form.selections.indexOf("skip:" + code) < 0) { throw new Invalid("unknown_candidate", code); }
    });
    var bits = [], widths = [], first = form.selections[0].slice(5);
    form.selections.forEach(function (label) {
      var parts = label.split(":");
      if (parts[0] === "skip") { bits.push(scores[label.slice(5)] == null ? 1 : 0); return; }
      var i = Number(parts.pop()), g = Number(parts.pop()), code = parts.slice(1).join(":");
      if (code === first) { widths[g] = i + 1; }
      var given = scores[code];
      bits.push(given == null ? 0 : (given[g] >> i) & 1);
    });
    Object.keys(scores).forEach(function (code) {
      var given = scores[code];
      if (given == null) { return; }
      if (given.length !== widths.length) { throw new Invalid("wrong_group_count", code); }
      given.forEach(function (score, g) {
        if (!Number.isInteger(score) || score < 0 || score >= 2 ** widths[g]) {
          throw new Invalid("score_out_of_range", code);
        }
      });
    });
    return bits;
  }

  // Each output's ciphertext from the per-selection sums, Σ weight·(A, B): what the board
  // decrypts (partialDecrypt over these) in place of every sum.
  function outputSums(form, sums) {
    if (!sums.length) { return []; }
    var pairs = sums.map(function (pair) { return pair.map(function (p) { return pointFrom(p); }); });
    return form.outputs.map(function (o) {
      return [0, 1].map(function (half) {
        return hex(enc(sum(o.weights.map(function (w) { return mulPublic(BigInt(w[1]), pairs[w[0]][half]); }))));
      });
    });
  }

  // §4: that the encrypted ballot skips the delegate's own unit, proved with the skip
  // selection's randomness R (log_G α = log_K (β − G)); bound to the ballot by its tracker.
  function proveOwnUnit(context, keyHex, form, encrypted, unit) {
    var index = form.selections.indexOf("skip:" + unit);
    if (index < 0) { throw new Invalid("elector_not_candidate", unit); }
    var key = keyPoint(keyHex), pair = encrypted.ballot.ciphertexts[index];
    var nonce = scalarFrom(encrypted.randomness[index]), w = randomScalar();
    var c = Hs("thidua/v1/own-unit", unhex(context), unhex(encrypted.tracker), text(unit),
      unhex(pair[0]), unhex(pair[1]), enc(mul(w, G)), enc(mul(w, key)));
    return { unit: unit, challenge: scalarHex(c), response: scalarHex(w + c * nonce) };
  }

  // --- §4 casting -------------------------------------------------------------------------

  // Exponential ElGamal of a bit m with randomness r: (r·G, m·G + r·K).
  function encryptWith(key, message, nonce) {
    return [mul(nonce, G), (message ? G : ZERO).add(mul(nonce, key))];
  }

  // A point multiplied once per branch of a range proof: with many branches (a score's
  // 0…Mg), a table of its multiples, made once, makes each multiplication several times faster.
  function manyTimes(point, branches) {
    return branches >= 8 ? point.precompute(5) : point;
  }

  // (a_u, b_u) for value u from (c_u, r_u): r·G − c·α, r·K − c·β + (c·u)·G.
  function simulated(key, alpha, beta, u, c, r) {
    return [
      mulPublic(r, G).subtract(mulPublic(c, alpha)),
      mulPublic(r, key).add(mulPublic(c * BigInt(u), G)).subtract(mulPublic(c, beta))
    ];
  }

  // (α, β) encrypts `value` ∈ [low, high] with randomness `nonce`: one real branch, the
  // others simulated (Cramer–Damgård–Schoenmakers).
  function proveRange(tag, context, index, key, alpha, beta, low, high, value, nonce) {
    var challenges = [], responses = [], commitments = [], w = randomScalar(), others = 0n;
    alpha = manyTimes(alpha, high - low); beta = manyTimes(beta, high - low);
    for (var u = low; u <= high; u++) {
      if (u === value) {
        challenges.push(0n); responses.push(0n);
        commitments.push(mul(w, G), mul(w, key));
      } else {
        var c = randomScalar(), r = randomScalar();
        challenges.push(c); responses.push(r); others += c;
        commitments.push.apply(commitments, simulated(key, alpha, beta, u, c, r));
      }
    }
    var items = [tag, context, u32(index), enc(alpha), enc(beta)].concat(commitments.map(enc));
    var real = mod(Hs.apply(null, items) - others);
    challenges[value - low] = real;
    responses[value - low] = mod(w + real * nonce);
    return { challenges: challenges.map(scalarHex), responses: responses.map(scalarHex) };
  }

  // Every α ‖ β, then each proof's challenges then responses.
  function ballotBytes(ballot) {
    var out = [];
    ballot.ciphertexts.forEach(function (c) { out.push(unhex(c[0]), unhex(c[1])); });
    ballot.selection_proofs.concat(ballot.constraint_proofs).forEach(function (p) {
      p.challenges.concat(p.responses).forEach(function (s) { out.push(unhex(s)); });
    });
    return concat.apply(null, out);
  }

  // As people read it on the phone, the board and the minutes (thidua.core.ballot_crypto).
  function shownTracker(trackerHex) { return trackerHex.slice(0, 16).match(/.{4}/g).join(" "); }

  function tracker(context, ballot) {
    return hex(H("thidua/v1/tracker", unhex(context), ballotBytes(ballot)).slice(0, 32));
  }

  // The ballot (§4 JSON), its randomness (kept on the phone: revealed only to spoil) and its
  // tracker. A plaintext outside the form is refused: its proofs could not hold.
  function encryptBallot(context, keyHex, form, bits) {
    if (!formValid(form, bits)) { throw new Invalid("plaintext_outside_form"); }
    var key = keyPoint(keyHex), q = unhex(context);
    var nonces = bits.map(randomScalar);
    var pairs = bits.map(function (bit, i) { return encryptWith(key, bit, nonces[i]); });
    var selectionProofs = pairs.map(function (pair, i) {
      return proveRange("thidua/v1/selection", q, i, key, pair[0], pair[1], 0, 1, bits[i], nonces[i]);
    });
    var constraintProofs = form.constraints.map(function (c, i) {
      var alpha = sum(c.weights.map(function (w) { return mulPublic(BigInt(w[1]), pairs[w[0]][0]); }));
      var beta = sum(c.weights.map(function (w) { return mulPublic(BigInt(w[1]), pairs[w[0]][1]); }));
      var nonce = mod(c.weights.reduce(function (t, w) {
        return t + BigInt(w[1]) * nonces[w[0]];
      }, 0n));
      return proveRange("thidua/v1/constraint", q, i, key, alpha, beta, c.low, c.high,
        weighted(bits, c.weights), nonce);
    });
    var ballot = {
      ciphertexts: pairs.map(function (pair) { return [hex(enc(pair[0])), hex(enc(pair[1]))]; }),
      selection_proofs: selectionProofs,
      constraint_proofs: constraintProofs
    };
    return { ballot: ballot, randomness: nonces.map(scalarHex), tracker: tracker(context, ballot) };
  }

  // A range proof holds (§4): every (a_u, b_u) recomputed from (c_u, r_u), and Σ c_u equal to
  // the challenge of the transcript.
  function checkRange(tag, context, index, key, alpha, beta, low, high, proof) {
    var count = high - low + 1;
    if (proof.challenges.length !== count || proof.responses.length !== count) {
      throw new Invalid("proof_shape");
    }
    var commitments = [], total = 0n;
    alpha = manyTimes(alpha, count); beta = manyTimes(beta, count);
    for (var u = low; u <= high; u++) {
      var c = scalarFrom(proof.challenges[u - low]), r = scalarFrom(proof.responses[u - low]);
      total += c;
      commitments.push.apply(commitments, simulated(key, alpha, beta, u, c, r));
    }
    var items = [tag, context, u32(index), enc(alpha), enc(beta)].concat(commitments.map(enc));
    if (Hs.apply(null, items) !== mod(total)) { throw new Invalid("bad_proof"); }
  }

  // A cast ballot is a valid ballot of its poll (§4): its shape, points, scalars and proofs,
  // and its tracker; throws Invalid with the rule's code otherwise. A member's device runs it
  // on every ballot on the board before summing them (the server did too, but a member need
  // not trust the server).
  function verifyBallot(context, keyHex, form, ballot, trackerHex) {
    var key = keyPoint(keyHex), q = unhex(context), n = form.selections.length;
    if (ballot.ciphertexts.length !== n || ballot.selection_proofs.length !== n ||
        ballot.constraint_proofs.length !== form.constraints.length) {
      throw new Invalid("ballot_shape");
    }
    var pairs = ballot.ciphertexts.map(function (c) { return [pointFrom(c[0]), pointFrom(c[1])]; });
    pairs.forEach(function (pair, i) {
      checkRange("thidua/v1/selection", q, i, key, pair[0], pair[1], 0, 1, ballot.selection_proofs[i]);
    });
    form.constraints.forEach(function (c, i) {
      var alpha = sum(c.weights.map(function (w) { return mulPublic(BigInt(w[1]), pairs[w[0]][0]); }));
      var beta = sum(c.weights.map(function (w) { return mulPublic(BigInt(w[1]), pairs[w[0]][1]); }));
      checkRange("thidua/v1/constraint", q, i, key, alpha, beta, c.low, c.high, ballot.constraint_proofs[i]);
    });
    if (trackerHex !== undefined && trackerHex !== tracker(context, ballot)) {
      throw new Invalid("wrong_tracker");
    }
  }

  // A challenged ballot as published (§4, §6 `spoiled`): the ballot, its randomness and the
  // plaintext read back from that randomness (β − r·K is the identity or G).
  function spoil(keyHex, encrypted) {
    var key = keyPoint(keyHex);
    var plaintext = encrypted.ballot.ciphertexts.map(function (c, i) {
      var rest = pointFrom(c[1]).subtract(mul(scalarFrom(encrypted.randomness[i]), key));
      return rest.equals(G) ? 1 : 0;
    });
    return Object.assign({ tracker: encrypted.tracker }, encrypted.ballot,
      { randomness: encrypted.randomness.slice(), plaintext: plaintext });
  }

  // --- §2 the counting board's key ceremony ----------------------------------------------------

  function ceremonyContext(cluster, year, label, members, threshold) {
    if (!(threshold >= 1 && threshold <= members)) { throw new Invalid("bad_threshold"); }
    return hex(H("thidua/v1/ceremony", text(cluster), u32(year), text(label), u32(members),
      u32(threshold)));
  }

  function proofJson(c, r) { return { challenge: scalarHex(c), response: scalarHex(r) }; }

  // Schnorr proof of s with P = s·G for member `index`, slot `slot`.
  function proveKnowledge(tag, context, index, slot, secret) {
    var w = randomScalar();
    var c = Hs(tag, context, u32(index), u32(slot), enc(mul(secret, G)), enc(mul(w, G)));
    return proofJson(c, w + c * secret);
  }

  function knows(tag, context, index, slot, point, proof, where) {
    var c = scalarFrom(proof.challenge, where), r = scalarFrom(proof.response, where);
    var u = mulPublic(r, G).subtract(mulPublic(c, point));
    return Hs(tag, context, u32(index), u32(slot), enc(point), enc(u)) === c;
  }

  function memberFingerprint(context, announcement) {
    var items = ["thidua/v1/fingerprint", unhex(context), u32(announcement.index),
      unhex(announcement.communication_key)].concat(announcement.commitments.map(unhex));
    return grouped(H.apply(null, items));
  }

  function keyFingerprint(context, key) {
    return grouped(H("thidua/v1/public-key", unhex(context), unhex(key)));
  }

  // A member's secrets (kept on the device, and in the backup) and announcement (published).
  function newMember(context, index, threshold) {
    var q = unhex(context), z = randomScalar(), coefficients = [];
    for (var t = 0; t < threshold; t++) { coefficients.push(randomScalar()); }
    var announcement = {
      index: index,
      communication_key: hex(enc(mul(z, G))),
      key_proof: proveKnowledge("thidua/v1/communication-key", q, index, 0, z),
      commitments: coefficients.map(function (a) { return hex(enc(mul(a, G))); }),
      commitment_proofs: coefficients.map(function (a, t) {
        return proveKnowledge("thidua/v1/coefficient", q, index, t, a);
      })
    };
    announcement.fingerprint = memberFingerprint(context, announcement);
    return {
      secret: { index: index, communication: scalarHex(z), coefficients: coefficients.map(scalarHex) },
      announcement: announcement
    };
  }

  // Throws Invalid unless another member's announcement holds (§6 step 2, but the index).
  function checkAnnouncement(context, threshold, announcement) {
    var q = unhex(context), i = announcement.index, where = "members[" + i + "]";
    var key = pointFrom(announcement.communication_key, where);
    var commitments = announcement.commitments.map(function (c) { return pointFrom(c, where); });
    if (commitments.length !== threshold || announcement.commitment_proofs.length !== threshold) {
      throw new Invalid("commitment_count", where);
    }
    if (!knows("thidua/v1/communication-key", q, i, 0, key, announcement.key_proof, where)) {
      throw new Invalid("bad_key_proof", where);
    }
    commitments.forEach(function (c, t) {
      if (!knows("thidua/v1/coefficient", q, i, t, c, announcement.commitment_proofs[t], where)) {
        throw new Invalid("bad_commitment_proof", where + ".commitments[" + t + "]");
      }
    });
    if (announcement.fingerprint !== memberFingerprint(context, announcement)) {
      throw new Invalid("wrong_fingerprint", where);
    }
  }

  function polynomialAt(coefficients, x) {
    var X = BigInt(x);
    return coefficients.reduceRight(function (acc, a) { return mod(acc * X + scalarFrom(a)); }, 0n);
  }

  // Σ_t x^t·C_t: f(x)·G seen from the commitments.
  function committedAt(commitments, x) {
    var power = 1n, total = ZERO;
    commitments.forEach(function (c) {
      total = total.add(mulPublic(power, pointFrom(c)));
      power = mod(power * BigInt(x));
    });
    return total;
  }

  function jointKey(announcements) {
    return hex(enc(sum(announcements.map(function (a) { return pointFrom(a.commitments[0]); }))));
  }

  function verificationKey(announcements, index) {
    return hex(enc(sum(announcements.map(function (a) { return committedAt(a.commitments, index); }))));
  }

  // The share's key and associated data (hashed Diffie–Hellman).
  function shareKey(context, sender, recipient, ephemeral, shared) {
    var q = unhex(context);
    var key = H("thidua/v1/share-key", q, u32(sender), u32(recipient), enc(ephemeral), enc(shared));
    return {
      key: key.slice(0, 32),
      data: H("thidua/v1/share-ad", q, u32(sender), u32(recipient), enc(ephemeral))
    };
  }

  // f_i(j) sealed to member j's communication key.
  function shareFor(context, secret, recipient) {
    var e = randomScalar(), ephemeral = mul(e, G);
    var sk = shareKey(context, secret.index, recipient.index, ephemeral,
      mul(e, pointFrom(recipient.communication_key)));
    var nonce = lib.randomBytes(24);
    var share = scalarBytes(polynomialAt(secret.coefficients, recipient.index));
    return {
      from: secret.index, to: recipient.index, ephemeral: hex(enc(ephemeral)), nonce: hex(nonce),
      ciphertext: hex(lib.xchacha20poly1305(sk.key, nonce, sk.data).encrypt(share))
    };
  }

  // The share (hex) if it decrypts with S, is below ℓ and matches the sender's commitments;
  // otherwise null: the share is wrong.
  function opened(context, message, shared, sender) {
    var ephemeral = pointFrom(message.ephemeral), nonce = unhex(message.nonce);
    var sealed = unhex(message.ciphertext);
    if (nonce.length !== 24 || sealed.length !== 48) { return null; }
    var sk = shareKey(context, message.from, message.to, ephemeral, shared), plain;
    try {
      plain = lib.xchacha20poly1305(sk.key, nonce, sk.data).decrypt(sealed);
    } catch (error) { return null; }
    var value = littleEndian(plain);
    if (value >= L || !mulPublic(value, G).equals(committedAt(sender.commitments, message.to))) {
      return null;
    }
    return scalarHex(value);
  }

  function openShare(context, secret, sender, message) {
    if (message.to !== secret.index || message.from !== sender.index) { return null; }
    var shared = mul(scalarFrom(secret.communication), pointFrom(message.ephemeral));
    return opened(context, message, shared, sender);
  }

  // Against a wrong share: reveal S = z_j·E and prove log_G Z_j = log_E S.
  function complain(context, secret, message) {
    var z = scalarFrom(secret.communication), ephemeral = pointFrom(message.ephemeral);
    var shared = mul(z, ephemeral), w = randomScalar();
    var c = Hs("thidua/v1/complaint", unhex(context), u32(message.from), u32(message.to),
      enc(mul(z, G)), enc(ephemeral), enc(shared), enc(mul(w, G)), enc(mul(w, ephemeral)));
    return {
      from: message.to, against: message.from, shared: hex(enc(shared)), proof: proofJson(c, w + c * z)
    };
  }

  // x_j = Σ_i f_i(j), its own share included; checked against X_j. `received` maps each
  // other member to the share opened from them (a refused share calls for a complaint).
  function keyShare(secret, received, announcements) {
    var x = polynomialAt(secret.coefficients, secret.index);
    Object.keys(received).forEach(function (from) {
      if (received[from] === null) { throw new Invalid("share_refused", "shares[" + from + "]"); }
      x = mod(x + scalarFrom(received[from]));
    });
    if (hex(enc(mul(x, G))) !== verificationKey(announcements, secret.index)) {
      throw new Invalid("wrong_key_share");
    }
    return scalarHex(x);
  }

  // --- §2 backup -----------------------------------------------------------------------------

  function backupKey(passphrase, salt) {
    return lib.scrypt(text(passphrase), salt, { N: 32768, r: 8, p: 1, dkLen: 32 });
  }

  function sealBackup(passphrase, context, index, communication, share) {
    var salt = lib.randomBytes(16), nonce = lib.randomBytes(24);
    var data = H("thidua/v1/backup", unhex(context), u32(index));
    var plain = concat(unhex(communication), unhex(share));
    var sealed = lib.xchacha20poly1305(backupKey(passphrase, salt), nonce, data).encrypt(plain);
    return {
      protocol: PROTOCOL, index: index, salt: hex(salt), nonce: hex(nonce), sealed: hex(sealed)
    };
  }

  function openBackup(passphrase, context, backup) {
    var data = H("thidua/v1/backup", unhex(context), u32(backup.index)), plain;
    var key = backupKey(passphrase, unhex(backup.salt));
    try {
      plain = lib.xchacha20poly1305(key, unhex(backup.nonce), data).decrypt(unhex(backup.sealed));
    } catch (error) { throw new Invalid("wrong_passphrase"); }
    return {
      communication: scalarHex(scalarFrom(plain.slice(0, 32))),
      share: scalarHex(scalarFrom(plain.slice(32)))
    };
  }

  // --- §5 tally ------------------------------------------------------------------------------

  // (Σα_i, Σβ_i) per selection over the cast ballots (each point checked); with no ballot
  // there is nothing to decrypt: no sums.
  function combine(ballots, selections) {
    var sums = [];
    if (!ballots.length) { return sums; }
    for (var i = 0; i < selections; i++) {
      var pairs = ballots.map(function (b) {
        return b.ciphertexts[i].map(function (p) { return pointFrom(p); });
      });
      sums.push([0, 1].map(function (half) {
        return hex(enc(sum(pairs.map(function (pair) { return pair[half]; }))));
      }));
    }
    return sums;
  }

  // D = x_m·A for each sum, with a Chaum–Pedersen proof that log_G X_m = log_A D.
  function partialDecrypt(context, member, share, sums) {
    var q = unhex(context), x = scalarFrom(share), X = enc(mul(x, G)), shares = [], proofs = [];
    sums.forEach(function (pair, i) {
      var A = pointFrom(pair[0]), D = mul(x, A), w = randomScalar();
      var c = Hs("thidua/v1/partial", q, u32(member), u32(i), X, enc(A), enc(D), enc(mul(w, G)),
        enc(mul(w, A)));
      shares.push(hex(enc(D)));
      proofs.push(proofJson(c, w + c * x));
    });
    return { member: member, shares: shares, proofs: proofs };
  }

  // λ_m = Π_{o ≠ m} o·(o − m)⁻¹ mod ℓ.
  function lagrange(member, present) {
    var weight = 1n;
    present.forEach(function (other) {
      if (other !== member) {
        weight = mod(weight * BigInt(other) * Point.Fn.inv(mod(BigInt(other - member))));
      }
    });
    return scalarHex(weight);
  }

  root.thiduaBallotCrypto = {
    PROTOCOL: PROTOCOL, L: L, Invalid: Invalid,
    H: H, Hs: Hs, u32: u32, scalarFrom: scalarFrom, pointFrom: pointFrom, randomScalar: randomScalar,
    encrypt: function (key, message, nonce) {
      var pair = encryptWith(pointFrom(key), message, scalarFrom(nonce));
      return [hex(enc(pair[0])), hex(enc(pair[1]))];
    },
    choiceForm: choiceForm, approvalForm: approvalForm, formValid: formValid, choiceBits: choiceBits,
    formBytes: function (form) { return hex(formBytes(form)); },
    pollContext: pollContext, encryptBallot: encryptBallot, verifyBallot: verifyBallot,
    scoreForm: scoreForm, scoreFormBytes: function (form) { return hex(scoreFormBytes(form)); },
    scorePollContext: scorePollContext, scoreBits: scoreBits, outputSums: outputSums,
    proveOwnUnit: proveOwnUnit,
    tracker: tracker, shownTracker: shownTracker, spoil: spoil,
    ceremonyContext: ceremonyContext, newMember: newMember, checkAnnouncement: checkAnnouncement,
    memberFingerprint: memberFingerprint, keyFingerprint: keyFingerprint, jointKey: jointKey,
    verificationKey: verificationKey, shareFor: shareFor, openShare: openShare, complain: complain,
    keyShare: keyShare, sealBackup: sealBackup, openBackup: openBackup, combine: combine,
    partialDecrypt: partialDecrypt, lagrange: lagrange
  };
})(globalThis);
