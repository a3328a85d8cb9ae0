// Reference figures for BENCHMARKS.md: the automerge-repo sync server
// measured the way sync-bench (tests/bench/sync_bench.rs) measures our relay.
//
// - edit on peer A visible on peer B: p50 / p99 of the time from just before
//   A's change() to the `change` event on B's handle, with 0, 100 and 1000
//   other idle peers connected (each with its own small document);
// - server memory per idle connection (VmRSS before and after);
// - N concurrent writers on one document: time until every copy converged.
//
// Usage: node bench.mjs [--quick] [--idle 0,100,1000] [--writers 100,1000]
//                       [--workers 4] [--timeout 120]
// The table goes to stdout; progress goes to stderr.

import { fork, spawn } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import readline from "node:readline"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { connectedRepo, sleep, untilServerHas, withTimeout } from "./lib.mjs"

const here = path.dirname(fileURLToPath(import.meta.url))
const list = s => s.split(",").filter(Boolean).map(Number)

const { values: opt } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    idle: { type: "string", default: "0,100,1000" },
    writers: { type: "string", default: "100,1000" },
    workers: { type: "string", default: "4" },
    timeout: { type: "string", default: "120" },
  },
})
const edits = opt.quick ? 30 : 200 // one every 15 ms, as in sync-bench
// automerge-repo batches sync messages: each document's synchronizer sends at
// most once per 100 ms (DocSynchronizer.syncDebounceRate, not configurable
// through the Repo). Edits 15 ms apart therefore queue behind that throttle;
// a second, shorter series with edits 250 ms apart shows the latency of an
// edit that does not.
const spacedEdits = opt.quick ? 10 : 20
const spacedGapMs = 250
const idleLevels = list(opt.idle) // cumulative: 0, then 100, then 1000 connected
const writerCounts = list(opt.writers)
const workerCount = Number(opt.workers)
const convergeTimeoutMs = Number(opt.timeout) * 1000

const log = (...a) => console.error("#", ...a)
const ms = v => `${v.toFixed(2)} ms`

function pct(values, p) {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.round((sorted.length - 1) * p)]
}

/**
 * Asks the server for a full garbage collection and waits until it is done,
 * so that RSS readings compare live memory rather than the collector's
 * timing (see server.mjs; it is started with --expose-gc for this only).
 */
async function collectGarbage(server) {
  const done = new Promise(resolve => (server.onGcDone = resolve))
  server.child.stdin.write("gc\n")
  await withTimeout(done, 30_000, "server gc")
}

function rssKb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)[1])
}

/** Splits `total` peers over the workers: [{ first, count }] per worker. */
function split(total, first) {
  return Array.from({ length: workerCount }, (_, w) => {
    const count = Math.floor(total / workerCount) + (w < total % workerCount ? 1 : 0)
    const start = first + w * Math.floor(total / workerCount) + Math.min(w, total % workerCount)
    return { first: start, count }
  })
}

// --- the server process ------------------------------------------------------

async function startServer(dataDir) {
  const child = spawn(process.execPath, ["--expose-gc", path.join(here, "server.mjs"), dataDir, "0"], {
    stdio: ["pipe", "pipe", "inherit"],
  })
  const lines = readline.createInterface({ input: child.stdout })
  const first = new Promise((resolve, reject) => {
    lines.once("line", resolve)
    child.once("exit", code => reject(new Error(`server exited (${code}) before listening`)))
  })
  const line = await withTimeout(first, 30_000, "starting server.mjs")
  const url = /^listening on (ws:\/\/\S+)$/.exec(line)?.[1]
  if (!url) throw new Error(`unexpected first line from server.mjs: ${line}`)
  const server = { child, url, onGcDone: () => {} }
  lines.on("line", l => (l === "gc done" ? server.onGcDone() : log("server:", l)))
  return server
}

// --- worker processes holding idle peers and writers ------------------------

class Worker {
  #child
  #pending = new Map() // request id -> { resolve, reject }
  #nextId = 0

  constructor(onEvent) {
    this.#child = fork(path.join(here, "peers.mjs"), { stdio: "inherit" })
    this.#child.on("message", msg => {
      if (msg.event) return onEvent(msg)
      const p = this.#pending.get(msg.id)
      this.#pending.delete(msg.id)
      msg.error ? p.reject(new Error(msg.error)) : p.resolve(msg.result)
    })
    // A crashed worker must fail the bench, not leave it waiting.
    this.#child.on("exit", code => {
      for (const p of this.#pending.values()) p.reject(new Error(`peers.mjs exited (${code})`))
      this.#pending.clear()
    })
  }

  call(cmd, args) {
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#child.send({ id, cmd, ...args })
    })
  }

  stop() {
    this.#child.kill("SIGKILL") // nothing to save; it may be busy
  }
}

// --- the measurements --------------------------------------------------------

/**
 * A's edits reaching B, `n` edits `gapMs` apart. A and B live in this process
 * (the idle peers are elsewhere), each with file-system storage like a Node
 * client.
 */
async function editToVisible(url, dir, n, gapMs) {
  const a = await connectedRepo(url, new NodeFSStorageAdapter(path.join(dir, "a")))
  const handleA = a.create({ patient: "山田 太郎", notes: [] })
  await untilServerHas(a, handleA) // B can only find what the server has
  const b = await connectedRepo(url, new NodeFSStorageAdapter(path.join(dir, "b")))
  const handleB = await b.find(handleA.url)

  // The synchronizers' 100 ms throttle starts when the document is opened;
  // wait it out so that the first edit is not held by it.
  await sleep(250)

  const starts = [] // performance.now() just before A's i-th change
  const latencies = []
  const allSeen = new Promise(resolve => {
    handleB.on("change", ({ doc }) => {
      const arrived = performance.now()
      // One sync message may carry several edits if they queued up.
      while (latencies.length < Math.min(doc.notes.length, starts.length)) {
        latencies.push(arrived - starts[latencies.length])
      }
      if (latencies.length === n) resolve()
    })
  })

  for (let i = 0; i < n; i++) {
    starts.push(performance.now())
    handleA.change(d => {
      d.notes.push(`訪問 ${i}: 血圧 128/82、食欲あり`)
    })
    await sleep(gapMs)
  }
  await withTimeout(allSeen, 30_000, `B seeing all ${n} edits (saw ${latencies.length})`)
  await Promise.all([a.shutdown(), b.shutdown()])
  return { p50: pct(latencies, 0.5), p99: pct(latencies, 0.99) }
}

let round = 0
let onWriterEvent = () => {}

/**
 * `n` writers on one document. Untimed: the document is created and handed to
 * the server, and the writers connect. Timed: each finds the document by its
 * URL and sets its own key; done when every writer's copy has all n keys.
 */
async function concurrentWriters(url, workers, n) {
  const creator = await connectedRepo(url)
  const shared = creator.create({ writers: {} })
  await untilServerHas(creator, shared)
  await creator.shutdown()

  const parts = split(n, 0)
  await Promise.all(workers.map((w, i) => w.call("connectWriters", { url, ...parts[i] })))

  round++
  let start
  let found = 0
  let allFound = null // ms from the start until the last writer's find() resolved
  let converged = 0
  const errors = []
  const done = new Promise(resolve => {
    onWriterEvent = msg => {
      if (msg.round !== round) return
      if (msg.event === "writer-error") errors.push(msg.message)
      else if (msg.event === "found" && ++found === n) allFound = performance.now() - start
      else if (msg.event === "converged" && ++converged === n) resolve()
    }
  })
  start = performance.now()
  await Promise.all(workers.map(w => w.call("write", { docUrl: shared.url, total: n, round })))
  const elapsed = await Promise.race([
    done.then(() => performance.now() - start),
    sleep(convergeTimeoutMs).then(() => null),
  ])
  if (errors.length) log(`${errors.length} writer errors, e.g.: ${errors[0]}`)
  await Promise.all(workers.map(w => w.call("closeWriters")))
  return { elapsed, allFound, found, converged, errors: errors.length }
}

// --- main --------------------------------------------------------------------

function machine() {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1]
  return `${os.availableParallelism()} cores (nproc), ${cpu ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`
}

function versions() {
  const names = [
    "@automerge/automerge-repo",
    "@automerge/automerge-repo-network-websocket",
    "@automerge/automerge-repo-storage-nodefs",
    "@automerge/automerge",
    "ws",
    "cbor-extract", // cbor-x's optional native decoder (see README)
  ]
  return names
    .map(name => {
      const pkg = path.join(here, "node_modules", name, "package.json")
      if (!fs.existsSync(pkg)) return `${name} absent`
      return `${name} ${JSON.parse(fs.readFileSync(pkg, "utf8")).version}`
    })
    .join(", ")
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsunagi-automerge-repo-"))
  const server = await startServer(path.join(tmp, "server"))
  const workers = Array.from({ length: workerCount }, () => new Worker(msg => onWriterEvent(msg)))
  try {
    console.log(`machine: ${machine()}`)
    console.log(`packages: ${versions()}`)
    console.log(`server: ${server.url}, pid ${server.child.pid}; peers in ${workerCount} worker processes`)
    console.log()
    console.log("| figure | value |")
    console.log("|---|---|")

    let connected = 0
    for (const target of idleLevels) {
      if (target > connected) {
        log(`connecting idle peers ${connected} → ${target}`)
        await collectGarbage(server)
        const before = rssKb(server.child.pid)
        const parts = split(target - connected, connected)
        const results = await Promise.all(workers.map((w, i) => w.call("idle", { url: server.url, ...parts[i] })))
        const failed = results.flatMap(r => r.errors)
        if (failed.length) throw new Error(`idle peers failed to connect, e.g.: ${failed[0]}`)
        await sleep(1000) // let the server's throttled storage writes finish
        await collectGarbage(server)
        const after = rssKb(server.child.pid)
        const perPeer = (after - before) / (target - connected)
        console.log(`| server memory per idle connection (${connected} → ${target} peers) | ${perPeer.toFixed(1)} KB |`)
        connected = target
      }
      log(`${edits} edits A → B with ${target} idle peers`)
      const { p50, p99 } = await editToVisible(server.url, path.join(tmp, `ab${target}`), edits, 15)
      console.log(`| edit on A visible on B, ${target} other peers connected, p50 / p99 over ${edits} edits | ${ms(p50)} / ${ms(p99)} |`)
      log(`${spacedEdits} edits A → B, ${spacedGapMs} ms apart, with ${target} idle peers`)
      const spaced = await editToVisible(server.url, path.join(tmp, `ab${target}s`), spacedEdits, spacedGapMs)
      console.log(`| edit on A visible on B, ${target} other peers connected, edits ${spacedGapMs} ms apart (no batching), p50 / p99 over ${spacedEdits} edits | ${ms(spaced.p50)} / ${ms(spaced.p99)} |`)
    }
    await collectGarbage(server)
    console.log(`| server RSS with ${connected} idle connections | ${(rssKb(server.child.pid) / 1024).toFixed(1)} MB |`)

    for (const n of writerCounts) {
      log(`${n} concurrent writers on one document`)
      const { elapsed, allFound, found, converged, errors } = await concurrentWriters(server.url, workers, n)
      const finds = allFound !== null ? `every find answered after ${ms(allFound)}` : `${found}/${n} finds answered`
      const value =
        elapsed !== null
          ? `${ms(elapsed)} (${finds})`
          : `did not converge within ${convergeTimeoutMs / 1000} s (${converged}/${n} copies converged, ${finds}${errors ? `, ${errors} errors` : ""})`
      console.log(`| ${n} concurrent writers on one document (${connected} idle peers connected): find by URL, one change each, until every copy has all ${n} changes | ${value} |`)
    }
  } finally {
    for (const w of workers) w.stop()
    const exited = new Promise(resolve => server.child.once("exit", resolve))
    server.child.kill()
    // A server still busy with a round that did not converge may ignore
    // SIGTERM for minutes; it must not go on loading the machine.
    const stuck = setTimeout(() => server.child.kill("SIGKILL"), 5000)
    await exited // so that it writes nothing into the folder we remove
    clearTimeout(stuck)
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0), // client Repos keep timers (reconnects, keep-alives)
  e => {
    console.error(e)
    process.exit(1)
  },
)
