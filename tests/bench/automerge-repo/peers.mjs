// A worker process holding many client peers, each its own Repo with its own
// WebSocket connection to the sync server. bench.mjs forks a few of these so
// that a thousand Repos do not share one event loop with peers A and B (whose
// timing we measure) or with each other.
//
// Requests arrive over the IPC channel as { id, cmd, ... } and are answered
// with { id, result } or { id, error }; during a write round each writer that
// has found the document, then converged, also sends { event: "found" |
// "converged", round }.

import { connectedRepo, untilServerHas, withTimeout } from "./lib.mjs"

const idle = [] // [repo, handle]: kept open until this process exits
let writers = [] // [repo, name]

/** Runs `task(i)` for i in [0, count), at most `limit` at a time. */
async function pool(count, limit, task) {
  let next = 0
  const errors = []
  const run = async () => {
    while (next < count) {
      const i = next++
      await task(i).catch(e => errors.push(e.message))
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, run))
  return errors
}

const commands = {
  // Idle peers: each connects, creates its own small document (the analogue
  // of a device with its own team), waits until the server holds it, and
  // then stays connected without doing anything.
  async idle({ url, first, count }) {
    const errors = await pool(count, 16, async i => {
      const repo = await connectedRepo(url)
      const handle = repo.create({ team: `idle ${first + i}`, notes: ["初回訪問 問題なし"] })
      idle.push([repo, handle])
      await untilServerHas(repo, handle)
    })
    return { connected: count - errors.length, errors: errors.slice(0, 3) }
  },

  // Writers are connected before the timed round, so that it measures the
  // document's sync rather than WebSocket handshakes.
  async connectWriters({ url, first, count }) {
    const errors = await pool(count, 16, async i => {
      writers.push([await connectedRepo(url), `writer-${first + i}`])
    })
    return { connected: count - errors.length, errors: errors.slice(0, 3) }
  },

  // The timed round: every writer finds the shared document by its URL, sets
  // a key of its own, and reports once its copy holds all `total` keys.
  // Answers at once; progress comes back as "converged" events.
  // Events carry the round, so that a straggler from a timed-out round is
  // not counted in the next one.
  write({ docUrl, total, round }) {
    for (const [repo, name] of writers) {
      ;(async () => {
        const handle = await repo.find(docUrl)
        process.send({ event: "found", round })
        const converged = new Promise(resolve => {
          const check = () => {
            if (Object.keys(handle.doc().writers).length >= total) {
              handle.off("change", check)
              resolve()
            }
          }
          handle.on("change", check)
          handle.change(d => {
            d.writers[name] = true
          })
          check()
        })
        await converged
        process.send({ event: "converged", round })
      })().catch(e => process.send({ event: "writer-error", round, message: e.message }))
    }
    return { started: writers.length }
  },

  // Disconnects this round's writers (shutdown() closes the socket at once;
  // its storage flush is not worth waiting long for after a timed-out round).
  async closeWriters() {
    const closing = writers
    writers = []
    const shutdowns = Promise.all(closing.map(([repo]) => repo.shutdown()))
    await withTimeout(shutdowns, 10_000, "closing writers").catch(() => {})
    return { closed: closing.length }
  },
}

process.on("message", async ({ id, cmd, ...args }) => {
  try {
    process.send({ id, result: await commands[cmd](args) })
  } catch (e) {
    process.send({ id, error: e.message })
  }
})

// The bench going away (or closing the channel) ends this worker.
process.on("disconnect", () => process.exit(0))
