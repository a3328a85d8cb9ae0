// Helpers shared by bench.mjs (peers A and B, the creator of the shared
// document) and peers.mjs (idle peers and writers in worker processes).

import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

/** Rejects after `ms` with `what` in the message, so that no step can hang the bench. */
export function withTimeout(promise, ms, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Storage kept in memory. Idle peers and writers use it instead of
 * NodeFSStorageAdapter so that a thousand of them need no thousand folders;
 * the server cannot tell the difference: like a browser with IndexedDB, the
 * peer announces a storage id and is not ephemeral, so the server keeps and
 * saves a sync state for it.
 */
export class MemoryStorage {
  #data = new Map() // key.join("/") -> { key, data }

  async load(key) {
    return this.#data.get(key.join("/"))?.data
  }
  async save(key, data) {
    this.#data.set(key.join("/"), { key, data })
  }
  async remove(key) {
    this.#data.delete(key.join("/"))
  }
  async loadRange(prefix) {
    return [...this.#data.values()].filter(c => startsWith(c.key, prefix))
  }
  async removeRange(prefix) {
    for (const [k, c] of this.#data) if (startsWith(c.key, prefix)) this.#data.delete(k)
  }
}

const startsWith = (key, prefix) => prefix.every((part, i) => key[i] === part)

/**
 * A client Repo connected to the sync server at `url`, returned once the
 * server has answered the handshake. (The adapter's own whenReady() also
 * resolves after 1 s without any connection, so it cannot tell us this.)
 */
export async function connectedRepo(url, storage = new MemoryStorage()) {
  const repo = new Repo({ network: [new WebSocketClientAdapter(url)], storage })
  if (repo.peers.length === 0) {
    const connected = new Promise(resolve => repo.networkSubsystem.once("peer", resolve))
    await withTimeout(connected, 30_000, `connecting to ${url}`)
  }
  return repo
}

/**
 * Resolves once the server has acknowledged the handle's current heads, i.e.
 * its copy of the document holds everything this peer has. The Repo learns
 * the server's heads from the server's sync messages ("remote-heads" event,
 * keyed by the server's storage id).
 */
export function untilServerHas(repo, handle, ms = 30_000) {
  const has = heads => {
    const theirs = new Set(heads ?? [])
    return handle.heads().every(h => theirs.has(h))
  }
  const done = new Promise(resolve => {
    // Already known? (Only the server is connected, so any storage id is its.)
    for (const { storageId } of Object.values(repo.peerMetadataByPeerId)) {
      if (storageId && has(handle.getSyncInfo(storageId)?.lastHeads)) return resolve()
    }
    const onRemoteHeads = ({ heads }) => {
      if (has(heads)) {
        handle.off("remote-heads", onRemoteHeads)
        resolve()
      }
    }
    handle.on("remote-heads", onRemoteHeads)
  })
  return withTimeout(done, ms, `server acknowledging document ${handle.documentId}`)
}
