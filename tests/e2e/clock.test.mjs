// Around the clock, in two real apps (WebKit under Xvfb) through the real
// relay: the station's admin puts the second nurse on call in the app; an
// urgent note nobody acknowledges reaches her as a desktop notification
// after the team's interval (1 minute here, with the apps' minute shortened
// to 4 s by TSUNAGI_TEST_MINUTE_MS); she acknowledges it and the author's
// app shows who did. The doctor's instruction is typed with a code looked
// up in the 傷病名 master, its renewal request appears, and the 急変時
// information is one click from Today. Passive 既読 is turned on.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  CLI_PASSPHRASE,
  cli,
  click,
  close,
  freePort,
  notifications,
  openApp,
  screenshot,
  startRelay,
  stopAll,
  tmp,
  type,
  unlock,
  waitText,
} from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const MASTER = path.resolve(here, "../../data/byomei/b_sample.txt");
const DEVICE = path.resolve(here, "../../data/devices/bp_sample.csv");
const DOWNLOADS = tmp("clock-downloads");
const FAST = { extraEnv: { TSUNAGI_TEST_MINUTE_MS: "4000", XDG_DOWNLOAD_DIR: DOWNLOADS } };
let relay, homeA, homeB, teamId, stationId, exported;

before(async () => {
  const port = await freePort();
  relay = await startRelay(tmp("clock-relay"), port);
  homeA = path.join(tmp("clock-a"), "home");
  homeB = path.join(tmp("clock-b"), "home");
  cli(homeA, "init", "--name", "佐藤 花子", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  cli(homeA, "relay", "set", relay.url, "--fingerprint", relay.fingerprint);
  teamId = cli(homeA, "team", "create", "--patient", "鈴木 正雄", "--kana", "スズキ マサオ", "--born", "昭和15年12月1日");
  stationId = cli(homeA, "oncall", "station", "つばさ訪問看護ステーション");
  cli(homeA, "sync", "--once");
  cli(homeB, "init", "--name", "田中 美咲", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  for (const team of [teamId, stationId]) {
    const code = cli(homeA, "invite", team).split("\n").pop();
    cli(homeB, "join", code);
  }
  cli(homeB, "sync", "--once");
  // B makes herself known in the station's record (the app does the same
  // when she opens the rota), so the admin can pick her.
  cli(homeB, "oncall");
  cli(homeB, "sync", "--once");
  cli(homeA, "sync", "--once");
});

after(() => stopAll());

/** The duty day's weekday in Japan (1 = Monday), the day starting 08:30. */
function dutyWeekday() {
  const jst = new Date(Date.now() + 9 * 3600e3);
  const minutes = jst.getUTCHours() * 60 + jst.getUTCMinutes();
  const day = minutes < 510 ? new Date(jst.getTime() - 86400e3) : jst;
  return ((day.getUTCDay() + 6) % 7) + 1;
}

test("an unacknowledged urgent note reaches the nurse on call; the instruction, its code and the 急変時 sheet", async () => {
  const a = await openApp(homeA, FAST);
  const b = await openApp(homeB, FAST);
  try {
    await unlock(a, CLI_PASSPHRASE);
    await unlock(b, CLI_PASSPHRASE);

    // The admin puts 田中 on call for today's duty in the rota screen.
    await click(a, "#nav-oncall");
    const w = dutyWeekday();
    const nurse = await a.$(`#duty-nurse-${w}`);
    await nurse.waitForDisplayed({ timeout: 15000 });
    await a.waitUntil(async () => (await nurse.getText()).includes("田中 美咲"), {
      timeout: 20000,
      timeoutMsg: "田中 is not among the station's members",
    });
    await nurse.selectByVisibleText("田中 美咲");
    await type(a, `#duty-phone-${w}`, "090-1111-2222");
    await type(a, `#duty-doctor-${w}`, "在宅医 待機グループ");
    await type(a, `#duty-doctor-phone-${w}`, "03-9999-0000");
    await click(a, `#save-duty-${w}`);
    await waitText(a, "#rota-status", "保存しました");
    await waitText(a, "#on-call-now", "田中 美咲");
    await screenshot(a, "30-rota");
    // Today says who is on call, with the number to call, on both laptops.
    await click(a, "#nav-today");
    await waitText(a, "#today-on-call", "田中 美咲");
    assert.equal(await (await a.$("#today-on-call a[href='tel:090-1111-2222']")).isExisting(), true);
    await click(b, "#nav-today");
    await waitText(b, "#today-on-call", "田中 美咲", 30000);

    // The team escalates after 1 minute and shows who has read what.
    await click(a, ".open-btn");
    await click(a, "button=チーム");
    const minutes = await a.$("#escalation-minutes");
    await minutes.waitForDisplayed({ timeout: 15000 });
    await minutes.setValue("1");
    const receipts = await a.$("#read-receipts");
    if (!(await receipts.isSelected())) await receipts.click();
    await click(a, "#save-team-settings");
    await waitText(a, "#team-settings-status", "保存しました");

    // An urgent note that nobody acknowledges.
    await click(a, "#nav-today");
    await click(a, ".open-btn");
    await click(a, "button=訪問を記録");
    await type(a, "#v-note", "E2E-ESC-1 呼吸苦の訴え。SpO2 88%。");
    await (await a.$("#v-urgency")).selectByAttribute("value", "urgent");
    await click(a, "#save-visit");
    await waitText(a, "#save-status", "この端末に保存しました");
    // After the interval, the nurse on call is told (no name, no text).
    await b.waitUntil(async () => notifications().some((n) => n.includes("当番") && n.includes("未確認の緊急の記録")), {
      timeout: 60000,
      timeoutMsg: "the nurse on call was not told of the unacknowledged note",
    });
    assert.ok(!notifications().some((n) => n.includes("当番") && n.includes("E2E-ESC-1")), "no note text in it");
    await click(b, "#nav-review");
    await click(b, "#nav-today");
    const stage = await b.$(".urgent-item .stage");
    await stage.waitForExist({ timeout: 20000 });
    assert.match(await stage.getAttribute("data-stage"), /on-call|admins/);
    await screenshot(b, "31-escalated");
    // She acknowledges; the author's app shows who did.
    await click(b, ".urgent-item .ack");
    await click(a, "#nav-review");
    await click(a, "#nav-today");
    await a.waitUntil(
      async () => (await (await a.$(".urgent-item .stage")).getAttribute("data-stage")) === "acknowledged",
      { timeout: 30000, timeoutMsg: "the author never saw the acknowledgement" },
    );
    await waitText(a, ".urgent-item", "田中 美咲");
    // Passive 既読: B opened the record; A sees it on the note.
    await click(b, ".open-btn");
    await waitText(b, "#timeline", "E2E-ESC-1");
    await click(a, ".open-btn");
    await waitText(a, ".seen-by", "田中 美咲", 30000);

    // The 傷病名 master, loaded in Settings.
    await click(a, "#nav-settings");
    await type(a, "#master-path", MASTER);
    await click(a, "#load-master");
    await waitText(a, "#master-status", "13");

    // The doctor's instruction, one diagnosis coded from the master.
    await click(a, "#nav-today");
    await click(a, ".open-btn");
    await click(a, "#record-instructions");
    await (await a.$("#ins-kind")).selectByAttribute("value", "ordinary");
    const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Tokyo" }).format(new Date());
    const soon = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Tokyo" }).format(new Date(Date.now() + 10 * 86400e3));
    await type(a, "#ins-issued", today);
    await type(a, "#ins-start", today);
    await type(a, "#ins-end", soon);
    await type(a, "#ins-doctor", "鈴木 一郎");
    await type(a, "#ins-clinic", "すずき内科クリニック");
    await type(a, "#ins-phone", "03-1234-5678");
    await type(a, "#ins-dx-0", "しんふぜん");
    await click(a, ".master-hit");
    await a.waitUntil(async () => (await (await a.$("#ins-dx-code-0")).getValue()) === "4289014", {
      timeout: 10000,
      timeoutMsg: "the code was not filled from the master",
    });
    await (await a.$("#ins-dx-0")).setValue("心不全");
    await (await a.$("#ins-bedridden")).selectByAttribute("value", "A2");
    await type(a, "#ins-emergency", "すずき内科 03-1234-5678（夜間 090-0000-9999）");
    await click(a, "#save-instruction");
    await waitText(a, "#ins-status", "保存しました");
    await waitText(a, "#instructions-list", "4289014");
    await waitText(a, "#instructions-list", "佐藤 花子");
    await screenshot(a, "32-instruction");
    // It ends within four weeks: Today lists it, and the renewal request is a task.
    await click(a, "#nav-today");
    await waitText(a, "#instructions-due", "鈴木 正雄");
    await waitText(a, "#today", "訪問看護指示書の更新依頼", 30000);

    // The record handed over as FHIR R4, saved in the download folder.
    await click(a, ".open-btn");
    await click(a, "#exchange-open");
    await click(a, "#export-fhir");
    await waitText(a, "#export-fhir-status", "tsunagi-fhir-");
    const saved = (await (await a.$("#export-fhir-status")).getText()).match(/(\/\S+\.json)/)[1];
    exported = saved;
    assert.ok(saved.startsWith(DOWNLOADS), saved);
    const bundle = JSON.parse(readFileSync(saved, "utf8"));
    const patient = bundle.entry.map((e) => e.resource).find((r) => r.resourceType === "Patient");
    assert.equal(patient.name[0].text, "鈴木 正雄");
    assert.ok(bundle.entry.some((e) => e.resource.resourceType === "Condition" && e.resource.code.text === "心不全"));

    // A blood pressure monitor's CSV: each line's fate, then one click.
    await click(a, "#import-vitals");
    await type(a, "#device-path", DEVICE);
    await click(a, "#device-preview");
    await (await a.$(".device-row[data-outcome='refused']")).waitForExist({ timeout: 10000 });
    await waitText(a, "#device-rows", "350");
    await screenshot(a, "35-device-preview");
    await click(a, "#device-import");
    await waitText(a, "#device-status", "4");
    await click(a, "#nav-today");

    // 急変時: one click from Today.
    await click(a, ".emergency-button");
    await waitText(a, "#emergency", "鈴木 正雄");
    await waitText(a, "#emergency-on-call", "田中 美咲");
    await waitText(a, "#emergency-diagnoses", "心不全");
    await screenshot(a, "33-emergency");
    await click(a, "#emergency-close");
    await (await a.$("#emergency")).waitForExist({ reverse: true, timeout: 10000 });

    // The Bundle read back as a new patient: a preview first, then one click.
    await click(a, "#import-fhir");
    await type(a, "#import-path", exported);
    await click(a, "#import-preview");
    await waitText(a, "#import-plan", "鈴木 正雄");
    await waitText(a, "#import-plan", "心不全");
    await screenshot(a, "34-import-preview");
    await click(a, "#import-confirm");
    await waitText(a, "#record", "心不全", 20000);
    // The renewal request was made once, on whichever laptop saw it first.
    cli(homeB, "sync", "--once");
  } finally {
    await close(a);
    await close(b);
  }
  const tasks = JSON.parse(cli(homeB, "--json", "show", teamId)).tasks;
  const renewals = Object.values(tasks).filter((t) => t.title === "訪問看護指示書の更新依頼");
  assert.equal(renewals.length, 1);
});
