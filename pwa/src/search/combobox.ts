// The behaviour of a search field with suggestions (the ARIA 1.2 combobox
// pattern with a listbox popup), shared by the app's search field and the
// <schalter-search> widget; each renders its own markup:
//
//   - typing fetches options after a short pause (debounced); an answer to
//     an older text is discarded (AbortController and a sequence number);
//   - ArrowDown / ArrowUp open the list and move the active option (shown by
//     aria-activedescendant; the focus stays in the field), wrapping around;
//   - Enter chooses the active option, or submits the text when none is active;
//   - Escape closes the list, or clears the field when it is closed;
//   - the host announces the number of options in a live region (announcement).
import type { ReactiveController, ReactiveControllerHost } from "lit";

export interface ComboboxConfig<T> {
  /** Options for the text (already trimmed, at least minLength characters). */
  fetch(text: string, signal: AbortSignal): Promise<T[]>;
  /** An option was chosen (Enter on the active option, or a click). */
  choose(option: T, index: number): void;
  /** Enter with no active option. */
  submit(text: string): void;
  /** The live region's text for the options shown (e.g. "5 suggestions"). */
  describe(options: readonly T[], text: string): string;
  /** Called with errors of fetch (other than aborts); options are then empty. */
  failed?(error: unknown): void;
  debounceMs?: number;
  minLength?: number;
}

export class Combobox<T> implements ReactiveController {
  value = "";
  options: T[] = [];
  /** Index of the active option, -1 for none. */
  active = -1;
  expanded = false;
  loading = false;
  /** Text of the live region; cleared and set again so a repeated text is announced again. */
  announcement = "";
  private timer: ReturnType<typeof setTimeout> | undefined;
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private abort: AbortController | null = null;
  private seq = 0;
  /** The text the current options answer. */
  private answered = "";

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly config: ComboboxConfig<T>,
  ) {
    host.addController(this);
  }

  get minLength(): number {
    return this.config.minLength ?? 2;
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
    clearTimeout(this.announceTimer);
    this.abort?.abort();
  }

  /** The id-independent state of the active option. */
  get activeOption(): T | undefined {
    return this.active >= 0 ? this.options[this.active] : undefined;
  }

  /** Sets the text without fetching (e.g. from the URL). */
  setValue(value: string): void {
    this.value = value;
    this.close();
  }

  /** The field's input event. */
  input(value: string): void {
    this.value = value;
    this.active = -1;
    clearTimeout(this.timer);
    const text = value.trim();
    if (Array.from(text).length < this.minLength) {
      this.cancel();
      this.options = [];
      this.answered = "";
      this.close();
      this.announce("");
      return;
    }
    this.timer = setTimeout(() => void this.load(text), this.config.debounceMs ?? 150);
    this.host.requestUpdate();
  }

  private cancel(): void {
    this.seq++;
    this.abort?.abort();
    this.abort = null;
    this.loading = false;
  }

  /** Fetches the options for `text` now. */
  async load(text: string): Promise<void> {
    this.cancel();
    const seq = this.seq;
    const abort = new AbortController();
    this.abort = abort;
    this.loading = true;
    this.host.requestUpdate();
    let options: T[];
    try {
      options = await this.config.fetch(text, abort.signal);
    } catch (e) {
      if (seq !== this.seq || (e instanceof DOMException && e.name === "AbortError")) return;
      this.config.failed?.(e);
      options = [];
    }
    if (seq !== this.seq) return; // an answer to an older text
    this.loading = false;
    this.abort = null;
    this.options = options;
    this.answered = text;
    this.active = -1;
    this.expanded = options.length > 0;
    this.announce(this.config.describe(options, text));
    this.host.requestUpdate();
  }

  private announce(text: string): void {
    clearTimeout(this.announceTimer);
    this.announcement = "";
    this.host.requestUpdate();
    if (text) {
      this.announceTimer = setTimeout(() => {
        this.announcement = text;
        this.host.requestUpdate();
      }, 100);
    }
  }

  open(): void {
    if (this.options.length > 0 && this.answered === this.value.trim()) {
      this.expanded = true;
      this.host.requestUpdate();
    }
  }

  close(): void {
    if (this.expanded || this.active !== -1) {
      this.expanded = false;
      this.active = -1;
      this.host.requestUpdate();
    }
  }

  choose(index: number): void {
    const option = this.options[index];
    if (option === undefined) return;
    this.close();
    this.config.choose(option, index);
  }

  /** The field's keydown event. */
  keydown(event: KeyboardEvent): void {
    if (event.isComposing) return;
    const n = this.options.length;
    switch (event.key) {
      case "ArrowDown":
      case "Down":
        event.preventDefault();
        if (!this.expanded) {
          if (n > 0 && this.answered === this.value.trim()) {
            this.expanded = true;
            this.active = event.altKey ? -1 : 0;
          } else if (Array.from(this.value.trim()).length >= this.minLength) {
            clearTimeout(this.timer);
            void this.load(this.value.trim()).then(() => {
              if (this.options.length > 0 && !event.altKey) this.active = 0;
              this.host.requestUpdate();
            });
          }
        } else if (!event.altKey) this.active = n === 0 ? -1 : (this.active + 1) % n;
        this.host.requestUpdate();
        break;
      case "ArrowUp":
      case "Up":
        event.preventDefault();
        if (!this.expanded) {
          if (n > 0 && this.answered === this.value.trim()) {
            this.expanded = true;
            this.active = n - 1;
          }
        } else this.active = this.active <= 0 ? n - 1 : this.active - 1;
        this.host.requestUpdate();
        break;
      case "Enter":
        event.preventDefault();
        if (this.expanded && this.active >= 0) this.choose(this.active);
        else {
          clearTimeout(this.timer);
          this.cancel();
          this.close();
          this.config.submit(this.value.trim());
        }
        break;
      case "Escape":
      case "Esc":
        if (this.expanded) {
          event.preventDefault();
          this.close();
        } else if (this.value) {
          event.preventDefault();
          this.input("");
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  }
}
