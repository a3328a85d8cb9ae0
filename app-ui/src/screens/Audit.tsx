// The access log (監査ログ): who opened, printed, exported or changed which
// patient's record, from which laptop; for a team's admins.
import { useEffect, useState } from "preact/hooks";
import type { AuditFilterInput, AuditView } from "../bindings";
import { code, commands, message, ok } from "../api";
import { hasKey, t } from "../i18n";
import { formatDateTime } from "../format";
import type { Shared } from "../state";

const NO_FILTER: AuditFilterInput = { team: null, member: null, from: null, until: null };

export function Audit({ shared }: { shared: Shared }) {
  const { lang, revision } = shared;
  const [filter, setFilter] = useState<AuditFilterInput>(NO_FILTER);
  const [view, setView] = useState<AuditView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notAdmin, setNotAdmin] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    ok(commands.audit(filter)).then(
      (v) => {
        if (!current) return;
        setView(v);
        setError(null);
        setNotAdmin(false);
      },
      (e) => {
        if (!current) return;
        if (code(e) === "not-admin") setNotAdmin(true);
        else setError(message(e));
      },
    );
    return () => {
      current = false;
    };
  }, [filter, revision]);

  if (notAdmin)
    return (
      <div id="audit">
        <h1>{t("auditTitle")}</h1>
        <p id="audit-not-admin">{t("auditNotAdmin")}</p>
      </div>
    );

  const set = (k: keyof AuditFilterInput) => (e: Event) =>
    setFilter({ ...filter, [k]: (e.target as HTMLInputElement | HTMLSelectElement).value || null });
  const action = (a: string) => {
    const key = `action_${a}`;
    return hasKey(key) ? t(key) : a;
  };
  const exportCsv = async () => {
    setBusy(true);
    setExportError(null);
    try {
      setExported(await ok(commands.exportAudit(filter)));
    } catch (e) {
      setExportError(message(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div id="audit" class="stack">
      <h1>{t("auditTitle")}</h1>
      <div class="filters">
        <label class="field">
          <span>{t("auditMember")}</span>
          <select id="audit-member" value={filter.member ?? ""} onChange={set("member")}>
            <option value="">{t("all")}</option>
            {view?.members.map((m) => (
              <option value={m.id}>{m.name}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t("auditPatient")}</span>
          <select id="audit-team" value={filter.team ?? ""} onChange={set("team")}>
            <option value="">{t("all")}</option>
            {view?.teams.map((m) => (
              <option value={m.id}>{m.name}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t("auditFrom")}</span>
          <input id="audit-from" type="date" value={filter.from ?? ""} onChange={set("from")} />
        </label>
        <label class="field">
          <span>{t("auditUntil")}</span>
          <input id="audit-until" type="date" value={filter.until ?? ""} onChange={set("until")} />
        </label>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {view && (
        <>
          <p id="audit-chains" role="status">
            {t("auditChains", { n: view.chains })}
            {view.problems.length === 0 && <span>・{t("auditChainsOk")}</span>}
          </p>
          {view.problems.length > 0 && (
            <div class="warn-box" id="audit-problems" role="alert">
              <strong>{t("auditProblems")}</strong>
              <ul>
                {view.problems.map((p) => (
                  <li>{p}</li>
                ))}
              </ul>
            </div>
          )}
          <table class="audit-table" id="audit-table">
            <thead>
              <tr>
                <th>{t("auditTime")}</th>
                <th>{t("auditMember")}</th>
                <th>{t("auditAction")}</th>
                <th>{t("auditPatient")}</th>
                <th>{t("auditEntry")}</th>
              </tr>
            </thead>
            <tbody>
              {view.rows.length === 0 && (
                <tr>
                  <td colSpan={5} class="muted">
                    {t("auditNone")}
                  </td>
                </tr>
              )}
              {view.rows.map((r) => (
                <tr class="audit-row" data-action={r.action}>
                  <td>{formatDateTime(r.at, lang)}</td>
                  <td title={`${t("auditDevice")} ${r.device}`}>{r.member_name}</td>
                  <td>{action(r.action)}</td>
                  <td>{r.patient ?? ""}</td>
                  <td class="small">{(lang === "ja" ? r.entry_ja : r.entry_en) ?? r.entry ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="actions">
            <button id="audit-export" disabled={busy} onClick={exportCsv}>
              {t("auditExport")}
            </button>
          </div>
          <p class="warn-box small">{t("auditExportWarning")}</p>
          {exported && (
            <p class="saved" role="status" id="audit-export-path">
              {t("auditExported", { path: exported })}
            </p>
          )}
          {exportError && (
            <p class="error" role="alert">
              {exportError}
            </p>
          )}
        </>
      )}
    </div>
  );
}
