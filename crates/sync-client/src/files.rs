//! Attached files through the relay: a laptop sends the files it attached
//! before the changes that name them (so no laptop reads of a photo the
//! relay lacks), fetches every thumbnail in each pass, and a full file only
//! when someone opens it.

use care_model::{BlobRef, TeamId, Timestamp};
use care_store::Store;

use crate::{RelayClient, SyncError};

/// Thumbnails fetched in one pass at most (the next pass fetches on).
const THUMBS_PER_PASS: usize = 200;

fn store_err(e: care_store::StoreError) -> SyncError {
    SyncError::BadAnswer(e.to_string())
}

/// Sends the files attached on this laptop that the relay lacks; how many.
/// A file the relay refuses (too large, the team's quota) stays here, and
/// the refusal is returned for the pass's report.
pub(crate) async fn send_files(store: &mut Store, client: &RelayClient, team: TeamId) -> Result<usize, SyncError> {
    let mut sent = 0;
    for (address, bytes) in store.unsent_blobs(team).map_err(store_err)? {
        client.put_blob(team.as_bytes(), &address, &bytes).await?;
        store.mark_blob_sent(team, &address).map_err(store_err)?;
        sent += 1;
    }
    Ok(sent)
}

/// Fetches the thumbnails of the team's attachments this laptop lacks; how
/// many. One the relay does not have yet (its laptop has not sent it) is
/// tried again next pass. Once all are here, passes that received nothing
/// skip the look (reading every attachment of a large record each pass).
pub(crate) async fn fetch_thumbnails(
    store: &mut Store,
    client: &RelayClient,
    team: TeamId,
    received: bool,
    now: Timestamp,
) -> Result<usize, SyncError> {
    if !received && store.thumbnails_complete(team) {
        return Ok(0);
    }
    store.set_thumbnails_complete(team, false);
    let attachments = store
        .record(team)
        .map_err(store_err)?
        .attachments()
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    let thumbs = attachments
        .values()
        .filter_map(|a| a.thumb.as_ref())
        .map(|t| t.address.as_str());
    let missing = store.missing_blobs(team, thumbs).map_err(store_err)?;
    let wanted = missing.len();
    let mut got = 0;
    for address in missing.into_iter().take(THUMBS_PER_PASS) {
        if let Some(bytes) = client.blob(team.as_bytes(), &address).await? {
            store.keep_fetched(team, &address, &bytes, now).map_err(store_err)?;
            got += 1;
        }
    }
    store.set_thumbnails_complete(team, got == wanted);
    Ok(got)
}

/// A file in clear: from this laptop if it has it, else fetched from the
/// team's relay (and kept). `Ok(None)`: the relay does not have it yet.
pub async fn open_file(
    store: &mut Store,
    team: TeamId,
    blob: &BlobRef,
    now: Timestamp,
) -> Result<Option<Vec<u8>>, SyncError> {
    if let Some(file) = store.open_file(team, blob).map_err(store_err)? {
        return Ok(Some(file));
    }
    let client = RelayClient::of_store(store)?;
    let mut address = [0u8; 32];
    hex::decode_to_slice(&blob.address, &mut address).map_err(|_| SyncError::BadAnswer("not a blob address".into()))?;
    let Some(bytes) = client.blob(team.as_bytes(), &address).await? else {
        return Ok(None);
    };
    store.keep_fetched(team, &address, &bytes, now).map_err(store_err)?;
    store.open_file(team, blob).map_err(store_err)
}
