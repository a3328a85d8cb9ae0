// The reference automerge-repo sync server, set up as automerge's own
// automerge-repo-sync-server does it: a Repo with file-system storage and a
// WebSocket server adapter, nothing else.
//
// Usage: node server.mjs DATA_DIR PORT   (PORT 0 = any free port)
// Prints `listening on ws://127.0.0.1:PORT` as its first line on stdout.

import fs from "node:fs"
import os from "node:os"
import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { NodeWSServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const [dataDir, portArg] = process.argv.slice(2)
if (!dataDir || portArg === undefined) {
  console.error("usage: node server.mjs DATA_DIR PORT")
  process.exit(2)
}
fs.mkdirSync(dataDir, { recursive: true })

// The reference serves HTTP through express and hands upgrades to a
// `noServer` WebSocketServer; ws's own HTTP listener does the same job here.
const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(portArg) })

new Repo({
  network: [new NodeWSServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dataDir),
  peerId: `storage-server-${os.hostname()}`,
  // As in the reference: the server accepts every document a client sends
  // and answers every request for a document by its URL (the Repo's access
  // check allows all), but does not announce its documents to peers that
  // have not asked for them. (`async () => true` would push every idle
  // peer's document to every other peer.)
  sharePolicy: async () => false,
})

wss.on("listening", () => {
  console.log(`listening on ws://127.0.0.1:${wss.address().port}`)
})

// Only for the benchmark's memory readings: run with --expose-gc, a line
// "gc" on stdin makes a full collection and answers "gc done".
if (global.gc) {
  process.stdin.setEncoding("utf8")
  process.stdin.on("data", text => {
    for (const line of text.split("\n")) {
      if (line.trim() === "gc") {
        global.gc()
        console.log("gc done")
      }
    }
  })
}

// Exit at once when the bench stops us; storage writes are not awaited
// (the benchmark does not reuse the data directory).
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0))
