// Relays on PostgreSQL, in the real app: two relay processes in front of one
// throwaway PostgreSQL, with one certificate. The administrator lists the
// second relay in Settings; when the first relay is killed the app moves to
// the second by itself and a visit saved then reaches the relays; a laptop
// invited afterwards joins through whichever relay answers (the code carries
// both addresses).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Key } from "webdriverio";
import {
  CLI_PASSPHRASE,
  cli,
  click,
  close,
  freePort,
  openApp,
  screenshot,
  startPostgres,
  startStoreRelay,
  stopAll,
  tmp,
  type,
  unlock,
  waitText,
  writeResults,
} from "./harness.mjs";

let first, second, teamId;
const homeA = path.join(tmp("relays-a"), "home");
const homeB = path.join(tmp("relays-b"), "home");
const figures = {};

before(async () => {
  const store = await startPostgres();
  const firstData = tmp("relays-1");
  first = await startStoreRelay(firstData, await freePort(), store);
  second = await startStoreRelay(tmp("relays-2"), await freePort(), store, {
    cert: path.join(firstData, "relay-cert.pem"),
    key: path.join(firstData, "relay-key.pem"),
  });
  assert.equal(second.fingerprint, first.fingerprint, "one certificate for both relays");
  cli(homeA, "init", "--name", "佐藤 花子", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  cli(homeA, "relay", "set", first.url, "--fingerprint", first.fingerprint);
  teamId = cli(homeA, "team", "create", "--patient", "木村 一郎");
  cli(homeA, "sync", "--once");
});

after(() => {
  writeResults("relays", figures);
  stopAll();
});

test("two relays of one store: the app moves to the second when the first dies, and nothing is lost", async () => {
  const app = await openApp(homeA);
  try {
    await unlock(app, CLI_PASSPHRASE);
    await click(app, "#nav-settings");
    assert.equal(await (await app.$("#relay-url")).getValue(), first.url, "Settings shows the relay in use");
    // The second address on a line of its own, as the administrator types it.
    await (await app.$("#relay-url")).click();
    await app.keys([Key.End, Key.Enter]);
    await (await app.$("#relay-url")).addValue(second.url);
    await type(app, "#relay-fingerprint", first.fingerprint);
    await click(app, "#save-relay");
    await waitText(app, "#relay-status", "保存しました");
    await waitText(app, "#relay-in-use", first.url, 20000);
    await screenshot(app, "60-relays-two");

    // The first relay dies: the app finds the second by itself.
    first.proc.kill("SIGKILL");
    const killed = Date.now();
    await waitText(app, "#relay-in-use", second.url, 30000);
    await app.waitUntil(async () => (await (await app.$("#sync-state")).getAttribute("data-online")) === "true", {
      timeout: 30000,
      timeoutMsg: "the app did not come back online on the second relay",
    });
    figures.app_moved_ms = Date.now() - killed;
    await screenshot(app, "61-relays-moved");

    // A visit saved now reaches the relays.
    await click(app, "#nav-today");
    await (await app.$(".open-btn")).waitForClickable({ timeout: 20000 });
    await (await app.$(".open-btn")).click();
    await click(app, "button=訪問を記録");
    await type(app, "#v-note", "E2E-RELAYS 中継サーバー切替後の記録。");
    await click(app, "#save-visit");
    await waitText(app, "#save-status", "この端末に保存しました");
    await app.waitUntil(async () => (await (await app.$("#save-status")).getAttribute("data-reached")) === "true", {
      timeout: 30000,
      timeoutMsg: "the visit did not reach the second relay",
    });
    await click(app, "#open-sync");
    await waitText(app, "#sync-relay", second.url);
  } finally {
    await close(app);
  }
  // An invite made now carries both addresses: the new laptop tries the
  // dead first relay, moves to the second and reads the visit.
  const code = cli(homeA, "invite", teamId).split("\n").pop();
  cli(homeB, "init", "--name", "田中 一郎", "--profession", "doctor", "--org", "なかの在宅クリニック", "--no-keychain");
  cli(homeB, "join", code);
  assert.match(cli(homeB, "relay", "show"), new RegExp(`${second.url.replace(/[.]/g, "\\.")}\\s+← 使用中`));
  assert.match(cli(homeB, "show", teamId), /E2E-RELAYS/);
});
