// A station's day, all in the real app (WebKit under Xvfb) with no CLI
// set-up step: first run, two patients started from Today, the profile and
// ACP edited, contacts reordered with the keyboard, a medication added and
// stopped, a task added, reassigned and its history read, SpO2 scale 2
// switched on, a case closed and found under closed; then a second app
// joins from Today with a code, sees the edits, and a conflicting edit of
// one field is shown in review in words and settled.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { Key } from "webdriverio";
import {
  cli,
  click,
  close,
  freePort,
  openApp,
  passRecoveryKey,
  screenshot,
  select,
  setPassphrase,
  sleep,
  startRelay,
  stopAll,
  tmp,
  type,
  typeNewPassphrase,
  unlock,
  waitText,
} from "./harness.mjs";

const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Tokyo" }).format(new Date());
let relay, relayData, relayPort;
const homeA = path.join(tmp("day-a"), "home");
const homeB = path.join(tmp("day-b"), "home");
const PASSPHRASE = "correct horse battery";
setPassphrase(homeA, PASSPHRASE);
setPassphrase(homeB, PASSPHRASE);

before(async () => {
  relayData = tmp("day-relay");
  relayPort = await freePort();
  relay = await startRelay(relayData, relayPort);
});

after(() => stopAll());

/** The first run of a laptop: who uses it and the passphrase, the
 * recovery key (once), then step 2. */
async function firstRun(app, name, kana, org, shot) {
  await (await app.$("#first-run")).waitForDisplayed({ timeout: 20000 });
  await type(app, "#p-name", name);
  await type(app, "#p-kana", kana);
  await type(app, "#p-org", org);
  await typeNewPassphrase(app, PASSPHRASE);
  await click(app, "#create-profile");
  await passRecoveryKey(app, shot);
  await (await app.$("#first-run-2")).waitForDisplayed({ timeout: 10000 });
}

async function openRecord(app, name) {
  await click(app, "#nav-today");
  const card = await app.$(`//li[contains(@class,"patient-card")][.//strong[text()="${name}"]]`);
  await card.waitForDisplayed({ timeout: 15000 });
  await (await card.$(".open-btn")).click();
  await (await app.$("#record")).waitForDisplayed({ timeout: 15000 });
}

async function visitFlags(app) {
  const el = await app.$("#visit-flags");
  return (await el.isExisting()) ? el.getText() : "";
}

test("a station's day in one app: patients, edits, contacts, medications, tasks, scale 2, closing a case", async () => {
  const app = await openApp(homeA);
  try {
    await firstRun(app, "佐藤 花子", "さとう はなこ", "つばさ訪問看護ステーション", "21-recovery-key");
    // The relay, from the first-run screen (no CLI).
    await type(app, "#fr-relay", relay.url);
    await type(app, "#fr-fingerprint", relay.fingerprint);
    await click(app, "#fr-save-relay");
    await sleep(500);
    // The first patient from the first-run screen, the second from Today.
    await type(app, "#pt-name", "鈴木 正雄");
    await type(app, "#pt-kana", "すずき まさお");
    await type(app, "#pt-born", "昭和15年12月1日");
    await click(app, "#create-team");
    await (await app.$("#record")).waitForDisplayed({ timeout: 15000 });
    await click(app, "#nav-today");
    await click(app, "#add-patient");
    await (await app.$("#start")).waitForDisplayed();
    await screenshot(app, "20-start-ja");
    await type(app, "#pt-name", "高橋 ハル");
    await type(app, "#pt-kana", "タカハシ ハル");
    await select(app, "#pt-care-level", "care-4");
    await click(app, "#create-team");
    await (await app.$("#record")).waitForDisplayed({ timeout: 15000 });
    await click(app, "#nav-today");
    await app.waitUntil(async () => (await app.$$(".patient-card")).length === 2, {
      timeout: 10000,
      timeoutMsg: "Today does not list both patients",
    });

    // The profile and ACP. A code of the wrong shape is refused in words.
    await openRecord(app, "鈴木 正雄");
    await click(app, "#edit-record");
    await (await app.$("#edit-patient")).waitForDisplayed();
    await type(app, "#ed-phone", "03-0000-1111");
    await select(app, "#ed-care-level", "care-3");
    await type(app, "#ed-cert-from", "2026-04-01");
    await type(app, "#ed-cert-until", "2027-03-31");
    await select(app, "#ed-insurance", "ltc");
    await type(app, "#ed-doctor-name", "中野 誠");
    await type(app, "#ed-doctor-phone", "03-0000-2300");
    await type(app, "#ed-doctor-fax", "03-0000-2301");
    // The care manager picked from the team (here the only member so far).
    const cm = await app.execute(() => [...document.querySelectorAll("#ed-cm-member option")].find((o) => o.textContent === "佐藤 花子")?.value);
    await select(app, "#ed-cm-member", cm);
    assert.equal(await (await app.$("#ed-cm-name")).getValue(), "佐藤 花子");
    await click(app, "#add-diagnosis");
    await type(app, "#ed-dx-0", "慢性心不全");
    await type(app, "#ed-dx-code-0", "I509");
    await click(app, "#save-patient");
    await waitText(app, "#edit-status", "ICD-10");
    await type(app, "#ed-dx-code-0", "I50.9");
    await type(app, "#ed-acp", "自宅で過ごしたい。救急搬送は希望しない。");
    await select(app, "#ed-resuscitation", "dnar");
    await type(app, "#ed-acp-hospital", "中野総合病院");
    await type(app, "#ed-acp-on", "2026-10-01");
    await type(app, "#ed-acp-with", "本人・長女・主治医");
    await click(app, "#save-patient");
    await waitText(app, "#edit-status", "保存しました");

    // Contacts: three added, the third moved to the top with the keyboard.
    for (const [name, relation, phone] of [
      ["鈴木 花子", "長女", "090-0000-0001"],
      ["鈴木 次郎", "長男", "090-0000-0002"],
      ["民生委員 田中", "民生委員", "03-0000-0003"],
    ]) {
      await type(app, "#contact-add-name", name);
      await type(app, "#contact-add-relation", relation);
      await type(app, "#contact-add-phone", phone);
      await click(app, "#add-contact");
      await waitText(app, "#contacts-editor", name);
    }
    await (await app.$("#contact-2")).click();
    await app.keys([Key.Alt, Key.ArrowUp]);
    await waitText(app, "#contact-1", "民生委員 田中");
    await app.waitUntil(async () => (await app.execute(() => document.activeElement?.id)) === "contact-1", {
      timeout: 5000,
      timeoutMsg: "focus did not follow the moved contact",
    });
    await app.keys([Key.Alt, Key.ArrowUp]);
    await waitText(app, "#contact-0", "民生委員 田中");
    await screenshot(app, "21-edit-patient-ja");

    // Scale 2: a reading of 90 % is flagged before and not after.
    await click(app, "#edit-back");
    await click(app, "button=訪問を記録");
    await type(app, "#v-spo2", "90");
    await app.waitUntil(async () => (await visitFlags(app)).includes("SpO2 90"), {
      timeout: 10000,
      timeoutMsg: "SpO2 90 was not flagged on the default band",
    });
    // NEWS2 while typing: SpO2 90 scores 3 on scale 1, a suggestion only.
    await waitText(app, "#visit-news2", "NEWS2 3点");
    await waitText(app, "#visit-news2", "提案");
    await click(app, "#nav-today");
    await openRecord(app, "鈴木 正雄");
    await click(app, "#edit-record");
    await click(app, "#spo2-scale2");
    await waitText(app, "#edit-status", "保存しました");
    await click(app, "#edit-back");
    await click(app, "button=訪問を記録");
    await type(app, "#v-spo2", "83");
    await app.waitUntil(async () => (await visitFlags(app)).includes("SpO2 83"), { timeout: 10000 });
    await type(app, "#v-spo2", "90");
    await app.waitUntil(async () => !(await visitFlags(app)).includes("SpO2"), {
      timeout: 10000,
      timeoutMsg: "SpO2 90 is still flagged on scale 2",
    });
    await type(app, "#v-note", "E2E-DAY 呼吸状態安定、下肢のむくみなし。");
    await click(app, "#save-visit");
    await waitText(app, "#save-status", "この端末に保存しました");

    // Search as I type: the patient by a half-width reading, the note by a
    // word written in hiragana and typed in half-width katakana.
    await type(app, "#search", "ｽｽﾞｷ");
    await waitText(app, "#search-results", "鈴木 正雄");
    await type(app, "#search", "ﾑｸﾐ");
    await waitText(app, "#search-results", "E2E-DAY");
    await screenshot(app, "27-search-ja");
    await click(app, "#search-results .search-hit");
    await (await app.$(".note.found")).waitForDisplayed({ timeout: 10000 });
    assert.match(await (await app.$(".note.found")).getText(), /E2E-DAY/);

    // The record shows the edits; a medication added and stopped.
    await waitText(app, "#acp", "DNAR");
    await waitText(app, "#patient-details", "I50.9");
    await waitText(app, "#patient-details", "中野 誠");
    await waitText(app, "#patient-details", "ケアマネジャー");
    await type(app, "#med-add-name", "フロセミド錠20mg");
    await type(app, "#med-add-dose", "1回1錠");
    await type(app, "#med-add-schedule", "1日1回 朝食後");
    await click(app, "#add-med");
    await waitText(app, "#record-meds", "フロセミド錠20mg");
    await click(app, ".med-stop");
    await type(app, "#med-stop-reason", "腎機能低下のため");
    await click(app, "#med-stop-save");
    await waitText(app, "#record-meds", "腎機能低下のため");

    // A task for the nurses, given to me, and its history.
    await type(app, "#task-title", "褥瘡処置");
    await select(app, "#task-assignee", "profession:nurse");
    await click(app, "#add-task");
    await waitText(app, "#record-tasks", "褥瘡処置");
    const me = await app.execute(() => [...document.querySelectorAll(".task-assignee option")].find((o) => o.textContent === "佐藤 花子")?.value);
    assert.ok(me?.startsWith("member:"), "I am among the assignees");
    await select(app, ".task-assignee", me);
    await waitText(app, "#record-tasks", "担当: 佐藤 花子");
    await click(app, "#record-tasks .history-btn");
    await waitText(app, "#record-tasks .history", "担当");
    await waitText(app, "#record-tasks .history", "佐藤 花子");
    await screenshot(app, "22-record-edits-ja");

    // The day's plan: a weekly visit for me, one for the doctor at the other patient.
    const weekday = String(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(new Date().toLocaleString("en-US", { timeZone: "Asia/Tokyo", weekday: "short" })) + 1);
    await select(app, "#plan-weekday", weekday);
    await type(app, "#plan-start", "00:00");
    await type(app, "#plan-end", "23:59");
    await select(app, "#plan-who", me);
    await click(app, "#add-plan");
    await waitText(app, "#record-plans", "00:00–23:59");
    await openRecord(app, "高橋 ハル");
    await select(app, "#plan-weekday", weekday);
    await type(app, "#plan-start", "00:00");
    await type(app, "#plan-end", "23:59");
    await select(app, "#plan-who", "profession:doctor");
    await click(app, "#add-plan");
    await waitText(app, "#record-plans", "00:00–23:59");
    await click(app, "#nav-today");
    await waitText(app, "#todays-visits", "鈴木 正雄");
    assert.doesNotMatch(await (await app.$("#todays-visits")).getText(), /高橋 ハル/, "the doctor's visit is not mine");
    await screenshot(app, "28-today-visits-ja");
    // My visit, recorded against the plan, filled in for an earlier time.
    await click(app, "#todays-visits .planned-visit-btn");
    await click(app, "summary=訪問の種類と時刻");
    await select(app, "#v-kind", "regular");
    await type(app, "#v-start", "00:01");
    await type(app, "#v-note", "E2E-PLANNED 予定どおり訪問。");
    await click(app, "#save-visit");
    await waitText(app, "#save-status", "この端末に保存しました");
    await click(app, "#nav-today");
    await waitText(app, "#todays-visits", "訪問済み");
    // The station's list: the doctor's patient was not at home, one click.
    await click(app, "#station-visits");
    await waitText(app, "#todays-visits", "高橋 ハル");
    await click(app, "#todays-visits .absent-btn");
    await waitText(app, "#todays-visits", "不在");
    await screenshot(app, "28-today-visits-done-ja");

    // Closing the second patient's case: off Today, under closed.
    await openRecord(app, "高橋 ハル");
    await click(app, "#edit-record");
    await select(app, "#close-reason", "facility");
    await type(app, "#close-note", "特別養護老人ホームへ入所");
    await click(app, "#close-case");
    await click(app, "#close-confirm");
    await waitText(app, "#closed-banner", "施設入所");
    assert.equal(await (await app.$("#edit-record")).isExisting(), false, "a closed record offers no editing");
    await screenshot(app, "23-record-closed-ja");
    await click(app, "#nav-today");
    await app.waitUntil(async () => (await app.$$(".patient-card")).length === 1, { timeout: 10000 });
    await click(app, "#filter-closed");
    await waitText(app, "#patient-list", "高橋 ハル");
    await screenshot(app, "24-today-closed-ja");
    await click(app, "#filter-closed");

    // A tablet in a car: 768 px wide, the record and its edit screen fit.
    await app.setWindowSize(768, 1000);
    for (const screen of ["#record", "#edit-patient"]) {
      await openRecord(app, "鈴木 正雄");
      if (screen === "#edit-patient") await click(app, "#edit-record");
      await (await app.$(screen)).waitForDisplayed();
      const overflow = await app.execute(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `${screen} scrolls sideways at 768 px by ${overflow} px`);
    }
    await openRecord(app, "鈴木 正雄");
    await screenshot(app, "26-record-768-ja");
    await app.setWindowSize(1366, 768);

    // The same screens in English.
    await click(app, "#nav-settings");
    await select(app, "#language", "en");
    await click(app, "#nav-today");
    await waitText(app, "#today", "Add a patient");
    await screenshot(app, "24-today-en");
    await click(app, "#add-patient");
    await screenshot(app, "20-start-en");
    await openRecord(app, "鈴木 正雄");
    await waitText(app, "#record-meds", "Stopped");
    await screenshot(app, "22-record-edits-en");
    await click(app, "#edit-record");
    await waitText(app, "#edit-patient", "Vital-sign bands");
    await screenshot(app, "21-edit-patient-en");
    await click(app, "#nav-settings");
    await select(app, "#language", "ja");
  } finally {
    await close(app);
  }
  // The same record, read by the CLI: one profile format.
  const shown = JSON.parse(cli(homeA, "--json", "team", "list"));
  assert.equal(shown.length, 2);
});

test("a second laptop joins from Today, sees the edits; a conflict is shown in words and settled", async () => {
  const a = await openApp(homeA);
  const b = await openApp(homeB);
  try {
    await unlock(a, PASSPHRASE);
    // An invite made in A's app, read off the screen.
    await openRecord(a, "鈴木 正雄");
    await click(a, "button=チーム");
    await click(a, "#make-invite");
    await a.waitUntil(async () => (await (await a.$("#invite-code")).getValue()).startsWith("tsunagi1."), {
      timeout: 20000,
      timeoutMsg: "no invite code shown",
    });
    const code = await (await a.$("#invite-code")).getValue();

    // B: first run, skip starting anything, join from Today.
    await firstRun(b, "田中 一郎", "たなか いちろう", "なかの在宅クリニック");
    await click(b, "button=あとで");
    await click(b, "#join-team");
    await type(b, "#join-code", code);
    await click(b, "#join");
    await (await b.$("#today")).waitForDisplayed({ timeout: 30000 });
    await waitText(b, "#today", "鈴木 正雄", 30000);
    await openRecord(b, "鈴木 正雄");
    await waitText(b, "#acp", "DNAR", 20000);
    await waitText(b, "#patient-details", "I50.9");
    await waitText(b, "#record-meds", "腎機能低下のため");

    // The relay goes down; both change the patient's phone.
    relay.proc.kill("SIGKILL");
    await sleep(1500);
    for (const [app, phone] of [
      [a, "03-1111-1111"],
      [b, "03-2222-2222"],
    ]) {
      await openRecord(app, "鈴木 正雄");
      await click(app, "#edit-record");
      await type(app, "#ed-phone", phone);
      await click(app, "#save-patient");
      await waitText(app, "#edit-status", "保存しました");
    }
    // The sync page says what waits and why.
    await a.waitUntil(async () => (await (await a.$("#sync-state")).getAttribute("data-online")) === "false", {
      timeout: 30000,
      timeoutMsg: "A never noticed the relay was gone",
    });
    await click(a, "#open-sync");
    await waitText(a, "#sync-waiting", "鈴木 正雄");
    await waitText(a, "#sync-waiting", "接続できません");
    await screenshot(a, "29-sync-page-ja");
    relay = await startRelay(relayData, relayPort);
    await waitText(a, "#sync-page", "送信待ちはありません", 60000);
    // Both laptops receive the other's edit; review names the field.
    await click(a, "#nav-review");
    await a.waitUntil(
      async () => {
        await click(a, "#nav-today");
        await click(a, "#nav-review");
        return (await a.$$(".conflict")).length > 0;
      },
      { timeout: 60000, interval: 2000, timeoutMsg: "the conflict never reached review" },
    );
    const conflict = await a.$(".conflict");
    assert.match(await conflict.getText(), /電話/);
    assert.match(await conflict.getText(), /03-1111-1111/);
    assert.match(await conflict.getText(), /03-2222-2222/);
    assert.match(await conflict.getText(), /田中 一郎/);
    assert.doesNotMatch(await conflict.getText(), /patient\.phone/, "no raw paths");
    await screenshot(a, "25-review-conflict-ja");
    // The same in English: words, not paths, in either language.
    await click(a, "#nav-settings");
    await select(a, "#language", "en");
    await click(a, "#nav-review");
    await waitText(a, ".conflict", "phone");
    await screenshot(a, "25-review-conflict-en");
    await click(a, "#open-sync");
    await waitText(a, "#sync-page", "What waits to go out");
    await screenshot(a, "29-sync-page-en");
    await type(a, "#search", "すずき");
    await waitText(a, "#search-results", "鈴木 正雄");
    await screenshot(a, "27-search-en");
    await a.keys([Key.Escape]);
    await a.waitUntil(async () => !(await (await a.$("#search-results")).isExisting()), {
      timeout: 5000,
      timeoutMsg: "Escape did not close the search results",
    });
    await click(a, "#nav-settings");
    await select(a, "#language", "ja");
    await click(a, "#nav-review");
    await waitText(a, ".conflict", "03-2222-2222");
    // Settle on the doctor's number, whichever is shown first.
    const values = await a.$$(".conflict .version");
    let chosen = null;
    for (const v of values) if ((await v.getText()).includes("03-2222-2222")) chosen = v;
    await (await chosen.$(".settle")).click();
    await a.waitUntil(async () => (await a.$$(".conflict")).length === 0, {
      timeout: 15000,
      timeoutMsg: "the conflict is still shown after settling",
    });
    // B converges on the chosen number.
    await b.waitUntil(
      async () => {
        await openRecord(b, "鈴木 正雄");
        await click(b, "#edit-record");
        return (await (await b.$("#ed-phone")).getValue()) === "03-2222-2222";
      },
      { timeout: 60000, interval: 2000, timeoutMsg: "B did not receive the settlement" },
    );
  } finally {
    await close(a);
    await close(b);
  }
});

test("locks when idle and keeps a half-typed visit", async () => {
  const app = await openApp(homeA);
  try {
    await (await app.$("#unlock-screen")).waitForDisplayed({ timeout: 30000 });
    await screenshot(app, "20-unlock");
    await unlock(app, PASSPHRASE);
    await (await app.$("#today")).waitForDisplayed({ timeout: 30000 });

    // Lock after one minute without use.
    await click(app, "#nav-settings");
    await type(app, "#lock-after", "1");
    await click(app, "#save-lock-after");
    await waitText(app, "#lock-after-status", "1 分");

    // Mute a patient for myself: kept on this laptop, shown on the record.
    await openRecord(app, "鈴木 正雄");
    await (await app.$("#mute-patient")).waitForDisplayed({ timeout: 15000 });
    assert.equal(await (await app.$("#mute-patient")).isSelected(), false);
    await click(app, "#mute-patient");
    await click(app, "#nav-today");
    await openRecord(app, "鈴木 正雄");
    await app.waitUntil(async () => (await app.$("#mute-patient")).isSelected(), { timeout: 15000, timeoutMsg: "the mute was not kept" });
    await click(app, "#mute-patient");

    // A visit half typed when the window locks by itself.
    await click(app, "button=訪問を記録");
    await type(app, "#v-pulse", "84");
    await type(app, "#v-note", "E2E-LOCK 訪問途中でロック");
    await (await app.$("#unlock-screen")).waitForDisplayed({ timeout: 90000, timeoutMsg: "the window did not lock when idle" });
    const shown = await app.execute(() => document.body.innerText);
    for (const name of ["鈴木 正雄", "高橋 ハル", "E2E-LOCK"]) assert.ok(!shown.includes(name), `the locked window shows ${name}`);

    // A wrong passphrase is refused in words; the right one brings the form back.
    await type(app, "#unlock-pass", "not the passphrase");
    await click(app, "#unlock-button");
    await (await app.$("#unlock-error")).waitForDisplayed({ timeout: 30000 });
    assert.equal(await (await app.$("#unlock-error")).getAttribute("role"), "alert");
    await screenshot(app, "20-unlock-wrong");
    await unlock(app, PASSPHRASE);
    await (await app.$("#visit-form")).waitForDisplayed({ timeout: 15000 });
    assert.equal(await (await app.$("#v-pulse")).getValue(), "84", "the pulse survived the lock");
    assert.equal(await (await app.$("#v-note")).getValue(), "E2E-LOCK 訪問途中でロック", "the note survived the lock");
    // A soft sign ticked on the visit (いつもと違う), kept with it.
    await click(app, '#soft-signs input[value="unusual"]');
    await click(app, "#save-visit");
    await waitText(app, "#save-status", "この端末に保存しました");
    await openRecord(app, "鈴木 正雄");
    await waitText(app, "#recent-visits", "いつもと違う");

    // The desktop locks its screen (the screen saver's D-Bus signal, as
    // GNOME and KDE send it): the window locks at once.
    execFileSync("dbus-send", ["--session", "--type=signal", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver.ActiveChanged", "boolean:true"]);
    await (await app.$("#unlock-screen")).waitForDisplayed({ timeout: 15000, timeoutMsg: "the desktop's lock did not lock the window" });
    await unlock(app, PASSPHRASE);

    // The access log: the unlock and the record opened are in it.
    await click(app, "#nav-settings");
    await click(app, "#nav-audit");
    await (await app.$("#audit-table")).waitForDisplayed({ timeout: 15000 });
    await app.waitUntil(async () => (await app.$$('#audit-table tr[data-action="unlock"]')).length > 0, {
      timeout: 15000,
      timeoutMsg: "no unlock row in the access log",
    });
    assert.ok((await app.$$('#audit-table tr[data-action="open"]')).length > 0, "no open row in the access log");
    await screenshot(app, "22-audit");
    // Back to a longer lock for whoever opens this profile next.
    await click(app, "#nav-settings");
    await type(app, "#lock-after", "5");
    await click(app, "#save-lock-after");
    await waitText(app, "#lock-after-status", "5 分");
  } finally {
    await close(app);
  }
});
