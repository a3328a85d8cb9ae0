// The people around a patient, in the real app (WebKit under Xvfb): a team
// without the patient's consent to share is marked on Today and on the
// record; the nurse records the consent (date, who gave it, who obtained
// it, what it covers) and the marks go; the CLI reads the same consent.
// A nurse's second laptop joins her teams from a code her first shows, and
// the first takes it off every team again (a lost laptop).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import {
  CLI_PASSPHRASE,
  cli,
  click,
  close,
  freePort,
  openApp,
  screenshot,
  startRelay,
  stopAll,
  tmp,
  type,
  unlock,
  waitText,
} from "./harness.mjs";

const root = tmp("people");
const home = path.join(root, "home");
const homeB = path.join(root, "second-laptop");
let team, relay;

before(async () => {
  relay = await startRelay(path.join(root, "relay"), await freePort());
  cli(home, "init", "--name", "佐藤 花子", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  cli(home, "relay", "set", relay.url, "--fingerprint", relay.fingerprint);
  team = cli(home, "team", "create", "--patient", "山田 太郎", "--kana", "ヤマダ タロウ");
  cli(home, "sync");
  // A new laptop: any name at first; it becomes hers.
  cli(homeB, "init", "--name", "新しい端末", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
});

after(() => stopAll());

test("a team without consent is marked; the nurse records the consent and the marks go", async () => {
  const app = await openApp(home);
  try {
    await unlock(app, CLI_PASSPHRASE);
    await (await app.$(".consent-missing")).waitForDisplayed({ timeout: 15000 });
    await click(app, ".open-btn");
    await waitText(app, "#consent-state", "同意未記録");
    await click(app, "#consent-open");
    await type(app, "#consent-date", "2026-11-10");
    await type(app, "#consent-obtained-by", "高橋 由美");
    await click(app, "#consent-scope-family");
    await screenshot(app, "45-consent-form");
    await click(app, "#consent-save");
    await waitText(app, "#consent-state", "高橋 由美");
    assert.equal(await (await app.$("#consent-state")).getAttribute("data-state"), "given");
    await waitText(app, "#consent-state", "家族と共有");
    await click(app, "#nav-today");
    await (await app.$(".open-btn")).waitForDisplayed({ timeout: 15000 });
    assert.equal(await (await app.$(".consent-missing")).isExisting(), false);
  } finally {
    await close(app);
  }
  const shown = JSON.parse(cli(home, "--json", "consent", team));
  const consent = shown.consents[shown.current];
  assert.equal(consent.given_on, "2026-11-10");
  assert.equal(consent.given_by, "本人");
  assert.deepEqual(consent.scope, ["team", "family"]);
});

test("her second laptop joins her teams with a code from the first; the first takes it off every team", async () => {
  const a = await openApp(home);
  const b = await openApp(homeB);
  try {
    await unlock(a, CLI_PASSPHRASE);
    await click(a, "#nav-settings");
    await (await a.$("#my-devices .my-device")).waitForDisplayed({ timeout: 15000 });
    await click(a, "#device-add");
    await a.waitUntil(async () => (await (await a.$("#device-code")).getValue()).startsWith("tsunagi-device1."), {
      timeout: 30000,
      timeoutMsg: "no device code shown",
    });
    await screenshot(a, "47-device-code");
    const code = await (await a.$("#device-code")).getValue();

    await unlock(b, CLI_PASSPHRASE);
    await click(b, "#join-team");
    await type(b, "#join-code", code);
    await click(b, "#join");
    await waitText(b, "#join-status", "佐藤 花子 さんの端末として 1 チーム", 30000);
    await screenshot(b, "48-device-joined");
    await click(b, "#join-status button");
    await waitText(b, "#today", "山田 太郎", 30000);
    await click(b, "#nav-settings");
    await waitText(b, "#settings", "佐藤 花子");
    await b.waitUntil(async () => (await b.$$("#my-devices .my-device")).length === 2, {
      timeout: 15000,
      timeoutMsg: "the second laptop does not list both",
    });

    // The first laptop lists both, and takes the second off every team.
    // (The list is read when the screen opens: open it again until the
    // roster with her new laptop has arrived here.)
    await a.waitUntil(
      async () => {
        await click(a, "#nav-today");
        await click(a, "#nav-settings");
        await (await a.$("#my-devices .my-device")).waitForDisplayed({ timeout: 5000 });
        return (await a.$$("#my-devices .my-device")).length === 2;
      },
      {
      timeout: 30000,
      timeoutMsg: "the first laptop does not list the second",
      },
    );
    await click(a, '#my-devices .my-device[data-this="false"] .device-remove');
    await click(a, "#device-remove-confirm");
    await waitText(a, "#device-note", "1 チームから外しました", 30000);
  } finally {
    await close(a);
    await close(b);
  }
  const members = JSON.parse(cli(home, "--json", "team", "members", team));
  assert.equal(members.devices.length, 1);
  assert.equal(members.epoch, 1);
});
