import path from "node:path";
import { cli, freePort, openApp, screenshot, startRelay, stopAll, tmp, sleep } from "/work/main/tests/e2e/harness.mjs";
const relay = await startRelay(tmp("relay"), await freePort());
const home = path.join(tmp("a"), "home");
cli(home, "init", "--name", "佐藤 花子", "--profession", "nurse", "--org", "つばさ");
cli(home, "relay", "set", relay.url, "--fingerprint", relay.fingerprint);
const team = cli(home, "team", "create", "--patient", "鈴木 正雄");
const app = await openApp(home);
try {
  await (await app.$(".open-btn")).waitForClickable({ timeout: 20000 });
  await app.navigateTo; 
  await (await app.$(".open-btn")).click();
  await (await app.$("button=チーム")).click();
  console.log("team screen");
  await (await app.$("#make-invite")).click();
  console.log("clicked");
  await sleep(3000);
  console.log(await (await app.$("#team")).getText());
  await screenshot(app, "debug");
} catch (e) { console.log("ERR", e.message); }
await sleep(500);
stopAll();
