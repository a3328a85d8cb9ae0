// The people around a patient, in the real app (WebKit under Xvfb): a team
// without the patient's consent to share is marked on Today and on the
// record; the nurse records the consent (date, who gave it, who obtained
// it, what it covers) and the marks go; the CLI reads the same consent.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { CLI_PASSPHRASE, cli, click, close, openApp, screenshot, stopAll, tmp, type, unlock, waitText } from "./harness.mjs";

const home = path.join(tmp("people"), "home");
let team;

before(() => {
  cli(home, "init", "--name", "佐藤 花子", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  team = cli(home, "team", "create", "--patient", "山田 太郎", "--kana", "ヤマダ タロウ");
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
