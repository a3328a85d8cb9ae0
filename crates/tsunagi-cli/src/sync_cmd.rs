//! The commands that talk to a relay: relay set, invite, join, sync, status,
//! and team membership (members, remove, leave).

use std::time::Duration;

use anyhow::{bail, Context, Result};
use care_model::Timestamp;
use serde_json::json;
use sync_client::{sync_once, LiveEvent, RelayClient};
use sync_proto::InviteCode;

use crate::cli::{Cli, InviteArgs, JoinArgs, RelaySetArgs, SyncArgs, TeamArg, TeamHandoverArgs, TeamRemoveArgs};
use crate::{now, open, print_json};

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

pub fn relay_set(cli: &Cli, a: &RelaySetArgs) -> Result<()> {
    let mut store = open(cli)?;
    let typed: Vec<String> = std::iter::once(a.url.clone()).chain(a.also.iter().cloned()).collect();
    let addresses = sync_client::relay_addresses(&typed)?;
    if let Some(fp) = &a.fingerprint {
        sync_client::pinned_tls_config(fp, None)?;
    }
    store.set_relays(&addresses[0], &addresses[1..], a.fingerprint.as_deref().map(str::trim))?;
    if let Some(code) = &a.enrol {
        runtime()?.block_on(sync_client::enrol(&mut store, code))?;
    }
    if cli.json {
        print_json(
            json!({ "relay": addresses[0], "also": &addresses[1..], "fingerprint": a.fingerprint, "enrolled": a.enrol.is_some() }),
        );
    } else {
        println!("中継サーバーを設定しました / relay set: {}", addresses.join(" "));
        if a.enrol.is_some() {
            println!("この端末を登録しました / this laptop is enrolled");
        }
    }
    Ok(())
}

pub fn relay_show(cli: &Cli) -> Result<()> {
    let store = open(cli)?;
    let Some(relay) = store.relay()? else {
        bail!("中継サーバーが未設定です。`tsunagi relay set URL` / no relay set: `tsunagi relay set URL`");
    };
    let in_use = relay.addresses().remove(0);
    if cli.json {
        print_json(
            json!({ "relay": relay.url, "also": relay.also, "in_use": in_use, "fingerprint": relay.fingerprint }),
        );
    } else {
        for a in std::iter::once(&relay.url).chain(&relay.also) {
            let mark = if *a == in_use { "  ← 使用中 / in use" } else { "" };
            println!("{a}{mark}");
        }
        println!(
            "指紋 / fingerprint: {}",
            relay
                .fingerprint
                .as_deref()
                .unwrap_or("なし（公開の認証局）/ none (public authorities)")
        );
    }
    Ok(())
}

pub fn relay_enrol(cli: &Cli, code: &str) -> Result<()> {
    let mut store = open(cli)?;
    runtime()?.block_on(sync_client::enrol(&mut store, code))?;
    if cli.json {
        print_json(json!({ "enrolled": true }));
    } else {
        println!(
            "この端末を登録しました。チームを作れます / this laptop is enrolled; it may start teams on this relay"
        );
    }
    Ok(())
}

pub fn team_invites(cli: &Cli, a: &crate::cli::TeamInvitesArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let members = a.who == crate::cli::InviteWho::Members;
    runtime()?.block_on(sync_client::set_invite_policy(&mut store, team, members, now))?;
    if cli.json {
        print_json(json!({ "team": team.to_string(), "members_may_invite": members }));
    } else if members {
        println!("メンバー全員が招待できます / every member may invite");
    } else {
        println!("招待できるのは管理者だけです / only admins may invite");
    }
    Ok(())
}

/// `72h`, `30m`, `3d`.
fn parse_duration(s: &str) -> Result<Duration> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = n
        .parse()
        .with_context(|| format!("期限「{s}」が読めません。例: 72h / cannot read --expires \"{s}\"; e.g. 72h"))?;
    let secs = match unit {
        "m" => n * 60,
        "h" | "" => n * 3600,
        "d" => n * 86400,
        _ => bail!("期限の単位は m, h, d です / --expires takes m, h or d"),
    };
    if secs == 0 || secs > 30 * 86400 {
        bail!("期限は 1分〜30日です / --expires must be between 1m and 30d");
    }
    Ok(Duration::from_secs(secs))
}

pub fn invite(cli: &Cli, a: &InviteArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    if store.relay()?.is_none() {
        bail!("先に `tsunagi relay set URL --fingerprint HEX` を実行してください / set a relay first: `tsunagi relay set URL --fingerprint HEX`");
    }
    let expires = Timestamp(now().0 + parse_duration(&a.expires)?.as_millis() as i64);
    let code = if a.family {
        runtime()?.block_on(sync_client::invite_family(&mut store, team, expires, now))?
    } else {
        runtime()?.block_on(sync_client::invite(&mut store, team, expires, now))?
    };
    let text = code.encode();
    if cli.json {
        print_json(json!({ "team": team.to_string(), "expires": expires, "code": text }));
    } else {
        eprintln!(
            "招待コード（{} まで有効、1回限り）/ invite code, single use, valid until then:",
            expires.format_ja()
        );
        println!("{text}");
    }
    Ok(())
}

pub fn join(cli: &Cli, a: &JoinArgs) -> Result<()> {
    let mut store = open(cli)?;
    let code = InviteCode::parse(&a.code)?;
    let joined = runtime()?.block_on(sync_client::join(&mut store, &code, now))?;
    let team = joined.team;
    let name = store
        .teams()?
        .into_iter()
        .find(|t| t.team == team)
        .map(|t| t.patient_name)
        .unwrap_or_default();
    if cli.json {
        print_json(json!({ "team": team.to_string(), "patient": name, "pending": joined.pending }));
    } else {
        println!("{} {name}", joined.message());
        println!("{team}");
    }
    Ok(())
}

/// The team's devices as the verified roster has them, named from the record.
pub fn team_members(cli: &Cli, a: &TeamArg) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let roster = store.roster(team)?;
    let me = store.device_id();
    let people = store.record(team).ok().and_then(|r| r.read().ok()).map(|r| r.members);
    let rows: Vec<serde_json::Value> = roster
        .devices
        .iter()
        .map(|(device, entry)| {
            let person = people.as_ref().and_then(|m| m.get(&entry.member));
            json!({
                "device": hex::encode(device),
                "member": entry.member,
                "name": person.map(|p| p.name.clone()),
                "organisation": person.map(|p| p.organisation.clone()),
                "this_device": device == me.as_bytes(),
                "admin": roster.admins.contains(&entry.member),
            })
        })
        .collect();
    let removed: Vec<serde_json::Value> = roster
        .removed
        .iter()
        .map(|(device, (entry, epoch))| {
            json!({
                "device": hex::encode(device),
                "member": entry.member,
                "name": people.as_ref().and_then(|m| m.get(&entry.member)).map(|p| p.name.clone()),
                "epoch": epoch,
                "reason": roster.removal_reasons.get(device),
            })
        })
        .collect();
    if cli.json {
        print_json(json!({
            "team": team.to_string(),
            "epoch": roster.epoch,
            "members_may_invite": roster.members_may_invite,
            "devices": rows,
            "removed": removed,
        }));
        return Ok(());
    }
    println!(
        "端末 / devices ({}), 鍵の世代 / key epoch {}（最終同期の時点 / as of the last sync）",
        rows.len(),
        roster.epoch
    );
    println!(
        "  {}",
        if roster.members_may_invite {
            "招待: メンバー全員 / invites: every member"
        } else {
            "招待: 管理者のみ / invites: admins only"
        }
    );
    for r in &rows {
        println!(
            "  {}  {}  {}{}{}",
            r["device"].as_str().unwrap_or_default(),
            r["name"].as_str().unwrap_or("(名前未着 / name not yet received)"),
            r["organisation"].as_str().unwrap_or_default(),
            if r["admin"] == true {
                "  [管理者 / admin]"
            } else {
                ""
            },
            if r["this_device"] == true {
                "  [この端末 / this laptop]"
            } else {
                ""
            },
        );
    }
    for r in &removed {
        println!(
            "  外した端末 / removed: {}  {}  {}",
            r["device"].as_str().unwrap_or_default(),
            r["name"].as_str().unwrap_or("?"),
            r["reason"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}

pub fn team_remove(cli: &Cli, a: &TeamRemoveArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let rt = runtime()?;
    let (_, device) = device_on_roster(&mut store, team, &a.device, &rt)?;
    if device == store.device_id() {
        bail!("この端末を外すには `tsunagi team leave` を使ってください / to take this laptop off, use `tsunagi team leave`");
    }
    rt.block_on(sync_client::remove_device(&mut store, team, device, now))?;
    let epoch = store.roster(team)?.epoch;
    if cli.json {
        print_json(json!({ "team": team.to_string(), "removed": device.to_string(), "epoch": epoch }));
    } else {
        println!("端末を外し、チームの鍵を新しくしました（世代 {epoch}）/ device removed; the team now uses key epoch {epoch}");
    }
    Ok(())
}

pub fn team_admin(cli: &Cli, a: &TeamRemoveArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let rt = runtime()?;
    let (roster, device) = device_on_roster(&mut store, team, &a.device, &rt)?;
    let member = roster.devices[device.as_bytes()].member.clone();
    rt.block_on(sync_client::make_admin(&mut store, team, &member, now))?;
    if cli.json {
        print_json(json!({ "team": team.to_string(), "admin": member }));
    } else {
        println!("その端末の持ち主をチームの管理者にしました / the member of that device is now a team admin");
    }
    Ok(())
}

/// The roster as the relay has it now (the device may have joined since),
/// and the device on it that `prefix` names.
fn device_on_roster(
    store: &mut care_store::Store,
    team: care_model::TeamId,
    prefix: &str,
    rt: &tokio::runtime::Runtime,
) -> Result<(sync_proto::Roster, care_model::DeviceId)> {
    rt.block_on(sync_once(store, now))?;
    let roster = store.roster(team)?;
    let ids: Vec<String> = roster.devices.keys().map(hex::encode).collect();
    let device = crate::unique_prefix(ids.iter(), prefix, "端末 / device")?.parse()?;
    Ok((roster, device))
}

pub fn team_leave(cli: &Cli, a: &TeamArg) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    runtime()?.block_on(sync_client::leave(&mut store, team, now))?;
    if cli.json {
        print_json(json!({ "team": team.to_string(), "left": true }));
    } else {
        println!(
            "チームから抜け、この端末から記録を削除しました / left the team; its record was deleted from this laptop"
        );
    }
    Ok(())
}

pub fn sync(cli: &Cli, a: &SyncArgs) -> Result<()> {
    let mut store = open(cli)?;
    let rt = runtime()?;
    if !a.watch {
        let report = rt.block_on(sync_once(&mut store, now))?;
        if cli.json {
            print_json(serde_json::to_value(&report)?);
        } else {
            for t in &report.teams {
                let err = t
                    .error
                    .as_deref()
                    .map(|e| format!("  送信できません / failed: {e}"))
                    .unwrap_or_default();
                println!("{}  送信 {}件  受信 {}件{}", &t.team[..8], t.pushed, t.received, err);
            }
        }
        return Ok(());
    }
    rt.block_on(watch(&mut store))
}

/// Stays in sync until Ctrl-C, printing when it goes online or offline and
/// what each pass moved (sync-client's live loop, as the desktop app uses it).
async fn watch(store: &mut care_store::Store) -> Result<()> {
    store
        .relay()?
        .context("先に `tsunagi relay set URL` を実行してください / set a relay first")?;
    let never = tokio::sync::Notify::new();
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    sync_client::watch(
        store,
        now,
        &never,
        |event| match event {
            LiveEvent::Online => eprintln!("{}  オンライン / online", now().format_ja()),
            LiveEvent::Offline(why) => eprintln!("{}  オフライン / offline: {why}", now().format_ja()),
            LiveEvent::Synced(r) => report(Ok(r)),
            LiveEvent::Failed(e) => report(Err(e)),
        },
        stop,
    )
    .await?;
    Ok(())
}

fn report(result: Result<sync_client::SyncReport, sync_client::SyncError>) {
    match result {
        Ok(r) => {
            let (p, x) = r.teams.iter().fold((0, 0), |(p, x), t| (p + t.pushed, x + t.received));
            if p + x > 0 {
                eprintln!("{}  送信 {p}件  受信 {x}件", now().format_ja());
            }
        }
        Err(e) => eprintln!("{}  送信できません / failed: {e}", now().format_ja()),
    }
}

pub fn status(cli: &Cli) -> Result<()> {
    let store = open(cli)?;
    let relay = store.relay()?;
    let reachable = match &relay {
        Some(r) => {
            let client = RelayClient::new(&r.url, r.fingerprint.as_deref(), None)?;
            runtime()?
                .block_on(async {
                    tokio::time::timeout(Duration::from_secs(3), client.health())
                        .await
                        .ok()
                        .and_then(Result::ok)
                })
                .is_some()
        }
        None => false,
    };
    let mut teams = Vec::new();
    let mut cursors_ja = Vec::new();
    for t in store.teams()? {
        let cursor = match &relay {
            Some(r) => store.cursor(t.team, &r.url)?,
            None => Default::default(),
        };
        cursors_ja.push(cursor.synced_at.map(Timestamp));
        teams.push(json!({
            "team": t.team.to_string(),
            "patient": t.patient_name,
            "pending": t.pending,
            "last_synced": cursor.synced_at.map(Timestamp),
            "quarantined": store.quarantined(t.team)?,
        }));
    }
    if cli.json {
        print_json(json!({
            "device": store.device_id().to_string(),
            "member": store.device().member.to_string(),
            "name": store.device().profile.name,
            "relay": relay,
            "online": reachable,
            "teams": teams,
        }));
        return Ok(());
    }
    println!("この端末 / this device: {}", store.device_id());
    match &relay {
        Some(r) => println!(
            "{}  {}",
            if reachable {
                "オンライン"
            } else {
                "オフライン"
            },
            r.url
        ),
        None => println!("中継サーバー未設定 / no relay set"),
    }
    for t in teams {
        let synced = t["last_synced"]
            .as_str()
            .map(|s| format!("  最終同期 {s}"))
            .unwrap_or_default();
        println!(
            "{}  {}  送信待ち {}件{}",
            &t["team"].as_str().unwrap_or_default()[..8],
            t["patient"].as_str().unwrap_or_default(),
            t["pending"],
            synced
        );
    }
    Ok(())
}

pub fn team_handover(cli: &Cli, a: &TeamHandoverArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let record = store.record(team)?.read()?;
    let wanted = a.to.trim();
    let found: Vec<(&String, &care_model::Member)> = record
        .members
        .iter()
        .filter(|(id, m)| m.name == wanted || id.starts_with(&wanted.to_lowercase()))
        .collect();
    let (to, name) = match found.as_slice() {
        [(id, m)] => ((*id).clone(), m.name.clone()),
        [] => bail!("「{wanted}」はこのチームのメンバーにいません（先に招待してください） / no member of the team matches \"{wanted}\": invite them first"),
        _ => bail!("「{wanted}」に当てはまる人が複数います。ID で指定してください / \"{wanted}\" matches several: give the id"),
    };
    let done = runtime()?.block_on(sync_client::hand_over(&mut store, team, &to, now))?;
    if cli.json {
        print_json(json!({ "team": team.to_string(), "to": to, "removed": done.removed }));
    } else {
        println!(
            "{name} さんへ引き継ぎました（自分の組織の端末 {} 台を外し、この端末も抜けました） / handed over to {name}",
            done.removed
        );
    }
    Ok(())
}
