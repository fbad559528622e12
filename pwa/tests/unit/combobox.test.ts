// The combobox behaviour shared by the app's search field and the widget.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReactiveControllerHost } from "lit";
import { Combobox } from "../../src/search/combobox.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(fetcher: (text: string, signal: AbortSignal) => Promise<string[]>) {
  const host = { addController() {}, removeController() {}, requestUpdate() {}, updateComplete: Promise.resolve(true) } as unknown as ReactiveControllerHost;
  const chosen: string[] = [];
  const submitted: string[] = [];
  const combo = new Combobox<string>(host, {
    fetch: fetcher,
    choose: (o) => chosen.push(o),
    submit: (t) => submitted.push(t),
    describe: (o) => `${o.length} options`,
    debounceMs: 10,
  });
  const key = (k: string, extra: object = {}) => {
    let prevented = false;
    combo.keydown({ key: k, altKey: false, isComposing: false, preventDefault: () => (prevented = true), ...extra } as unknown as KeyboardEvent);
    return prevented;
  };
  return { combo, chosen, submitted, key };
}

test("typing fetches after a pause; ArrowDown/Up move with wrap-around; Enter chooses; Escape closes, then clears", async () => {
  let calls = 0;
  const { combo, chosen, submitted, key } = setup(async (text) => {
    calls++;
    return [`${text} 1`, `${text} 2`, `${text} 3`];
  });
  combo.input("h");
  await sleep(30);
  assert.equal(calls, 0, "one letter is not enough");
  combo.input("hu");
  combo.input("hun");
  await sleep(30);
  assert.equal(calls, 1, "debounced: one request for the last text");
  assert.equal(combo.expanded, true);
  assert.equal(combo.active, -1, "nothing active until the arrow keys are used");
  await sleep(120);
  assert.equal(combo.announcement, "3 options");
  assert.ok(key("ArrowDown"));
  assert.equal(combo.active, 0);
  key("ArrowUp");
  assert.equal(combo.active, 2, "wraps to the last");
  key("ArrowDown");
  assert.equal(combo.active, 0, "wraps to the first");
  key("ArrowDown");
  key("Enter");
  assert.deepEqual(chosen, ["hun 2"]);
  assert.equal(combo.expanded, false);
  // Enter with nothing active submits the text.
  key("Enter");
  assert.deepEqual(submitted, ["hun"]);
  // Escape: close, then clear.
  key("ArrowDown");
  assert.equal(combo.expanded, true);
  key("Escape");
  assert.equal(combo.expanded, false);
  assert.equal(combo.value, "hun");
  key("Escape");
  assert.equal(combo.value, "");
});

test("an answer to an older text is discarded (and its request aborted)", async () => {
  const aborted: string[] = [];
  const { combo } = setup(
    (text, signal) =>
      new Promise((resolve) => {
        signal.addEventListener("abort", () => aborted.push(text));
        setTimeout(() => resolve([`${text}!`]), text === "slow" ? 80 : 5);
      }),
  );
  void combo.load("slow");
  await sleep(10);
  await combo.load("fast");
  await sleep(100);
  assert.deepEqual(combo.options, ["fast!"], "the slow, older answer did not overwrite the newer one");
  assert.deepEqual(aborted, ["slow"]);
});

test("a failed fetch leaves no options", async () => {
  const { combo } = setup(async () => {
    throw new Error("offline");
  });
  await combo.load("hund");
  assert.deepEqual(combo.options, []);
  assert.equal(combo.expanded, false);
});
