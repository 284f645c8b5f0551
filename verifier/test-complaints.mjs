#!/usr/bin/env node
// The vectors have no complaint, so this exercises §2's complaint path and §6 step 4 on
// complaints built here from the vectors' member secrets (member 2 complains about the
// share from member 1). Expected verdicts follow from §2 and §6 alone.
//
//   node verifier/test-complaints.mjs [docs/ballot-crypto-vectors.json]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyTranscript, ceremonyPublic, H, Hs, L, G, mul, leInt, scalarBytes } from './verify.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const noble = new Function(fs.readFileSync(
  path.join(HERE, '../src/thidua/web/static/vendor/noble-2.4.0.min.js'), 'utf8') + ';return noble;')();
const { bytesToHex, hexToBytes, randomBytes, xchacha20poly1305 } = noble;

const vectorsFile = process.argv[2] ?? path.join(HERE, '../docs/ballot-crypto-vectors.json');
const vectors = JSON.parse(fs.readFileSync(vectorsFile, 'utf8'));
const { C, members } = ceremonyPublic(vectors.transcript);
const u32 = (n) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const randomScalar = () => leInt(randomBytes(64)) % L || 1n;
const hex = (P) => P.toHex();

const i = 1, j = 2; // j complains about i's share
const zj = leInt(hexToBytes(vectors.member_secrets[j].communication));
const messageIndex = vectors.transcript.ceremony.shares.findIndex((m) => m.from === i && m.to === j);

/** A complaint by j against i about message `msg`, with the §2 proof log_G Zⱼ = log_E S. */
function complaint(msg, upheld) {
  const E = noble.ed25519.Point.fromHex(msg.ephemeral);
  const S = mul(E, zj);
  const Zj = members.get(j).Z;
  const w = randomScalar();
  const c = Hs('thidua/v1/complaint', C, u32(i), u32(j), Zj.toBytes(), E.toBytes(), S.toBytes(),
    mul(G, w).toBytes(), mul(E, w).toBytes());
  const r = (w + c * zj) % L;
  return {
    from: j, against: i, shared: hex(S),
    proof: { challenge: bytesToHex(scalarBytes(c)), response: bytesToHex(scalarBytes(r)) },
    upheld,
  };
}

/** Re-encrypts message i→j to carry `plain` (32 bytes), as member i would (§2 step 2). */
function reencrypt(msg, plain) {
  const E = noble.ed25519.Point.fromHex(msg.ephemeral);
  const S = mul(E, zj);
  const key = H('thidua/v1/share-key', C, u32(i), u32(j), E.toBytes(), S.toBytes()).slice(0, 32);
  const ad = H('thidua/v1/share-ad', C, u32(i), u32(j), E.toBytes());
  const nonce = randomBytes(24);
  return { ...msg, nonce: bytesToHex(nonce), ciphertext: bytesToHex(xchacha20poly1305(key, nonce, ad).encrypt(plain)) };
}

/** A copy of the transcript with message i→j replaced by `msg` and one complaint. */
function withComplaint(msg, cp) {
  const tr = structuredClone(vectors.transcript);
  tr.ceremony.shares[messageIndex] = msg;
  tr.ceremony.complaints = [cp];
  return tr;
}

const where = 'ceremony.complaints[0]';
const good = vectors.transcript.ceremony.shares[messageIndex];
const tampered = { ...good, ciphertext: good.ciphertext.replace(/^../, (b) => (parseInt(b, 16) ^ 1).toString(16).padStart(2, '0')) };
const wrongShare = reencrypt(good, scalarBytes(12345n)); // decrypts, fails sᵢⱼ·G = Σₜ jᵗ·Cᵢ,ₜ
const tooBig = reencrypt(good, scalarBytes(0n).fill(255)); // decrypts, not below ℓ
const badProof = complaint(good, false);
badProof.proof.response = bytesToHex(scalarBytes((leInt(hexToBytes(badProof.proof.response)) + 1n) % L));

const cases = [
  ['unfounded complaint judged unfounded', withComplaint(good, complaint(good, false)), { valid: true }],
  ['unfounded complaint judged upheld', withComplaint(good, complaint(good, true)), { valid: false, code: 'complaint_misjudged', where }],
  ['share that does not decrypt, upheld', withComplaint(tampered, complaint(tampered, true)), { valid: false, code: 'ceremony_failed', where }],
  ['share that does not decrypt, judged unfounded', withComplaint(tampered, complaint(tampered, false)), { valid: false, code: 'complaint_misjudged', where }],
  ['share failing its commitments, upheld', withComplaint(wrongShare, complaint(wrongShare, true)), { valid: false, code: 'ceremony_failed', where }],
  ['share not below ℓ, upheld', withComplaint(tooBig, complaint(tooBig, true)), { valid: false, code: 'ceremony_failed', where }],
  ['complaint proof that does not hold', withComplaint(good, badProof), { valid: false, code: 'bad_complaint_proof', where }],
  ['complaint about a pair without message', withComplaint(good, { ...complaint(good, false), against: j }), { valid: false, code: 'unknown_member', where }],
];

let bad = 0;
for (const [name, tr, expected] of cases) {
  const got = verifyTranscript(tr);
  const agree = JSON.stringify(got) === JSON.stringify(expected);
  if (!agree) bad++;
  console.log(`${agree ? 'ok' : 'MISMATCH'} ${name}${agree ? '' : `: got ${JSON.stringify(got)}`}`);
}
console.log(`${cases.length - bad} ok, ${bad} mismatch`);
process.exitCode = bad ? 1 : 0;
