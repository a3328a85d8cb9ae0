// Paper and FAX, in the real app (WebKit under Xvfb): the 急変時対応シート
// in one click from the record's print menu, the 看護サマリー drafted from
// the record, edited, kept in the record and printed behind a FAX cover,
// and the monthly 訪問看護報告書 with its chart. Every PDF is read back with
// poppler (pdfinfo, pdftotext), as a FAX partner's machine would see it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { CLI_PASSPHRASE, SHOTS, cli, click, close, openApp, screenshot, stopAll, tmp, type, unlock, waitText } from "./harness.mjs";

const DOWNLOADS = tmp("paper-downloads");
const home = path.join(tmp("paper"), "home");
let team;

before(() => {
  cli(home, "init", "--name", "佐藤 花子", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  team = cli(home, "team", "create", "--patient", "山田 太郎", "--kana", "ヤマダ タロウ", "--born", "昭和13年4月2日");
  cli(home, "patient", "edit", team, "--address", "東京都中野区中央1-2-3", "--diagnosis", "慢性心不全",
    "--allergy", "ペニシリン", "--problem", "心不全の増悪の早期発見", "--resuscitation", "dnar",
    "--acp-hospital", "中野総合病院", "--doctor", "鈴木 一郎", "--doctor-phone", "03-2222-3333");
  cli(home, "contact", "add", team, "--name", "山田 花子", "--relation", "長女", "--phone", "090-0000-0001", "--key-person");
  cli(home, "vitals", "add", team, "--bp", "148/88", "--spo2", "91", "--temp", "37.9");
  cli(home, "note", "add", team, "--text", "PAPER-1 下肢浮腫あり。体重 1kg 増加。");
  const station = cli(home, "oncall", "station", "つばさ訪問看護ステーション");
  cli(home, "oncall", "basics", station, "--phone", "03-0000-9999");
});

after(() => stopAll());

/** The path a PrintButton reports, and the PDF's text as poppler reads it;
 * page `page` is kept with the screenshots as `shot`.png. */
async function printed(app, id, shot, page = 1) {
  await waitText(app, `#${id}-status`, "tsunagi-", 30000);
  const status = await (await app.$(`#${id}-status`)).getText();
  const file = status.match(/(\/\S+\.pdf)/)[1];
  assert.ok(file.startsWith(DOWNLOADS), file);
  const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
  assert.match(info, /595\.276 x 841\.89 pts \(A4\)/);
  const pages = Number(info.match(/Pages:\s+(\d+)/)[1]);
  const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).replace(/\s+/g, "");
  execFileSync("pdftoppm", ["-r", "60", "-png", "-singlefile", "-f", String(page), "-l", String(page), file, path.join(SHOTS, shot)]);
  return { pages, text };
}

test("the emergency sheet, the nursing summary with a FAX cover and the monthly report, as PDFs", async () => {
  const app = await openApp(home, { extraEnv: { XDG_DOWNLOAD_DIR: DOWNLOADS } });
  try {
    await unlock(app, CLI_PASSPHRASE);
    await click(app, ".open-btn");
    await waitText(app, "#record", "山田 太郎");

    // 急変時対応シート: one click from the record; one page, what the
    // ambulance crew needs.
    await click(app, "#record-print-emergency");
    const sheet = await printed(app, "record-print-emergency", "43-sheet-emergency");
    assert.equal(sheet.pages, 1);
    for (const want of ["急変時対応シート", "山田太郎", "ヤマダタロウ", "DNAR", "中野総合病院", "090-0000-0001", "鈴木一郎", "03-0000-9999", "91%［緊急］"]) {
      assert.ok(sheet.text.includes(want), `${want} missing from the emergency sheet`);
    }
    await screenshot(app, "40-emergency-sheet");

    // 看護サマリー: drafted from the record, edited, kept in the record.
    await click(app, "#exchange-open");
    await click(app, "#open-summary");
    await waitText(app, ".sheets", "看護サマリー");
    const course = await app.$("#sheet-course");
    await app.waitUntil(async () => (await course.getValue()).includes("PAPER-1"), {
      timeout: 15000,
      timeoutMsg: "the course was not drafted from the notes",
    });
    await type(app, "#sheet-requests", "PAPER-2 利尿薬調整後の体重を毎日測定してください。");
    await click(app, "#save-draft");
    await waitText(app, "#draft-saved", "保存しました");
    const kept = JSON.parse(cli(home, "--json", "draft", team, "--sheet", "summary"));
    assert.match(kept.fields.requests, /PAPER-2/);
    assert.equal(kept.saved, true);
    await click(app, "#sheet-fax");
    await type(app, "#sheet-fax-to", "中野総合病院 地域連携室");
    await type(app, "#sheet-fax-number", "03-5555-0000");
    await screenshot(app, "41-summary-draft");
    await click(app, "#print-sheet");
    const summary = await printed(app, "print-sheet", "44-sheet-summary", 2);
    assert.equal(summary.pages, 2, "a FAX cover and the one-page summary");
    for (const want of ["FAX送信のご案内", "中野総合病院地域連携室", "03-5555-0000", "看護サマリー", "PAPER-2", "PAPER-1", "佐藤花子"]) {
      assert.ok(summary.text.includes(want), `${want} missing from the summary`);
    }

    // 訪問看護報告書 for this month (the readings were taken today).
    await click(app, ".sheets .title-row button");
    await click(app, "#exchange-open");
    await click(app, "#open-report");
    const month = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Tokyo" }).format(new Date()).slice(0, 7);
    await type(app, "#sheet-month", month);
    const reportCourse = await app.$("#sheet-course");
    await app.waitUntil(async () => (await reportCourse.getValue()).includes("148/88"), {
      timeout: 15000,
      timeoutMsg: "the report's course was not drafted from the month's readings",
    });
    await click(app, "#print-sheet");
    const report = await printed(app, "print-sheet", "46-sheet-report");
    assert.equal(report.pages, 1);
    for (const want of ["訪問看護報告書", "バイタルサインの推移", "収縮期血圧", "148/88"]) {
      assert.ok(report.text.includes(want), `${want} missing from the report`);
    }
    await screenshot(app, "42-report");
  } finally {
    await close(app);
  }
  // Printing is in the access log.
  const log = JSON.parse(cli(home, "--json", "audit", team));
  assert.ok(log.some((e) => e.action === "print"), "no print in the access log");
});
