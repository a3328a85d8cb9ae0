// No lock-in: a team's record exported as an .automerge file opens with the
// official JavaScript package (@automerge/automerge), which reads the same
// notes and readings as Tsunagi. Runs the real CLI; no window needed.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync } from "node:fs";
import * as Automerge from "@automerge/automerge";
import { cli, tmp } from "./harness.mjs";

test("an exported .automerge file opens with @automerge/automerge and holds the same entries", () => {
  const dir = tmp("interop");
  const home = path.join(dir, "home");
  cli(home, "init", "--name", "佐藤 花子", "--profession", "nurse", "--org", "つばさ訪問看護ステーション", "--no-keychain");
  const team = cli(home, "team", "create", "--patient", "山田 太郎", "--kana", "ヤマダ タロウ");
  cli(home, "vitals", "add", team, "--bp", "132/84", "--spo2", "96");
  cli(home, "note", "add", team, "--text", "INTEROP-1 入浴介助。皮膚に発赤なし。");
  const file = path.join(dir, "record.automerge");
  cli(home, "export", team, "--automerge", "-o", file);

  const doc = Automerge.load(new Uint8Array(readFileSync(file)));
  // Tsunagi writes strings as scalars: automerge 3 reads them as ImmutableString.
  const str = (v) => (v && typeof v === "object" && "val" in v ? v.val : String(v));
  const ours = JSON.parse(cli(home, "--json", "show", team));
  assert.equal(str(doc.team), team);
  assert.equal(str(doc.patient.name), "山田 太郎");
  assert.deepEqual(Object.keys(doc.notes).sort(), Object.keys(ours.notes).sort());
  const note = Object.values(doc.notes)[0];
  assert.match(str(note.versions[note.versions.length - 1].text), /INTEROP-1/);
  const reading = Object.values(doc.vitals)[0].reading;
  // Unsigned integers come back as BigInt.
  assert.equal(Number(reading.systolic), 132);
  assert.equal(Number(reading.spo2), 96);
  assert.deepEqual(Object.keys(doc.vitals).sort(), Object.keys(ours.vitals).sort());
});
