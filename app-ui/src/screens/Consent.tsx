import { useState } from "preact/hooks";
import type { ConsentView } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { formatIsoDate } from "../format";
import { label, type Shared } from "../state";

const todayIso = () => new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Tokyo" }).format(new Date());

/** The patient's consent to share (情報共有の同意): the one in force, or a
 * clear mark that none is on record; a form to record one (date, who gave
 * it, who obtained it, what it covers) and to record a withdrawal. */
export function ConsentBox({
  shared,
  team,
  consents,
  readOnly,
  onChange,
}: {
  shared: Shared;
  team: string;
  consents: ConsentView[];
  readOnly: boolean;
  onChange: () => void;
}) {
  const { vocab, lang, era } = shared;
  const current = consents.find((c) => c.current);
  const [date, setDate] = useState(todayIso());
  const [givenBy, setGivenBy] = useState(t("consentSelf"));
  const [obtainedBy, setObtainedBy] = useState("");
  const [scope, setScope] = useState<string[]>(["team"]);
  const [error, setError] = useState<string | null>(null);
  const scopes = (codes: string[]) => codes.map((c) => label(vocab.consent_scopes, c, lang)).join("・");
  const run = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      onChange();
    } catch (e) {
      setError(message(e));
    }
  };
  const toggle = (code: string, on: boolean) =>
    setScope(on ? [...scope.filter((s) => s !== code), code] : scope.filter((s) => s !== code));

  return (
    <div class="consent" id="consent">
      {current ? (
        <p id="consent-state" data-state="given">
          {t("consentGiven", {
            date: formatIsoDate(current.given_on, lang, era),
            who: current.given_by,
            by: current.obtained_by,
          })}{" "}
          <span class="muted">{scopes(current.scope)}</span>
        </p>
      ) : (
        <p id="consent-state" data-state="missing">
          <span class="badge warn">{t("consentMissing")}</span> <span class="muted">{t("consentMissingHint")}</span>
        </p>
      )}
      {!readOnly && (
        <details id="consent-menu">
          <summary id="consent-open">{t("consentRecord")}</summary>
          <div class="consent-form">
            <label>
              {t("consentDate")} <input id="consent-date" class="date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
            </label>
            <label>
              {t("consentGivenBy")}{" "}
              <input id="consent-given-by" value={givenBy} onInput={(e) => setGivenBy((e.target as HTMLInputElement).value)} />
            </label>
            <label>
              {t("consentObtainedBy")}{" "}
              <input
                id="consent-obtained-by"
                value={obtainedBy}
                onInput={(e) => setObtainedBy((e.target as HTMLInputElement).value)}
              />
            </label>
            <fieldset>
              <legend>{t("consentScope")}</legend>
              {vocab.consent_scopes.map((s) => (
                <label class="check">
                  <input
                    type="checkbox"
                    id={`consent-scope-${s.code}`}
                    checked={scope.includes(s.code)}
                    onChange={(e) => toggle(s.code, (e.target as HTMLInputElement).checked)}
                  />
                  {s[lang]}
                </label>
              ))}
            </fieldset>
            <button
              class="primary"
              id="consent-save"
              onClick={() =>
                run(() => ok(commands.recordConsent(team, { given_on: date, given_by: givenBy, obtained_by: obtainedBy, scope })))
              }
            >
              {t("consentSave")}
            </button>
          </div>
          {consents.length > 0 && (
            <ul class="consent-history" id="consent-history">
              {consents.map((c) => (
                <li>
                  {t("consentGiven", { date: formatIsoDate(c.given_on, lang, era), who: c.given_by, by: c.obtained_by })}{" "}
                  <span class="muted">
                    {scopes(c.scope)} · {t("consentRecordedBy", { who: c.recorded_by })}
                  </span>{" "}
                  {c.withdrawn_on ? (
                    <span class="badge">{t("consentWithdrawnOn", { date: formatIsoDate(c.withdrawn_on, lang, era) })}</span>
                  ) : (
                    <button class="consent-withdraw" onClick={() => run(() => ok(commands.withdrawConsent(team, c.id, todayIso())))}>
                      {t("consentWithdraw")}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </details>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
