import { commands, ok } from "../api";
import { t, type Key } from "../i18n";
import { formatDateTime } from "../format";
import { useLoad } from "../hooks";
import type { Shared } from "../state";

/** What waits to go out, per patient, and why (no relay, unreachable,
 * stopped, removed), with what was set aside. */
export function SyncPageScreen({ shared }: { shared: Shared }) {
  const { lang, go, revision } = shared;
  const { data, error } = useLoad(() => ok(commands.syncPage()), [revision]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return <p class="muted">…</p>;
  const waiting = data.teams.filter((x) => x.pending > 0 || x.quarantined > 0 || x.reason === "stopped" || x.reason === "removed");
  return (
    <div class="stack wide" id="sync-page">
      <h1>{t("syncPageTitle")}</h1>
      <p>
        <span id="sync-relay">{data.sync.relay_in_use ?? data.sync.relay ?? t("noRelay")}</span> — {data.sync.online ? t("online") : t("offline")}
        {data.sync.last_synced != null && <span class="muted"> {t("lastSync", { time: formatDateTime(data.sync.last_synced, lang) })}</span>}
      </p>
      {waiting.length === 0 && <p class="saved">{t("nothingWaits")}</p>}
      {waiting.length > 0 && (
        <table class="changes" id="sync-waiting">
          <thead>
            <tr>
              <th>{t("myPatients")}</th>
              <th>{t("pendingCol")}</th>
              <th>{t("waitingSince")}</th>
              <th>{t("why")}</th>
            </tr>
          </thead>
          <tbody>
            {waiting.map((x) => (
              <tr key={x.team} data-reason={x.reason}>
                <td>
                  <button class="link" onClick={() => go({ name: "record", team: x.team })}>
                    {x.patient}
                  </button>
                </td>
                <td>{x.pending}</td>
                <td>{x.waiting_since != null ? formatDateTime(x.waiting_since, lang) : ""}</td>
                <td>
                  {t(`syncReason_${x.reason}` as Key)}
                  {x.quarantined > 0 && <span class="badge warn">{t("quarantined", { n: x.quarantined })}</span>}
                  {x.detail && <span class="muted small"> {x.detail}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button onClick={() => commands.syncNow()}>{t("syncNow")}</button>
    </div>
  );
}
