// Mein Konto: the account operations of the API, through the typed client.
// Unlike the catalogue these need the network: a network failure is an
// OfflineError (the pages say so), an answer other than 2xx an ApiError
// carrying the problem. Nothing here is cached, here or in the service worker.
import { api, apiUrl, credentials } from "../api/client.ts";
import type {
  AccessLog,
  Consent,
  Device,
  LinkedEID,
  Me,
  Passkey,
  Problem,
  Profile,
  ProfileOut,
  RecoveryCodes,
  ServiceAccess,
  SMSSent,
  StepUpProblem,
  TOTPSetup,
} from "../api/types.ts";
import { createCredential, getCredential } from "../lib/webauthn.ts";
import { asStepUp } from "../lib/account-input.ts";
import { ApiError, OfflineError } from "./repository.ts";

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export async function call<T>(request: () => Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await request();
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new OfflineError();
  }
  if (!answer.response.ok) {
    const retry = Number(answer.response.headers.get("Retry-After"));
    throw new ApiError(answer.response.status, answer.error as Problem | undefined, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return answer.data as T;
}

export const init = { credentials, cache: "no-store" as RequestCache };

/** The logged-in person, or null without a session. */
export async function getMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    return await call(() => api.GET("/api/v1/me", { ...init, signal }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function register(email: string, password: string): Promise<void> {
  await call(() => api.POST("/api/v1/accounts", { ...init, body: { email, password } }));
}

export async function verifyEmail(token: string): Promise<void> {
  await call(() => api.POST("/api/v1/accounts/verify", { ...init, body: { token } }));
}

/** The second factors a login waits for ("otp", "sms"), when the password was right. */
export interface SecondFactorDue {
  due: string[];
}

/** A password login: the session, or the second factors to choose from. */
export async function login(email: string, password: string): Promise<Me | SecondFactorDue> {
  try {
    return await call(() => api.POST("/api/v1/session", { ...init, body: { email, password } }));
  } catch (e) {
    // The API says "second factor required" as a 401 naming the field to
    // send next; its value lists the account's factors.
    const due = e instanceof ApiError && e.status === 401 ? e.problem?.errors?.find((d) => d.location === "body.code") : undefined;
    if (due) return { due: Array.isArray(due.value) ? due.value.filter((m): m is string => typeof m === "string") : [] };
    throw e;
  }
}

export function loginSecondFactor(code: string): Promise<Me> {
  return call(() => api.POST("/api/v1/session/second-factor", { ...init, body: { code } }));
}

export async function logout(): Promise<void> {
  await call(() => api.DELETE("/api/v1/session", init));
}

/** Mails a confirmation link to a new address (the account keeps its address until it is used). */
export async function changeEmail(email: string): Promise<void> {
  await call(() => api.POST("/api/v1/me/email", { ...init, body: { email } }));
}

export async function confirmEmailChange(token: string): Promise<void> {
  await call(() => api.POST("/api/v1/accounts/email-change/confirm", { ...init, body: { token } }));
}

export async function requestPasswordReset(email: string): Promise<void> {
  await call(() => api.POST("/api/v1/accounts/password-reset", { ...init, body: { email } }));
}

export async function resetPassword(token: string, password: string): Promise<void> {
  await call(() => api.POST("/api/v1/accounts/password-reset/confirm", { ...init, body: { token, password } }));
}

export function beginTOTP(): Promise<TOTPSetup> {
  return call(() => api.POST("/api/v1/me/totp", init));
}

export function confirmTOTP(code: string): Promise<RecoveryCodes> {
  return call(() => api.POST("/api/v1/me/totp/confirm", { ...init, body: { code } }));
}

/** Replaces the recovery codes with ten new ones (needs a recent two-factor login). */
export function newRecoveryCodes(): Promise<RecoveryCodes> {
  return call(() => api.POST("/api/v1/me/recovery-codes", init));
}

/** Raises the session with a code from the authenticator app (or a recovery code). */
export function stepUpWithCode(code: string): Promise<Me> {
  return call(() => api.POST("/api/v1/me/step-up", { ...init, body: { code } }));
}

export async function listSessions(signal?: AbortSignal): Promise<Device[]> {
  const list = await call(() => api.GET("/api/v1/me/sessions", { ...init, signal }));
  return list.items ?? [];
}

export async function endSession(id: string): Promise<void> {
  await call(() => api.DELETE("/api/v1/me/sessions/{id}", { ...init, params: { path: { id } } }));
}

/** Everything stored about the account as a file to save (the server's own bytes): JSON, or a readable HTML document. */
export function exportFile(format: "json" | "html"): Promise<Blob> {
  return call(() => api.GET("/api/v1/me/export", { ...init, params: { query: { format } }, parseAs: "blob" })) as Promise<Blob>;
}

export async function deleteAccount(): Promise<void> {
  await call(() => api.DELETE("/api/v1/me", init));
}

/** Whether the session may start a service online (a StepUpProblem in an ApiError when not). */
export function checkServiceAccess(slug: string): Promise<ServiceAccess> {
  return call(() => api.GET("/api/v1/me/services/{slug}/access", { ...init, params: { path: { slug } } }));
}

/** The step-up problem in an error, if it is one. */
export function stepUpProblem(e: unknown): StepUpProblem | null {
  return e instanceof ApiError ? asStepUp(e.status, e.problem) : null;
}

// --- Passkeys ---------------------------------------------------------------
// Each ceremony is two requests around the browser's own dialog: the
// server's options (kept in the session for one answer within 5 minutes),
// navigator.credentials, then the browser's answer as JSON.

export async function listPasskeys(signal?: AbortSignal): Promise<Passkey[]> {
  return (await call(() => api.GET("/api/v1/me/passkeys", { ...init, signal }))).items ?? [];
}

/** Adds a passkey of this device (needs a login in the last 15 minutes: a step-up problem otherwise). */
export async function addPasskey(name: string): Promise<Passkey> {
  const options = await call(() => api.POST("/api/v1/me/passkeys/options", init));
  const credential = await createCredential(options);
  return call(() => api.POST("/api/v1/me/passkeys", { ...init, body: { credential, name } }));
}

export async function renamePasskey(id: string, name: string): Promise<void> {
  await call(() => api.PATCH("/api/v1/me/passkeys/{id}", { ...init, params: { path: { id } }, body: { name } }));
}

export async function removePasskey(id: string): Promise<void> {
  await call(() => api.DELETE("/api/v1/me/passkeys/{id}", { ...init, params: { path: { id } } }));
}

/**
 * Logs in with a passkey the browser offers (no address asked: discoverable
 * credentials). With a session of the same account this is a step-up.
 */
export async function loginWithPasskey(): Promise<Me> {
  const options = await call(() => api.POST("/api/v1/session/passkey/options", init));
  const credential = await getCredential(options);
  return call(() => api.POST("/api/v1/session/passkey", { ...init, body: { credential } }));
}

/** Opens an account with an e-mail address and a passkey; the verification link follows by mail. */
export async function registerWithPasskey(email: string, name: string): Promise<void> {
  const options = await call(() => api.POST("/api/v1/accounts/passkey/options", { ...init, body: { email } }));
  const credential = await createCredential(options);
  await call(() => api.POST("/api/v1/accounts/passkey", { ...init, body: { credential, name } }));
}

// --- Codes by SMS -------------------------------------------------------------

/** Sends a code to a new number; confirmSMS with it switches SMS codes on. */
export function beginSMS(phone: string): Promise<SMSSent> {
  return call(() => api.POST("/api/v1/me/sms", { ...init, body: { phone } }));
}

/** Confirms the number; the session steps up (a second factor was proven). */
export function confirmSMS(code: string): Promise<Me> {
  return call(() => api.POST("/api/v1/me/sms/confirm", { ...init, body: { code } }));
}

export async function removeSMS(): Promise<void> {
  await call(() => api.DELETE("/api/v1/me/sms", init));
}

/** After a correct password: a code to the account's number, for loginSecondFactor. */
export function sendLoginSMS(): Promise<SMSSent> {
  return call(() => api.POST("/api/v1/session/second-factor/sms", init));
}

/** A code to the account's number, for stepUpWithCode. */
export function sendStepUpSMS(): Promise<SMSSent> {
  return call(() => api.POST("/api/v1/me/step-up/sms", init));
}

// --- The state eID ------------------------------------------------------------

/**
 * Leaves the app for the eID provider (a navigation, not a fetch: the
 * provider shows its own pages). Without a session it logs in; with one it
 * links the identity and raises the session. The server comes back to
 * returnTo, or on failure to the login page with ?fehler=CODE.
 */
export function startEID(returnTo: string, level?: string): void {
  const params = new URLSearchParams({ return_to: returnTo });
  if (level) params.set("level", level);
  location.assign(apiUrl(`/api/v1/session/eid?${params}`));
}

export async function listEIDs(signal?: AbortSignal): Promise<LinkedEID[]> {
  return (await call(() => api.GET("/api/v1/me/eid", { ...init, signal }))).items ?? [];
}

export async function unlinkEID(id: string): Promise<void> {
  await call(() => api.DELETE("/api/v1/me/eid/{id}", { ...init, params: { path: { id } } }));
}

// --- Profile, consents, transparency log ------------------------------------

export function getProfile(signal?: AbortSignal): Promise<ProfileOut> {
  return call(() => api.GET("/api/v1/me/profile", { ...init, signal }));
}

/** Replaces the whole profile: fields left out are removed. */
export function saveProfile(profile: Profile): Promise<ProfileOut> {
  return call(() => api.PUT("/api/v1/me/profile", { ...init, body: profile }));
}

export async function listConsents(signal?: AbortSignal): Promise<Consent[]> {
  return (await call(() => api.GET("/api/v1/me/consents", { ...init, signal }))).items ?? [];
}

export async function revokeConsent(slug: string): Promise<void> {
  await call(() => api.DELETE("/api/v1/me/consents/{slug}", { ...init, params: { path: { slug } } }));
}

/** A page of the transparency log, newest first; before: next_before of the previous page. */
export function accessLog(before?: number, signal?: AbortSignal): Promise<AccessLog> {
  return call(() => api.GET("/api/v1/me/transparency", { ...init, params: { query: before ? { before } : {} }, signal }));
}
