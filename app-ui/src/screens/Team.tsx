import { useEffect, useRef, useState } from "preact/hooks";
import type { InviteView, RefusedView, RosterView } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime, telHref } from "../format";
import { useLoad } from "../hooks";
import { label, type Shared } from "../state";
import { escalationMinutes } from "../clock";

/** What waits for a second click: removing a member, naming an admin, or leaving. */
type Pending = { kind: "remove" | "admin" | "leaver" | "handover"; member: string; name: string } | { kind: "leave" };

/** Members of one patient's team, invites shown face to face, removing a
 * member or naming another admin (the team's admins), and leaving. */
export function Team({ shared, team, station }: { shared: Shared; team: string; station?: boolean }) {
  const { vocab, lang, go, revision } = shared;
  const { data: r, error } = useLoad(() => ok(commands.record(team, 1, 0)), [team, revision]);
  const { data: roster, reload: reloadRoster } = useLoad<RosterView>(() => ok(commands.roster(team)), [team, revision]);
  const { data: refused } = useLoad<RefusedView[]>(() => ok(commands.refused(team)), [team, revision]);
  const [pending, setPending] = useState<Pending | null>(null);
  const [reason, setReason] = useState(t("leaverReasonDefault"));
  const [done, setDone] = useState<string | null>(null);
  const [invite, setInvite] = useState<InviteView | null>(null);
  const [busy, setBusy] = useState(false);
  const [fail, setFail] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const target = canvas.current;
    if (invite && target)
      import("qrcode").then((QRCode) => QRCode.toCanvas(target, invite.code, { width: 280, margin: 2 }));
  }, [invite]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!r) return <p class="muted">…</p>;
  const make = async (family = false) => {
    setBusy(true);
    setFail(null);
    try {
      setInvite(await ok(family ? commands.inviteFamily(team, 72) : commands.invite(team, 72)));
    } catch (e) {
      setFail(message(e));
    } finally {
      setBusy(false);
    }
  };
  const setPolicy = async (members: boolean) => {
    setBusy(true);
    setFail(null);
    try {
      await ok(commands.setInvitePolicy(team, members));
      setDone(t("policySaved"));
      reloadRoster();
    } catch (e) {
      setFail(message(e));
    } finally {
      setBusy(false);
    }
  };
  const onRoster = (member: string) => roster?.members.find((m) => m.member === member);
  const confirmPending = async () => {
    if (!pending) return;
    setBusy(true);
    setFail(null);
    try {
      if (pending.kind === "leave") {
        await ok(commands.leaveTeam(team));
        go({ name: "today" });
        return;
      }
      if (pending.kind === "handover") {
        await ok(commands.handOver(team, pending.member));
        go({ name: "today" });
        return;
      }
      if (pending.kind === "leaver") {
        const done = await ok(commands.removeLeaver(pending.member, reason));
        setDone(
          t("leaverDone", { name: pending.name, n: done.removed_from }) +
            (done.not_allowed.length ? " " + t("leaverNotAllowed", { teams: done.not_allowed.join("、") }) : ""),
        );
        reloadRoster();
        return;
      }
      if (pending.kind === "admin") {
        await ok(commands.makeAdmin(team, pending.member));
        setDone(t("adminDone", { name: pending.name }));
        reloadRoster();
        return;
      }
      await ok(commands.removeMember(team, pending.member));
      const epoch = (await ok(commands.roster(team))).epoch;
      setDone(t("removeDone", { name: pending.name, epoch: String(epoch) }));
      reloadRoster();
    } catch (e) {
      setFail(message(e));
    } finally {
      setBusy(false);
      setPending(null);
    }
  };
  return (
    <div class="team" id="team">
      <h1>{t("teamTitle", { name: r.patient.name })}</h1>
      {roster?.fork && (
        <p class="error" role="alert" id="roster-fork">
          {t("rosterFork")}
        </p>
      )}
      <ul class="members">
        {r.members.map((m) => (
          <li key={m.id}>
            <strong>{m.name}</strong> {m.kana && <span class="muted">{m.kana}</span>}{" "}
            {label(vocab.professions, m.profession, lang)}・{m.organisation}
            {m.me && <span class="badge">{t("me")}</span>}
            {onRoster(m.id)?.admin && <span class="badge">{t("teamAdmin")}</span>}
            {roster && !onRoster(m.id) && <span class="badge muted">{t("offTeam")}</span>}
            {m.phone && (
              <a class="phone" href={telHref(m.phone)}>
                {" "}
                {m.phone}
              </a>
            )}
            {!m.me && onRoster(m.id)?.removable && (
              <button
                class="link remove-member"
                data-member={m.id}
                disabled={busy}
                onClick={() => setPending({ kind: "remove", member: m.id, name: m.name })}
              >
                {t("remove")}
              </button>
            )}
            {!station && roster?.admin && !m.me && onRoster(m.id) && m.organisation !== r.members.find((x) => x.me)?.organisation && (
              <button
                class="link hand-over"
                data-member={m.id}
                disabled={busy}
                onClick={() => setPending({ kind: "handover", member: m.id, name: m.name })}
              >
                {t("handOverButton")}
              </button>
            )}
            {station && roster?.admin && !m.me && onRoster(m.id) && (
              <button
                class="link remove-leaver"
                data-member={m.id}
                disabled={busy}
                onClick={() => setPending({ kind: "leaver", member: m.id, name: m.name })}
              >
                {t("leaverButton")}
              </button>
            )}
            {onRoster(m.id)?.may_make_admin && (
              <button
                class="link make-admin"
                data-member={m.id}
                disabled={busy}
                onClick={() => setPending({ kind: "admin", member: m.id, name: m.name })}
              >
                {t("makeAdmin")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {roster && roster.removed.length > 0 && (
        <details id="removed-list">
          <summary>{t("removedDevices", { n: roster.removed.length })}</summary>
          <ul>
            {roster.removed.map((x, i) => (
              <li key={i}>
                {r.members.find((m) => m.id === x.member)?.name ?? t("unknownMember")}（{t("keyEpoch", { epoch: x.epoch })}）
                {x.reason && <span class="muted"> {x.reason}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div class="actions">
        <button class="primary" id="make-invite" onClick={() => make()} disabled={busy || r.sample || roster?.may_invite === false}>
          {t("invite")}
        </button>
        {!station && roster?.admin && (
          <button id="make-family-invite" onClick={() => make(true)} disabled={busy || r.sample}>
            {t("familyInvite")}
          </button>
        )}
        <button id="leave-team" disabled={busy || r.sample} onClick={() => setPending({ kind: "leave" })}>
          {t("leave")}
        </button>
        <button onClick={() => go(station ? { name: "oncall" } : { name: "record", team })}>{t("back")}</button>
      </div>
      {roster && (
        <section class="invite-policy" id="invite-policy">
          <h2>{t("whoInvites")}</h2>
          {roster.admin ? (
            <label class="tick">
              <input
                type="checkbox"
                id="members-may-invite"
                checked={roster.members_may_invite}
                disabled={busy || r.sample}
                onChange={(e) => setPolicy((e.target as HTMLInputElement).checked)}
              />
              {t("membersMayInvite")}
            </label>
          ) : (
            <p>{roster.members_may_invite ? t("invitesAllMembers") : t("invitesAdminsOnly")}</p>
          )}
        </section>
      )}
      <TeamSettingsSection team={team} sample={r.sample} />
      {refused && refused.length > 0 && (
        <section class="refused" id="refused">
          <h2>{t("refusedTitle")}</h2>
          <p class="muted small">{t("refusedHelp")}</p>
          <ul>
            {refused.map((x, i) => (
              <li key={i}>
                {formatDateTime(x.at, lang)} {t("refusedFrom", { name: x.sender })}
                <br />
                <span class="muted small">{x.reason}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {pending && (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text">
            {pending.kind === "leave"
              ? t("leaveConfirm")
              : pending.kind === "leaver"
                ? t("leaverConfirm", { name: pending.name })
                : pending.kind === "handover"
                ? t("handOverConfirm", { name: pending.name })
                : t(pending.kind === "admin" ? "adminConfirm" : "removeConfirm", { name: pending.name })}
          </p>
          {pending.kind === "leaver" && (
            <label class="field wide">
              <span>{t("leaverReason")}</span>
              <input id="leaver-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            </label>
          )}
          <button class="danger" id="confirm" autoFocus disabled={busy} onClick={confirmPending}>
            {t("confirm")}
          </button>
          <button onClick={() => setPending(null)}>{t("cancel")}</button>
        </div>
      )}
      {done && (
        <p class="saved" role="status" id="team-done">
          {done}
        </p>
      )}
      {fail && (
        <p class="error" role="alert">
          {fail}
        </p>
      )}
      {invite && (
        <div class="invite" id="invite">
          <canvas ref={canvas} aria-label={t("inviteCode")} />
          <p>{t("inviteHelp", { time: formatDateTime(invite.expires_at, lang) })}</p>
          <textarea id="invite-code" readOnly rows={3} value={invite.code} />
          <button onClick={() => navigator.clipboard?.writeText(invite.code)}>{t("copy")}</button>
        </div>
      )}
    </div>
  );
}

/** How long an urgent item waits for an acknowledgement before the
 * on-call nurse is told (and as long again before the admins are), and
 * whether the team shows who has read what. The team's admins change them. */
function TeamSettingsSection({ team, sample }: { team: string; sample: boolean }) {
  const { data, error, reload } = useLoad(() => ok(commands.teamSettings(team)), [team]);
  const [minutes, setMinutes] = useState<string | null>(null);
  const [receipts, setReceipts] = useState<boolean | null>(null);
  const [familyDays, setFamilyDays] = useState<string | null>(null);
  const [status, setStatus] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return null;
  const shownMinutes = minutes ?? String(data.escalation_minutes);
  const shownReceipts = receipts ?? data.read_receipts;
  const shownFamilyDays = familyDays ?? String(data.family_days_after_close);
  const locked = !data.admin || sample;
  const save = async (e: Event) => {
    e.preventDefault();
    const n = escalationMinutes(shownMinutes);
    if (n == null) return setStatus({ text: t("escalationRange"), ok: false });
    const days = Number(shownFamilyDays);
    if (!Number.isInteger(days) || days < 0 || days > 3650) return setStatus({ text: t("familyDaysRange"), ok: false });
    setBusy(true);
    setStatus(null);
    try {
      await ok(commands.setTeamSettings(team, n, shownReceipts, days));
      setMinutes(null);
      setReceipts(null);
      setFamilyDays(null);
      setStatus({ text: t("saved"), ok: true });
      reload();
    } catch (err) {
      setStatus({ text: message(err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="team-settings" id="team-settings" aria-labelledby="team-settings-h">
      <h2 id="team-settings-h">{t("teamSettingsTitle")}</h2>
      {!data.admin && (
        <p class="muted" id="team-settings-admins">
          {t("teamSettingsAdminsOnly")}
        </p>
      )}
      <form class="stack" noValidate onSubmit={save}>
        <label class="field">
          <span>{t("escalationMinutes")}</span>
          <input
            id="escalation-minutes"
            type="number"
            min={1}
            max={1440}
            value={shownMinutes}
            disabled={locked}
            onInput={(e) => setMinutes((e.target as HTMLInputElement).value)}
          />
        </label>
        <p class="muted small">{t("escalationHelp")}</p>
        <label class="tick">
          <input
            id="read-receipts"
            type="checkbox"
            checked={shownReceipts}
            disabled={locked}
            onChange={(e) => setReceipts((e.target as HTMLInputElement).checked)}
          />
          {t("readReceipts")}
        </label>
        <p class="muted small">{t("readReceiptsHelp")}</p>
        <label class="field">
          <span>{t("familyDays")}</span>
          <input
            id="family-days"
            type="number"
            min={0}
            max={3650}
            value={shownFamilyDays}
            disabled={locked}
            onInput={(e) => setFamilyDays((e.target as HTMLInputElement).value)}
          />
        </label>
        <div class="actions">
          <button id="save-team-settings" disabled={locked || busy}>
            {t("saveSettings")}
          </button>
        </div>
        <p id="team-settings-status" role="status" class={status ? (status.ok ? "saved" : "error") : ""}>
          {status?.text ?? ""}
        </p>
      </form>
    </section>
  );
}
