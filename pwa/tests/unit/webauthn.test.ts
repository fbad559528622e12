import assert from "node:assert/strict";
import { test } from "node:test";
import { creationOptions, credentialJSON, fromBase64url, passkeyFailure, requestOptions, toBase64url, type CredentialLike } from "../../src/lib/webauthn.ts";
import type { PasskeyCreationOptions, PasskeyRequestOptions } from "../../src/api/types.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

test("base64url both ways, with and without padding, including the URL-safe characters", () => {
  const all = new Uint8Array(256).map((_, i) => i);
  assert.deepEqual(fromBase64url(toBase64url(all)), all);
  assert.equal(toBase64url(bytes(0xfb, 0xff)), "-_8", "- and _ instead of + and /, no padding");
  assert.deepEqual(fromBase64url("-_8"), bytes(0xfb, 0xff));
  assert.deepEqual(fromBase64url("-_8="), bytes(0xfb, 0xff), "padding is accepted");
  assert.equal(toBase64url(new Uint8Array(0)), "");
  for (let n = 0; n < 8; n++) {
    const b = new Uint8Array(n).map((_, i) => i * 37);
    assert.deepEqual(fromBase64url(toBase64url(b)), b, `${n} bytes`);
  }
  // A view into a larger buffer is encoded as the view, not the whole buffer.
  const view = new Uint8Array(bytes(1, 2, 3, 4).buffer, 1, 2);
  assert.equal(toBase64url(view), toBase64url(bytes(2, 3)));
});

test("the server's creation options become what navigator.credentials.create wants", () => {
  const json: PasskeyCreationOptions = {
    rp: { id: "schalter.uster.ch", name: "Stadt Uster" },
    user: { id: "AAEC", name: "anna@example.ch", displayName: "anna@example.ch" },
    challenge: "3q2-7w",
    pubKeyCredParams: [{ type: "public-key", alg: -7 }, { type: "public-key", alg: -257 }],
    timeout: 300000,
    excludeCredentials: [{ type: "public-key", id: "_w", transports: ["internal"] }],
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
    attestation: "none",
  };
  const o = creationOptions(json);
  assert.deepEqual(new Uint8Array(o.user.id as Uint8Array), bytes(0, 1, 2));
  assert.deepEqual(new Uint8Array(o.challenge as Uint8Array), bytes(0xde, 0xad, 0xbe, 0xef));
  assert.deepEqual(new Uint8Array(o.excludeCredentials![0]!.id as Uint8Array), bytes(0xff));
  assert.deepEqual(o.excludeCredentials![0]!.transports, ["internal"]);
  assert.deepEqual(o.pubKeyCredParams.map((p) => p.alg), [-7, -257]);
  assert.equal(o.rp.id, "schalter.uster.ch");
  assert.equal(o.authenticatorSelection?.residentKey, "required");
  assert.equal(o.attestation, "none");
});

test("the server's request options become what navigator.credentials.get wants", () => {
  const json: PasskeyRequestOptions = { challenge: "3q2-7w", timeout: 60000, rpId: "localhost", allowCredentials: [], userVerification: "required" };
  const o = requestOptions(json);
  assert.deepEqual(new Uint8Array(o.challenge as Uint8Array), bytes(0xde, 0xad, 0xbe, 0xef));
  assert.equal(o.rpId, "localhost");
  assert.deepEqual(o.allowCredentials, [], "discoverable credentials: the browser offers what it holds");
  assert.equal(o.userVerification, "required");
});

test("the browser's answers are sent as the JSON of PublicKeyCredential.toJSON()", () => {
  const buf = (...b: number[]) => bytes(...b).buffer;
  const created: CredentialLike = {
    id: "AQI",
    rawId: buf(1, 2),
    type: "public-key",
    authenticatorAttachment: "platform",
    response: { clientDataJSON: buf(123, 125), attestationObject: buf(0xa0), getTransports: () => ["internal", "hybrid"] } as unknown as AuthenticatorResponse,
    getClientExtensionResults: () => ({ credProps: { rk: true } }),
  };
  assert.deepEqual(credentialJSON(created), {
    id: "AQI",
    rawId: "AQI",
    type: "public-key",
    authenticatorAttachment: "platform",
    response: { clientDataJSON: "e30", attestationObject: "oA", transports: ["internal", "hybrid"] },
    clientExtensionResults: { credProps: { rk: true } },
  });
  const asserted: CredentialLike = {
    id: "AQI",
    rawId: buf(1, 2),
    type: "public-key",
    authenticatorAttachment: null,
    response: { clientDataJSON: buf(123, 125), authenticatorData: buf(9), signature: buf(0xfb, 0xff), userHandle: buf(7) } as unknown as AuthenticatorResponse,
    getClientExtensionResults: () => ({}),
  };
  assert.deepEqual(credentialJSON(asserted), {
    id: "AQI",
    rawId: "AQI",
    type: "public-key",
    authenticatorAttachment: undefined,
    response: { clientDataJSON: "e30", authenticatorData: "CQ", signature: "-_8", userHandle: "Bw" },
    clientExtensionResults: {},
  });
});

test("the browser's errors are told apart: cancelled, already there, unsupported", () => {
  assert.equal(passkeyFailure(new DOMException("x", "NotAllowedError")), "cancelled");
  assert.equal(passkeyFailure(new DOMException("x", "InvalidStateError")), "exists");
  assert.equal(passkeyFailure(new DOMException("x", "SecurityError")), "unsupported");
  assert.equal(passkeyFailure(new DOMException("x", "UnknownError")), "failed");
  assert.equal(passkeyFailure(new DOMException("x", "AbortError")), null, "an abort is the page's own doing");
  assert.equal(passkeyFailure(new TypeError("network")), null, "not the browser's passkey dialog");
  assert.equal(passkeyFailure("text"), null);
});
