import { useEffect, useState } from "preact/hooks";
import type { DraftField, SheetDraftView } from "../bindings";
import { commands, message, ok } from "../api";
import { t, type Key } from "../i18n";
import { lastMonth } from "../format";
import type { Shared } from "../state";

export type SheetName = "emergency" | "summary" | "report";

const FIELD_LABELS: Record<string, Key> = {
  "summary:to": "sheetFieldTo",
  "summary:course": "sheetFieldCourse",
  "summary:adl": "sheetFieldAdl",
  "summary:problems": "sheetFieldProblems",
  "summary:requests": "sheetFieldRequests",
  "report:course": "sheetFieldReportCourse",
  "report:care": "sheetFieldCare",
  "report:home": "sheetFieldHome",
  "report:special": "sheetFieldSpecial",
};

/** Makes a sheet as a PDF (in the download folder) and offers to open it
 * in the system's viewer, whose print dialog prints it. */
export function PrintButton({
  team,
  sheet,
  month,
  fax,
  english,
  id,
  label,
  before,
}: {
  team: string;
  sheet: SheetName;
  month?: string | null;
  fax?: { to: string; fax: string | null; note: string | null } | null;
  english?: boolean;
  id: string;
  label: string;
  before?: () => Promise<void>;
}) {
  const [path, setPath] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setError(null);
    setBusy(true);
    try {
      if (before) await before();
      setPath(await ok(commands.printSheet(team, sheet, month ?? null, fax ?? null, english ?? false)));
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="print-sheet">
      <button id={id} onClick={run} disabled={busy}>
        {busy ? t("sheetMaking") : label}
      </button>
      {path && (
        <span class="muted" role="status" id={`${id}-status`}>
          {t("sheetSavedTo", { path })}{" "}
          <button
            class="link"
            id={`${id}-open`}
            onClick={() => ok(commands.openSheet(path)).catch((e) => setError(message(e)))}
          >
            {t("sheetOpenToPrint")}
          </button>
        </span>
      )}
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

/** 看護サマリー / 入院時情報提供書 and the monthly 訪問看護報告書: the text
 * drafted from the record, edited here and kept in the record (a colleague
 * can finish it), then printed with an optional FAX cover. */
export function Sheets({ shared, team, sheet }: { shared: Shared; team: string; sheet: "summary" | "report" }) {
  const { go } = shared;
  const [month, setMonth] = useState(lastMonth());
  // Typed as YYYY-MM (WebKitGTK has no month picker); drafts load once it is whole.
  const [monthText, setMonthText] = useState(month);
  const [draft, setDraft] = useState<SheetDraftView | null>(null);
  const [fields, setFields] = useState<DraftField[]>([]);
  const [savedNote, setSavedNote] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [withFax, setWithFax] = useState(false);
  const [faxTo, setFaxTo] = useState("");
  const [faxNumber, setFaxNumber] = useState("");
  const [faxNote, setFaxNote] = useState("");
  const [english, setEnglish] = useState(false);
  const monthArg = sheet === "report" ? month : null;

  useEffect(() => {
    setError(null);
    ok(commands.sheetDraft(team, sheet, monthArg)).then(
      (d) => {
        setDraft(d);
        setFields(d.fields);
      },
      (e) => setError(message(e)),
    );
  }, [team, sheet, monthArg, shared.revision]);

  const save = async () => {
    await ok(commands.saveSheetDraft(team, sheet, monthArg, fields));
    setSavedNote(true);
  };
  const setField = (name: string, text: string) => {
    setSavedNote(false);
    setFields(fields.map((f) => (f.name === name ? { ...f, text } : f)));
  };

  return (
    <section class="sheets">
      <div class="title-row">
        <h1>{t(sheet === "summary" ? "sheetSummaryTitle" : "sheetReportTitle")}</h1>
        <button onClick={() => go({ name: "record", team })}>{t("back")}</button>
      </div>
      <p class="muted">{t(sheet === "summary" ? "sheetSummaryHint" : "sheetReportHint")}</p>
      {sheet === "report" && (
        <label>
          {t("sheetMonth")}{" "}
          <input
            id="sheet-month"
            class="num"
            placeholder={t("sheetMonthFormat")}
            value={monthText}
            onInput={(e) => {
              const v = (e.target as HTMLInputElement).value.trim();
              setMonthText(v);
              if (/^\d{4}-(0[1-9]|1[0-2])$/.test(v)) setMonth(v);
            }}
          />
        </label>
      )}
      {draft?.saved_by && (
        <p class="muted" id="sheet-saved-by">
          {t("sheetSavedBy", { who: draft.saved_by, at: draft.saved_at ?? "" })}
        </p>
      )}
      {fields.map((f) => (
        <label class="sheet-field">
          {t(FIELD_LABELS[`${sheet}:${f.name}`] ?? "sheetFieldCourse")}
          <textarea
            id={`sheet-${f.name}`}
            rows={f.name === "to" ? 1 : 5}
            value={f.text}
            onInput={(e) => setField(f.name, (e.target as HTMLTextAreaElement).value)}
          />
        </label>
      ))}
      <div class="actions">
        <button
          class="primary"
          id="save-draft"
          onClick={() => save().catch((e) => setError(message(e)))}
        >
          {t("sheetSaveDraft")}
        </button>
        {savedNote && (
          <span class="muted" role="status" id="draft-saved">
            {t("sheetDraftSaved")}
          </span>
        )}
      </div>
      <fieldset class="fax-cover">
        <label class="check">
          <input
            type="checkbox"
            id="sheet-fax"
            checked={withFax}
            onChange={(e) => setWithFax((e.target as HTMLInputElement).checked)}
          />
          {t("sheetFaxCover")}
        </label>
        {withFax && (
          <>
            <label>
              {t("sheetFaxTo")}{" "}
              <input id="sheet-fax-to" value={faxTo} onInput={(e) => setFaxTo((e.target as HTMLInputElement).value)} />
            </label>
            <label>
              {t("sheetFaxNumber")}{" "}
              <input
                id="sheet-fax-number"
                value={faxNumber}
                onInput={(e) => setFaxNumber((e.target as HTMLInputElement).value)}
              />
            </label>
            <label>
              {t("sheetFaxNote")}{" "}
              <input id="sheet-fax-note" value={faxNote} onInput={(e) => setFaxNote((e.target as HTMLInputElement).value)} />
            </label>
          </>
        )}
        <label class="check">
          <input
            type="checkbox"
            id="sheet-english"
            checked={english}
            onChange={(e) => setEnglish((e.target as HTMLInputElement).checked)}
          />
          {t("sheetEnglish")}
        </label>
      </fieldset>
      <div class="actions">
        <PrintButton
          team={team}
          sheet={sheet}
          month={monthArg}
          english={english}
          fax={withFax && faxTo.trim() ? { to: faxTo, fax: faxNumber || null, note: faxNote || null } : null}
          id="print-sheet"
          label={t("sheetSaveAndPdf")}
          before={save}
        />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
