// The pieces the end-to-end tests drive: the real relay binary, the real CLI
// (to prepare profiles quickly), tauri-driver + WebKitWebDriver, and the
// real debug app. Every process started here is killed in `stopAll`.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { remote } from "webdriverio";

const target = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), ".cache/tsunagi-target");
export const BIN = path.join(target, "debug");
export const APP = process.env.TSUNAGI_APP ?? path.join(BIN, "tsunagi-app");
export const SHOTS = path.join(import.meta.dirname, "screenshots");
mkdirSync(SHOTS, { recursive: true });

const children = [];

export function tmp(name) {
  return mkdtempSync(path.join(os.tmpdir(), `tsunagi-e2e-${name}-`));
}

export async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitPort(port, ms = 15000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, "127.0.0.1", () => (c.end(), r(true)));
      c.on("error", () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`port ${port} did not open`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the relay; resolves with its URL and certificate fingerprint.
 * `open`: any device may start teams (else only enrolled ones). */
export function startRelay(data, port, { open = true, extra = [] } = {}) {
  const flags = ["--listen", `127.0.0.1:${port}`, "--data", data, "--min-free-mb", "0", ...extra];
  if (open) flags.push("--open-registration");
  const proc = spawn(path.join(BIN, "sync-server"), flags, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  children.push(proc);
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      const url = out.match(/listening on (https:\/\/\S+)/)?.[1];
      const fingerprint = out.match(/fingerprint ([0-9a-f]{64})/)?.[1];
      if (url && fingerprint) resolve({ proc, url, fingerprint });
    });
    proc.on("exit", (code) => reject(new Error(`relay exited ${code}: ${out}`)));
  });
}

/** Starts a throwaway PostgreSQL (the pg-throwaway binary); resolves with
 * its connection settings for `sync-server --store`. */
export function startPostgres() {
  const proc = spawn(path.join(BIN, "pg-throwaway"), [], { stdio: ["pipe", "pipe", "inherit"] });
  proc.stopByStdin = true;
  children.push(proc);
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.trim());
    });
    proc.on("exit", (code) => reject(new Error(`pg-throwaway exited ${code}: ${out}`)));
  });
}

/** Starts a relay on a PostgreSQL store; `cert` ({ cert, key } paths) makes
 * it present the same certificate as another relay of the store. */
export function startStoreRelay(data, port, store, cert) {
  const extra = ["--store", store];
  if (cert) extra.push("--tls-cert", cert.cert, "--tls-key", cert.key);
  return startRelay(data, port, { extra });
}

/** The passphrase of the profiles the tests make with the CLI, unless
 * `setPassphrase` names another for a home (one made in the app). */
export const CLI_PASSPHRASE = "e2e station passphrase";
/** seed-profile's profiles are locked with this. */
export const SEED_PASSPHRASE = "sample station 1";
const passphrases = new Map();

export function setPassphrase(home, passphrase) {
  passphrases.set(home, passphrase);
}

/** The CLI reads the passphrase from a file (TSUNAGI_PASSPHRASE_FILE). */
function passphraseFile(home) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "tsunagi-e2e-pass-")), "passphrase");
  writeFileSync(file, passphrases.get(home) ?? CLI_PASSPHRASE, { mode: 0o600 });
  return file;
}

export function cli(home, ...args) {
  return execFileSync(path.join(BIN, "tsunagi"), ["--home", home, ...args], {
    encoding: "utf8",
    env: { ...process.env, TSUNAGI_PASSPHRASE_FILE: passphraseFile(home) },
  }).trim();
}

/** The Unlock screen of an app opened on an existing profile (or locked
 * while idle): the passphrase, then whatever screen it returns to. */
export async function unlock(browser, passphrase, { timeout = 30000 } = {}) {
  await (await browser.$("#unlock-screen")).waitForDisplayed({ timeout });
  await (await browser.$("#unlock-pass")).setValue(passphrase);
  await (await browser.$("#unlock-button")).click();
  await (await browser.$("#unlock-screen")).waitForExist({ timeout, reverse: true });
}

/** A new passphrase typed twice, and "passphrase only" ticked when this
 * desktop has no keychain (the box is shown only then). */
export async function typeNewPassphrase(browser, passphrase, ids = ["p-pass", "p-pass2", "p-pass-only"]) {
  await (await browser.$(`#${ids[0]}`)).setValue(passphrase);
  await (await browser.$(`#${ids[1]}`)).setValue(passphrase);
  const only = await browser.$(`#${ids[2]}`);
  if ((await only.isExisting()) && !(await only.isSelected())) await only.click();
}

/** 32 letters and digits in groups of four. */
export const RECOVERY_KEY = /^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/;

/** The recovery key screen: read the key (checked for its shape), tick
 * "written down", continue. Returns the key. */
export async function passRecoveryKey(browser, shot) {
  await (await browser.$("#recovery-key-screen")).waitForDisplayed({ timeout: 30000 });
  const key = (await (await browser.$("#recovery-key")).getText()).trim();
  if (!RECOVERY_KEY.test(key)) throw new Error(`the recovery key looks wrong: ${key}`);
  if (await (await browser.$("#recovery-continue")).isEnabled()) throw new Error("Continue is enabled before the key is acknowledged");
  if (shot) await screenshot(browser, shot);
  await (await browser.$("#recovery-ack")).click();
  await (await browser.$("#recovery-continue")).waitForClickable({ timeout: 5000 });
  await (await browser.$("#recovery-continue")).click();
  return key;
}

/** One tauri-driver (and its WebKitWebDriver) per app window. */
export async function startDriver(extraEnv = {}) {
  const port = await freePort();
  // The system may hand back the port just released: the two must differ,
  // or WebKitWebDriver cannot listen and tauri-driver spins on accept.
  let native = await freePort();
  while (native === port) native = await freePort();
  // Its own process group, so stopping it also stops WebKitWebDriver and the app.
  // The app inherits the driver's environment: `extraEnv` reaches it.
  const proc = spawn("tauri-driver", ["--port", String(port), "--native-port", String(native)], {
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
    env: { ...process.env, ...extraEnv },
  });
  proc.group = true;
  children.push(proc);
  await waitPort(port);
  return port;
}

/** Counts the user's actions: clicks and key presses other than typed values. */
export class Actions {
  count = 0;
  constructor(browser) {
    this.browser = browser;
  }
  async click(selector) {
    const el = await this.browser.$(selector);
    await el.waitForClickable({ timeout: 10000 });
    await el.click();
    this.count++;
  }
  async press(...keys) {
    await this.browser.keys(keys);
    this.count++;
  }
  /** Typing a value is not an action. */
  async type(text) {
    await this.browser.keys([...text]);
  }
}

export async function openApp(home, { extraEnv } = {}) {
  const port = await startDriver(extraEnv);
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    connectionRetryTimeout: 60000,
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: APP, args: ["--home", home] },
    },
  });
  return browser;
}

/** Ends a session without hiding the test's own failure behind a failed close. */
export async function close(app) {
  try {
    await app.deleteSession();
  } catch (e) {
    console.error("closing the app session failed:", e.message);
  }
}

export async function screenshot(browser, name) {
  // The screenshot lags the DOM by a frame or two.
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.saveScreenshot(path.join(SHOTS, `${name}.png`));
}

export async function textOf(browser, selector) {
  return (await browser.$(selector)).getText();
}

/** Clicks when clickable: screens re-render after each save. The element
 * is centred first: scrolled only to an edge, it can sit under the sticky
 * header ("element click intercepted"). */
export async function click(app, selector, timeout = 15000) {
  const el = await app.$(selector);
  await el.waitForClickable({ timeout });
  await app.execute((e) => e.scrollIntoView({ block: "center" }), el);
  await el.click();
}

export async function type(app, selector, value) {
  const el = await app.$(selector);
  await el.waitForDisplayed({ timeout: 15000 });
  await el.setValue(value);
}

export async function select(app, selector, value) {
  const el = await app.$(selector);
  await el.waitForDisplayed({ timeout: 15000 });
  await el.selectByAttribute("value", value);
}

export async function waitText(browser, selector, needle, timeout = 15000) {
  await browser.waitUntil(async () => (await (await browser.$(selector)).getText()).includes(needle), {
    timeout,
    interval: 200,
    timeoutMsg: `"${needle}" did not appear in ${selector}`,
  });
}

/** The desktop notifications the apps asked for so far (run.sh logs every
 * Notify call on the session bus): one text block per notification. */
export function notifications() {
  const log = process.env.TSUNAGI_E2E_NOTIFICATIONS;
  if (!log || !existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split(/^method call /m)
    .filter((block) => block.includes("member=Notify"));
}

export function stopAll() {
  for (const c of children) {
    try {
      // pg-throwaway stops and deletes its cluster when its input closes.
      if (c.stopByStdin) {
        c.stdin.end();
        continue;
      }
      if (c.group) process.kill(-c.pid, "SIGKILL");
      else c.kill("SIGKILL");
    } catch {}
  }
}

export function writeResults(name, value) {
  writeFileSync(path.join(SHOTS, `${name}.json`), JSON.stringify(value, null, 2));
}
