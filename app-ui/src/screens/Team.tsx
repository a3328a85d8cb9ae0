import { useEffect, useRef, useState } from "preact/hooks";
import type { InviteView } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatDateTime, telHref } from "../format";
import { useLoad } from "../hooks";
import { label, type Shared } from "../state";

/** Members of one patient's team, and invites shown face to face. */
export function Team({ shared, team }: { shared: Shared; team: string }) {
  const { vocab, lang, go, revision } = shared;
  const { data: r, error } = useLoad(() => ok(commands.record(team, 1)), [team, revision]);
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
  const make = async () => {
    setBusy(true);
    setFail(null);
    try {
      setInvite(await ok(commands.invite(team, 72)));
    } catch (e) {
      setFail(message(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="team" id="team">
      <h1>{t("teamTitle", { name: r.patient.name })}</h1>
      <ul class="members">
        {r.members.map((m) => (
          <li key={m.id}>
            <strong>{m.name}</strong> {m.kana && <span class="muted">{m.kana}</span>}{" "}
            {label(vocab.professions, m.profession, lang)}・{m.organisation}
            {m.me && <span class="badge">{t("me")}</span>}
            {m.phone && (
              <a class="phone" href={telHref(m.phone)}>
                {" "}
                {m.phone}
              </a>
            )}
            {!m.me && (
              <button class="link" disabled title={t("notYet")}>
                {t("remove")}
              </button>
            )}
          </li>
        ))}
      </ul>
      <div class="actions">
        <button class="primary" id="make-invite" onClick={make} disabled={busy || r.sample}>
          {t("invite")}
        </button>
        <button disabled title={t("notYet")}>
          {t("leave")}
        </button>
        <button onClick={() => go({ name: "record", team })}>{t("back")}</button>
      </div>
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
