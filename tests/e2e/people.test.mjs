// The people around a patient, in the real app (WebKit under Xvfb): a team
// without the patient's consent to share is marked on Today and on the
// record; the nurse records the consent (date, who gave it, who obtained
// it, what it covers) and the marks go; the CLI reads the same consent.
// A nurse's second laptop joins her teams from a code her first shows, and
// the first takes it off every team again (a lost laptop). A hospital
// keeps its entry in the region's directory and posts its free beds; a
// station sees them with their age, a day-old figure marked. A photo of a
// wound reaches a colleague's app: the thumbnail with the sync, the photo
// itself when opened, without its EXIF location. Observations typed at a
// visit show on the record's trend; notes and the profile take files.
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
  select,
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
const hospitalHome = path.join(root, "hospital");
let region;
let team, relay;

before(async () => {
  relay = await startRelay(path.join(root, "relay"), await freePort());
  cli(home, "init", "--name", "佐藤 花子", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  cli(home, "relay", "set", relay.url, "--fingerprint", relay.fingerprint);
  team = cli(home, "team", "create", "--patient", "山田 太郎", "--kana", "ヤマダ タロウ");
  cli(home, "sync");
  // A new laptop: any name at first; it becomes hers.
  cli(homeB, "init", "--name", "新しい端末", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  // The region's directory, started by a hospital's 地域連携室; the
  // station joins it by invite.
  cli(hospitalHome, "init", "--name", "連携 真理", "--profession", "nurse", "--org", "中野総合病院", "--no-keychain");
  cli(hospitalHome, "relay", "set", relay.url, "--fingerprint", relay.fingerprint);
  region = cli(hospitalHome, "directory", "create", "中野区 在宅医療・介護資源");
  cli(hospitalHome, "directory", "add", "--name", "中野総合病院", "--kind", "hospital", "--specialty", "内科", "--phone", "03-0000-2000");
  const code = cli(hospitalHome, "invite", region).split("\n").pop();
  cli(home, "join", code);
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
    await waitText(b, "#join-status", "佐藤 花子 さんの端末として 2 チーム", 30000);
    await screenshot(b, "48-device-joined");
    await click(b, "#join-status button");
    await waitText(b, "#today", "山田 太郎", 30000);
    // The region's directory came with her teams.
    await click(b, "#nav-directory");
    await waitText(b, "#directory", "中野総合病院", 30000);
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
    await waitText(a, "#device-note", "2 チームから外しました", 30000);
  } finally {
    await close(a);
    await close(b);
  }
  const members = JSON.parse(cli(home, "--json", "team", "members", team));
  assert.equal(members.devices.length, 1);
  assert.equal(members.epoch, 1);
});

test("a hospital edits its directory entry and posts beds; the station sees them with their age, a stale one marked", async () => {
  // A figure counted two days ago, entered from the hospital's CLI.
  const old = new Date(Date.now() - 49 * 3600 * 1000 + 9 * 3600 * 1000).toISOString().slice(0, 16).replace("T", " ");
  const id = JSON.parse(cli(hospitalHome, "--json", "directory", "list")).entries[0].id;
  cli(hospitalHome, "directory", "beds", id.slice(0, 8), "--kind", "short_stay", "--free", "3", "--as-of", old);
  const h = await openApp(hospitalHome);
  const s = await openApp(home);
  try {
    await unlock(h, CLI_PASSPHRASE);
    await click(h, "#nav-directory");
    await waitText(h, "#directory", "中野総合病院");
    await click(h, ".dir-entry .dir-edit");
    await type(h, "#entry-specialties", "内科、整形外科");
    await click(h, "#entry-accepts-home_oxygen");
    await click(h, "#entry-save");
    await waitText(h, ".dir-entry", "内科・整形外科");
    await select(h, ".dir-entry .bed-kind", "community");
    await type(h, ".dir-entry .bed-input", "2");
    await click(h, ".dir-entry .bed-post");
    await waitText(h, '.bed[data-kind="community"]', "空き 2");
    await screenshot(h, "49-directory-hospital");

    await unlock(s, CLI_PASSPHRASE);
    await click(s, "#nav-directory");
    // The hospital's edit arrives through the relay.
    await s.waitUntil(
      async () => {
        await click(s, "#nav-today");
        await click(s, "#nav-directory");
        await (await s.$(".dir-entry")).waitForDisplayed({ timeout: 5000 });
        return (await (await s.$(".dir-entry")).getText()).includes("整形外科");
      },
      { timeout: 30000, timeoutMsg: "the hospital's edit never reached the station" },
    );
    await waitText(s, '.bed[data-kind="community"] .bed-age', "分前");
    assert.equal(await (await s.$('.bed[data-kind="community"]')).getAttribute("data-stale"), "false");
    assert.equal(await (await s.$('.bed[data-kind="short_stay"]')).getAttribute("data-stale"), "true");
    await waitText(s, '.bed[data-kind="short_stay"] .bed-stale', "1日以上前の情報");
    assert.equal(await (await s.$(".dir-entry .dir-edit")).isExisting(), false, "not the station's to edit");
    // Filtering by a free bed: the stale short-stay figure is not offered.
    await select(s, "#dir-bed", "short_stay");
    await waitText(s, "#dir-count", "0 件");
    await select(s, "#dir-bed", "community");
    await waitText(s, "#dir-count", "1 件");
    await screenshot(s, "50-directory-station");
  } finally {
    await close(h);
    await close(s);
  }
});

test("the station's admin takes a leaver off every team at once; each team says why", async () => {
  const station = cli(home, "oncall", "station", "つばさ訪問看護ステーション").split("\n").pop();
  const leaverHome = path.join(root, "leaver");
  cli(leaverHome, "init", "--name", "伊藤 直子", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  for (const t of [station, team]) {
    const code = cli(home, "invite", t).split("\n").pop();
    cli(leaverHome, "join", code);
  }
  cli(leaverHome, "oncall"); // introduces her on the station's record
  cli(leaverHome, "sync");
  cli(home, "sync");
  const app = await openApp(home);
  try {
    await unlock(app, CLI_PASSPHRASE);
    await click(app, "#nav-oncall");
    await click(app, "#station-invite");
    await waitText(app, "#team", "伊藤 直子");
    await click(app, ".remove-leaver");
    assert.equal(await (await app.$("#leaver-reason")).getValue(), "退職");
    await screenshot(app, "51-leaver-confirm");
    await click(app, "#confirm");
    await waitText(app, "#team-done", "伊藤 直子さんを 2 チームから外しました", 30000);
    await click(app, "#removed-list summary");
    await waitText(app, "#removed-list", "退職");
  } finally {
    await close(app);
  }
  const members = JSON.parse(cli(home, "--json", "team", "members", team));
  assert.ok(members.removed.some((r) => r.reason === "退職"), JSON.stringify(members.removed));
  assert.ok(members.devices.every((d) => d.name !== "伊藤 直子"));
});

test("the family joins on an admin's invite and sees only what the team shares; their note reaches the team", async () => {
  cli(home, "note", "add", team, "--text", "本日の様子: 穏やかに過ごされています");
  cli(home, "note", "add", team, "--text", "仙骨部 褥瘡 d2 ポケットあり");
  const familyHome = path.join(root, "family");
  cli(familyHome, "init", "--name", "山田 花子", "--profession", "other", "--org", "家族（長女）", "--no-keychain");
  const a = await openApp(home);
  const f = await openApp(familyHome);
  try {
    await unlock(a, CLI_PASSPHRASE);
    await click(a, ".open-btn");
    await click(a, "//li[contains(@class,'note')][contains(., '穏やかに')]//button[contains(@class,'share-family')]");
    await waitText(a, "//li[contains(@class,'note')][contains(., '穏やかに')]", "家族と共有中");
    await click(a, "button=チーム");
    await click(a, "#make-family-invite");
    await a.waitUntil(async () => (await (await a.$("#invite-code")).getValue()).startsWith("tsunagi1."), {
      timeout: 20000,
      timeoutMsg: "no family invite shown",
    });
    const code = await (await a.$("#invite-code")).getValue();

    await unlock(f, CLI_PASSPHRASE);
    await click(f, "#join-team");
    await type(f, "#join-code", code);
    await click(f, "#join");
    await waitText(f, "#today", "山田 太郎", 30000);
    await click(f, ".open-btn");
    await waitText(f, "#family-banner", "家族として参加しています");
    await waitText(f, "#family-notes", "穏やかに過ごされています", 20000);
    assert.ok(!(await (await f.$("#family-notes")).getText()).includes("褥瘡"), "an unshared note reached the family's screen");
    assert.equal(await (await f.$("#record-meds")).isExisting(), false);
    await type(f, "#family-note", "昨夜はよく眠れていました");
    await click(f, "#family-note-save");
    await waitText(f, "#family-notes", "昨夜はよく眠れていました");
    await screenshot(f, "52-family-record");
  } finally {
    await close(a);
    await close(f);
  }
  cli(familyHome, "sync");
  cli(home, "sync");
  assert.ok(cli(home, "show", team).includes("昨夜はよく眠れていました"));
});

test("a patient is handed over to another station from the team screen; the record stays with them", async () => {
  const other = cli(home, "team", "create", "--patient", "田中 一郎", "--kana", "タナカ イチロウ");
  cli(home, "note", "add", other, "--text", "引き継ぎ前の記録");
  const newHome = path.join(root, "himawari");
  cli(newHome, "init", "--name", "小林 早苗", "--profession", "nurse", "--org", "ひまわり訪問看護ステーション", "--no-keychain");
  cli(newHome, "join", cli(home, "invite", other).split("\n").pop());
  cli(newHome, "note", "add", other, "--text", "よろしくお願いします");
  cli(newHome, "sync");
  cli(home, "sync");
  const app = await openApp(home);
  try {
    await unlock(app, CLI_PASSPHRASE);
    await click(app, "//li[contains(., '田中 一郎')]//button[contains(@class,'open-btn')]");
    await click(app, "button=チーム");
    await click(app, ".hand-over");
    await waitText(app, "#confirm-text", "小林 早苗さんを管理者にし");
    await click(app, "#confirm");
    await (await app.$("#today")).waitForDisplayed({ timeout: 30000 });
    await app.waitUntil(async () => !(await (await app.$("#today")).getText()).includes("田中 一郎"), {
      timeout: 15000,
      timeoutMsg: "the handed-over patient is still on this station's Today",
    });
  } finally {
    await close(app);
  }
  cli(newHome, "sync");
  const shown = cli(newHome, "show", other);
  assert.ok(shown.includes("引き継ぎ前の記録") && shown.includes("よろしくお願いします"));
  const members = JSON.parse(cli(newHome, "--json", "team", "members", other));
  assert.ok(members.devices.some((d) => d.name === "小林 早苗" && d.admin));
});

test("a pressure ulcer is followed with DESIGN-R 2020: two assessments, the total falls; the CLI reads the same", async () => {
  const app = await openApp(home);
  try {
    await unlock(app, CLI_PASSPHRASE);
    await click(app, "//li[contains(., '山田 太郎')]//button[contains(@class,'open-btn')]");
    await type(app, "#wound-site", "仙骨部");
    await click(app, "#wound-add-save");
    await waitText(app, "#wounds .wound", "仙骨部");
    for (const [exudate, size] of [
      ["e3", "s9"],
      ["e1", "s6"],
    ]) {
      await click(app, "#wounds .wound-assess");
      // (The options' text is the code itself.)
      await (await app.$("#wounds .designr-exudate")).selectByVisibleText(exudate);
      await (await app.$("#wounds .designr-size")).selectByVisibleText(size);
      await click(app, "#wounds .wound-save");
      await waitText(app, "#wounds .wound-course", `d0-${exudate}${size}i0g0n0p0`);
    }
    await waitText(app, "#wounds .wound-course", "合計 12 点");
    await waitText(app, "#wounds .wound-course", "合計 7 点");
    await (await app.$("#wounds")).scrollIntoView();
    await screenshot(app, "53-wound-designr");
  } finally {
    await close(app);
  }
  const listed = JSON.parse(cli(home, "--json", "wound", "list", team));
  assert.deepEqual(
    listed.wounds[0].assessments.map((a) => a.total),
    [12, 7],
  );
});

test("a photo attached to the wound's assessment reaches a colleague's app: thumbnail with the sync, the photo on opening, without its location", async () => {
  // A colleague's laptop in the same team.
  const homeC = path.join(root, "colleague");
  cli(homeC, "init", "--name", "鈴木 一郎", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  cli(homeC, "join", cli(home, "invite", team).split("\n").pop());
  const photo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "fixtures", "wound-gps.jpg");
  const app = await openApp(home);
  try {
    await unlock(app, CLI_PASSPHRASE);
    await click(app, "//li[contains(., '山田 太郎')]//button[contains(@class,'open-btn')]");
    await waitText(app, "#wounds .wound", "仙骨部");
    // The file input behind 写真・PDFを添付 (the camera where there is one).
    await (await app.$("#wounds .wound .attach-input")).setValue(photo);
    await (await app.$("#wounds .wound-photos .thumb img")).waitForDisplayed({ timeout: 15000 });
    await (await app.$("#wounds .wound-chart")).waitForDisplayed({ timeout: 5000 });
    await (await app.$("#wounds")).scrollIntoView();
    await screenshot(app, "54-wound-photo-attached");
  } finally {
    await close(app);
  }
  cli(home, "sync");
  cli(homeC, "sync");
  const appC = await openApp(homeC);
  try {
    await unlock(appC, CLI_PASSPHRASE);
    await click(appC, "//li[contains(., '山田 太郎')]//button[contains(@class,'open-btn')]");
    // The thumbnail came with the sync; the photo itself is not here yet.
    const thumb = await appC.$("#wounds .wound-photos .thumb img");
    await thumb.waitForDisplayed({ timeout: 15000 });
    assert.equal(await (await appC.$("#wounds .wound-photos .thumb")).getAttribute("data-here"), "false");
    await click(appC, "#wounds .wound-photos .thumb-open");
    const full = await appC.$("#file-viewer-img");
    await appC.waitUntil(async () => (await full.isExisting()) || (await (await appC.$("#wounds .thumbs .error")).isExisting()), {
      timeout: 15000,
      timeoutMsg: "the photo did not open",
    });
    const failed = await appC.$("#wounds .thumbs .error");
    assert.ok(!(await failed.isExisting()), `opening failed: ${(await failed.isExisting()) && (await failed.getText())}`);
    const src = await full.getAttribute("src");
    assert.ok(src.startsWith("data:image/jpeg;base64,"));
    // Fetched from the relay: the photo as attached, its EXIF location gone.
    const bytes = Buffer.from(src.slice("data:image/jpeg;base64,".length), "base64");
    assert.ok(bytes.length > 10000);
    assert.ok(!bytes.includes(Buffer.from("MARKER-GPS-E2E")), "the EXIF description and GPS are stripped");
    assert.ok(!bytes.includes(Buffer.from("Exif\0\0")));
    await screenshot(appC, "55-wound-photo-on-colleague");
    await click(appC, "#file-viewer-close");
  } finally {
    await close(appC);
  }
  const listed = JSON.parse(cli(homeC, "--json", "attachment", "list", team));
  assert.equal(listed.attachments[0].to, "wound");
  assert.equal(listed.attachments[0].here.file, true, "kept once opened");
});

test("observations typed at a visit show on the record's trend; a note and the profile take files; a wound photo is marked close-up", async () => {
  const photo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "fixtures", "wound-gps.jpg");
  const app = await openApp(home);
  try {
    await unlock(app, CLI_PASSPHRASE);
    await click(app, "//li[contains(., '山田 太郎')]//button[contains(@class,'visit-btn')]");
    // The keyboard's order: counts typed, the rest chosen.
    await type(app, "#obs-bowel", "1");
    await select(app, "#obs-bristol", "4");
    await type(app, "#obs-fluid", "1200");
    await select(app, "#obs-food", "7");
    await select(app, "#obs-edema", "mild");
    // Levels are their own labels (Preact leaves such an option without a
    // value attribute): chosen by what the nurse reads.
    await (await app.$("#obs-bedridden")).selectByVisibleText("B2");
    await type(app, "#v-note", "仙骨部の処置。排便あり。");
    await screenshot(app, "56-visit-observations");
    await click(app, "#save-visit");
    await app.waitUntil(async () => (await (await app.$("#v-note")).getValue()) === "", { timeout: 10000, timeoutMsg: "the visit was not saved" });
    await click(app, "#nav-today");
    await click(app, "//li[contains(., '山田 太郎')]//button[contains(@class,'open-btn')]");
    await waitText(app, "#observations-trend .observation-row", "7割");
    const trend = await (await app.$("#observations-trend")).getText();
    assert.match(trend, /1200/);
    assert.match(trend, /B2/);
    await (await app.$("#observations-trend")).scrollIntoView();
    await screenshot(app, "57-observations-trend");
    // A photo on the note just written.
    const note = "//ol[@id='timeline']/li[contains(., '仙骨部の処置')]";
    await (await app.$(`${note}//input[contains(@class,'attach-input')]`)).setValue(photo);
    await (await app.$(`${note}//figure[contains(@class,'thumb')]//img`)).waitForDisplayed({ timeout: 15000 });
    // A scanned form on the profile.
    await (await app.$("#profile-attach")).setValue(photo);
    await (await app.$("#profile-files .thumb img")).waitForDisplayed({ timeout: 15000 });
    // A close-up of the wound (全体 / 近接, as the guidance asks).
    await (await app.$("#wounds .wound .attach-caption")).selectByVisibleText("近接");
    await (await app.$("#wounds .wound .attach-input")).setValue(photo);
    await waitText(app, "#wounds .wound-photos", "近接");
    await (await app.$("#profile-files")).scrollIntoView();
    await screenshot(app, "58-note-and-profile-files");
  } finally {
    await close(app);
  }
  const listed = JSON.parse(cli(home, "--json", "attachment", "list", team)).attachments;
  assert.ok(listed.some((a) => a.to === "note"));
  assert.ok(listed.some((a) => a.to === "profile"));
  assert.ok(listed.some((a) => a.to === "wound" && a.caption === "近接"));
});
