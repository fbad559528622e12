// Mein Konto: the account operations of the API, through the typed client.
// Unlike the catalogue these need the network: a network failure is an
// OfflineError (the pages say so), an answer other than 2xx an ApiError
// carrying the problem. Nothing here is cached, here or in the service worker.
import { api, credentials } from "../api/client.ts";
import type { Device, Me, Problem, RecoveryCodes, ServiceAccess, StepUpProblem, TOTPSetup } from "../api/types.ts";
import { asStepUp } from "../lib/account-input.ts";
import { ApiError, OfflineError } from "./repository.ts";

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

async function call<T>(request: () => Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await request();
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new OfflineError();
  }
  if (!answer.response.ok) throw new ApiError(answer.response.status, answer.error as Problem | undefined);
  return answer.data as T;
}

const init = { credentials, cache: "no-store" as RequestCache };

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
