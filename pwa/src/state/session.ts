// Who is logged in, for the header and the account pages. The session
// cookie is HttpOnly, so the app cannot see it; it asks GET /api/v1/me.
// To spare the many visitors who never log in a request (and a 401 in the
// console) on every start, the device remembers only *that* it logged in
// (a flag in localStorage, no personal data); without it the app assumes
// no session until the person logs in. Account pages always ask the server.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { Me } from "../api/types.ts";
import { getMe } from "../data/account.ts";

const HINT_KEY = "schalter.session";

function hinted(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === "1";
  } catch {
    return true; // storage blocked: ask the server
  }
}

function setHint(on: boolean): void {
  try {
    if (on) localStorage.setItem(HINT_KEY, "1");
    else localStorage.removeItem(HINT_KEY);
  } catch {
    /* private mode */
  }
}

class Session extends EventTarget {
  /** The logged-in person, null when not logged in (or not known yet). */
  me: Me | null = null;

  set(me: Me | null): void {
    this.me = me;
    setHint(me !== null);
    this.dispatchEvent(new Event("change"));
  }

  /**
   * A login is under way outside the app (the eID provider's pages): the
   * app asks the server who is logged in when it starts again.
   */
  expect(): void {
    setHint(true);
  }

  /**
   * Asks the server who is logged in. Without force, only when this device
   * logged in before. A network failure throws (OfflineError) and keeps
   * what was known.
   */
  async refresh(force = false, signal?: AbortSignal): Promise<Me | null> {
    if (!force && !hinted()) {
      if (this.me) this.set(null);
      return null;
    }
    const me = await getMe(signal);
    this.set(me);
    return me;
  }
}

export const session = new Session();

/** Re-renders a Lit host when the session changes. */
export class SessionController implements ReactiveController {
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  private readonly onChange = () => this.host.requestUpdate();
  hostConnected(): void {
    session.addEventListener("change", this.onChange);
  }
  hostDisconnected(): void {
    session.removeEventListener("change", this.onChange);
  }
}
