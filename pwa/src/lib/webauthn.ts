// WebAuthn between the API's JSON and the browser. The server sends the
// options as JSON with base64url strings where the browser wants
// ArrayBuffers (challenge, user id, credential ids), and wants the
// browser's answer back as JSON (PublicKeyCredential.toJSON()). Newer
// browsers convert by themselves (parseCreationOptionsFromJSON, toJSON);
// this does it by hand so passkeys also work in browsers without those.
// The conversions are pure and run under Node for the unit tests.
import type { PasskeyCreationOptions, PasskeyRequestOptions } from "../api/types.ts";

/** base64url (with or without padding) → bytes. */
export function fromBase64url(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes → base64url without padding, as WebAuthn's JSON forms use it. */
export function toBase64url(data: ArrayBuffer | ArrayBufferView): string {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function descriptor(d: { type: string; id: string; transports?: string[] }): PublicKeyCredentialDescriptor {
  return { type: "public-key", id: fromBase64url(d.id), transports: d.transports as AuthenticatorTransport[] | undefined };
}

/** The server's creation options as navigator.credentials.create wants them. */
export function creationOptions(o: PasskeyCreationOptions): PublicKeyCredentialCreationOptions {
  return {
    rp: o.rp,
    user: { id: fromBase64url(o.user.id), name: o.user.name, displayName: o.user.displayName },
    challenge: fromBase64url(o.challenge),
    pubKeyCredParams: o.pubKeyCredParams.map((p) => ({ type: "public-key", alg: p.alg })),
    timeout: o.timeout,
    excludeCredentials: (o.excludeCredentials ?? []).map(descriptor),
    authenticatorSelection: o.authenticatorSelection,
    attestation: o.attestation,
  };
}

/** The server's request options as navigator.credentials.get wants them. */
export function requestOptions(o: PasskeyRequestOptions): PublicKeyCredentialRequestOptions {
  return {
    challenge: fromBase64url(o.challenge),
    timeout: o.timeout,
    rpId: o.rpId,
    allowCredentials: (o.allowCredentials ?? []).map(descriptor),
    userVerification: o.userVerification,
  };
}

/** The parts of a PublicKeyCredential the JSON form needs (a structural type, so tests can build one). */
export interface CredentialLike {
  id: string;
  rawId: ArrayBuffer;
  type: string;
  authenticatorAttachment?: string | null;
  response: AuthenticatorResponse;
  getClientExtensionResults(): AuthenticationExtensionsClientOutputs;
}

/**
 * The browser's answer as JSON (the shape of PublicKeyCredential.toJSON()):
 * every buffer as base64url; for a new passkey also its transports.
 */
export function credentialJSON(c: CredentialLike): Record<string, unknown> {
  const r = c.response as AuthenticatorResponse & Partial<AuthenticatorAttestationResponse & AuthenticatorAssertionResponse>;
  const response: Record<string, unknown> = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  }
  if (r.authenticatorData) response.authenticatorData = toBase64url(r.authenticatorData);
  if (r.signature) response.signature = toBase64url(r.signature);
  if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  return {
    id: c.id,
    rawId: toBase64url(c.rawId),
    type: c.type,
    authenticatorAttachment: c.authenticatorAttachment ?? undefined,
    response,
    clientExtensionResults: c.getClientExtensionResults(),
  };
}

/** Whether this browser can use passkeys at all (a secure context with WebAuthn). */
export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && window.isSecureContext && typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

/** Why a ceremony in the browser failed, in the terms the pages explain. */
export type PasskeyFailure = "cancelled" | "exists" | "unsupported" | "failed";

/**
 * Classifies the browser's error: NotAllowedError is both "cancelled" and
 * "timed out" (browsers do not tell them apart, on purpose); InvalidStateError
 * at creation means this authenticator holds a passkey of the account already.
 */
export function passkeyFailure(e: unknown): PasskeyFailure | null {
  if (!(e instanceof Error) || e.name === "AbortError") return null;
  switch (e.name) {
    case "NotAllowedError":
      return "cancelled";
    case "InvalidStateError":
      return "exists";
    case "NotSupportedError":
    case "SecurityError":
      return "unsupported";
    default:
      return e instanceof DOMException ? "failed" : null;
  }
}

/** Creates a passkey with the browser (its dialog asks for the PIN or biometrics). */
export async function createCredential(o: PasskeyCreationOptions): Promise<Record<string, unknown>> {
  const c = (await navigator.credentials.create({ publicKey: creationOptions(o) })) as PublicKeyCredential | null;
  if (!c) throw new DOMException("no credential", "NotAllowedError");
  return credentialJSON(c);
}

/** Signs the server's challenge with a passkey the browser offers. */
export async function getCredential(o: PasskeyRequestOptions): Promise<Record<string, unknown>> {
  const c = (await navigator.credentials.get({ publicKey: requestOptions(o) })) as PublicKeyCredential | null;
  if (!c) throw new DOMException("no credential", "NotAllowedError");
  return credentialJSON(c);
}
