import { useState } from "preact/hooks";
import type { DirectoryQuery, EntryForm, EntryView } from "../bindings";
import { commands, message, ok } from "../api";
import { t } from "../i18n";
import { useLoad } from "../hooks";
import { formatDateTime, telHref } from "../format";
import { label, type Shared } from "../state";

const emptyQuery: DirectoryQuery = { text: "", kind: null, specialty: "", home_visits: false, accepts: [], bed: null };

const emptyForm: EntryForm = {
  name: "",
  kind: "clinic",
  specialties: [],
  home_visits: false,
  area: "",
  hours: "",
  phone_24h: null,
  phone: null,
  fax: null,
  address: null,
  accepts: [],
  notes: "",
};

/** How old a figure is, in words: 12分前, 3時間前, 2日前. */
export function ageText(minutes: number): string {
  if (minutes < 60) return t("ageMinutes", { n: Math.max(0, minutes) });
  if (minutes < 24 * 60) return t("ageHours", { n: Math.floor(minutes / 60) });
  return t("ageDays", { n: Math.floor(minutes / (24 * 60)) });
}

/** The region's directory (地域の医療・介護資源): who does what, who accepts
 * what, and today's free beds with how old each figure is. Each
 * organisation keeps its own entry; a patient's record opens it filtered
 * by what the patient needs ("who can take this patient"). */
export function Directory({ shared, forPatient }: { shared: Shared; forPatient?: string }) {
  const { data: dirs, reload: reloadDirs } = useLoad(() => ok(commands.directories()), [shared.revision]);
  const [chosen, setChosen] = useState<string | null>(null);
  const team = chosen ?? dirs?.[0]?.team ?? null;
  const [query, setQuery] = useState<DirectoryQuery>(emptyQuery);
  const [patient, setPatient] = useState<string | undefined>(forPatient);
  const { data: view, error, reload } = useLoad(
    () => (team ? ok(commands.directory(team, query, patient ?? null)) : Promise.resolve(null)),
    [team, JSON.stringify(query), patient, shared.revision],
  );
  const [editing, setEditing] = useState<{ id: string | null; form: EntryForm } | null>(null);
  const [newName, setNewName] = useState("");
  const [fail, setFail] = useState<string | null>(null);

  if (!dirs) return <p class="muted">…</p>;
  if (!team)
    return (
      <div class="directory" id="directory">
        <h1>{t("directoryTitle")}</h1>
        <p class="muted">{t("directoryNone")}</p>
        <form
          class="stack"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              setChosen(await ok(commands.createDirectory(newName)));
              reloadDirs();
            } catch (err) {
              setFail(message(err));
            }
          }}
        >
          <label class="field wide">
            <span>{t("directoryName")}</span>
            <input id="directory-name" value={newName} onInput={(e) => setNewName((e.target as HTMLInputElement).value)} />
          </label>
          <button class="primary" id="directory-create" disabled={!newName.trim()}>
            {t("directoryCreate")}
          </button>
          {fail && (
            <p class="error" role="alert">
              {fail}
            </p>
          )}
        </form>
      </div>
    );

  const set = (patch: Partial<DirectoryQuery>) => setQuery({ ...query, ...patch });
  const toggle = (list: string[], code: string, on: boolean) => (on ? [...list.filter((c) => c !== code), code] : list.filter((c) => c !== code));
  const { vocab, lang } = shared;
  const accepted = (codes: string[]) => codes.map((c) => label(vocab.acceptances, c, lang)).join("・");

  return (
    <div class="directory" id="directory">
      <h1>
        {t("directoryTitle")} <span class="muted small">{view?.name}</span>
      </h1>
      {dirs.length > 1 && (
        <select id="directory-choose" value={team} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
          {dirs.map((d) => (
            <option value={d.team} key={d.team}>
              {d.name}
            </option>
          ))}
        </select>
      )}
      {view?.for_patient && (
        <p class="notice" id="dir-for-patient" role="status">
          {t("whoCanTake", { name: view.for_patient, needs: view.needs.length ? accepted(view.needs) : t("noNeeds") })}{" "}
          <button class="link" onClick={() => setPatient(undefined)}>
            {t("clearFilter")}
          </button>
        </p>
      )}
      <form class="dir-filters" onSubmit={(e) => e.preventDefault()}>
        <label class="field">
          <span>{t("dirText")}</span>
          <input id="dir-text" value={query.text} onInput={(e) => set({ text: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="field">
          <span>{t("dirKind")}</span>
          <select id="dir-kind" value={query.kind ?? ""} onChange={(e) => set({ kind: (e.target as HTMLSelectElement).value || null })}>
            <option value="">{t("any")}</option>
            {vocab.org_kinds.map((k) => (
              <option value={k.code} key={k.code}>
                {label(vocab.org_kinds, k.code, lang)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t("dirSpecialty")}</span>
          <input id="dir-specialty" value={query.specialty} onInput={(e) => set({ specialty: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="field">
          <span>{t("dirBed")}</span>
          <select id="dir-bed" value={query.bed ?? ""} onChange={(e) => set({ bed: (e.target as HTMLSelectElement).value || null })}>
            <option value="">{t("any")}</option>
            {vocab.bed_kinds.map((k) => (
              <option value={k.code} key={k.code}>
                {label(vocab.bed_kinds, k.code, lang)}
              </option>
            ))}
          </select>
        </label>
        <label class="tick">
          <input id="dir-home-visits" type="checkbox" checked={query.home_visits} onChange={(e) => set({ home_visits: (e.target as HTMLInputElement).checked })} />
          {t("dirHomeVisits")}
        </label>
        <fieldset class="ticks">
          <legend>{t("dirAccepts")}</legend>
          {vocab.acceptances.map((a) => (
            <label class="tick" key={a.code}>
              <input
                id={`dir-accepts-${a.code}`}
                type="checkbox"
                checked={query.accepts.includes(a.code)}
                onChange={(e) => set({ accepts: toggle(query.accepts, a.code, (e.target as HTMLInputElement).checked) })}
              />
              {label(vocab.acceptances, a.code, lang)}
            </label>
          ))}
        </fieldset>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {view && (
        <p class="muted" id="dir-count">
          {t("dirCount", { n: view.entries.length, total: view.total })}
        </p>
      )}
      <button id="dir-add" onClick={() => setEditing({ id: null, form: emptyForm })}>
        {t("dirAdd")}
      </button>
      {editing && (
        <EntryFormBox
          shared={shared}
          team={team}
          editing={editing}
          done={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      <ul class="plain dir-list">
        {view?.entries.map((e) => (
          <EntryCard
            key={e.id}
            shared={shared}
            team={team}
            entry={e}
            edit={() => setEditing({ id: e.id, form: formOf(e) })}
            changed={reload}
          />
        ))}
      </ul>
    </div>
  );
}

function formOf(e: EntryView): EntryForm {
  return {
    name: e.name,
    kind: e.kind,
    specialties: e.specialties,
    home_visits: e.home_visits,
    area: e.area,
    hours: e.hours,
    phone_24h: e.phone_24h,
    phone: e.phone,
    fax: e.fax,
    address: e.address,
    accepts: e.accepts,
    notes: e.notes,
  };
}

function EntryCard({ shared, team, entry: e, edit, changed }: { shared: Shared; team: string; entry: EntryView; edit: () => void; changed: () => void }) {
  const { vocab, lang } = shared;
  const [bedKind, setBedKind] = useState(e.beds[0]?.kind ?? "general");
  const [free, setFree] = useState("");
  const [asOf, setAsOf] = useState("");
  const [fail, setFail] = useState<string | null>(null);
  const post = async () => {
    setFail(null);
    try {
      await ok(commands.postBeds(team, e.id, bedKind, Number(free), asOf.trim() || null));
      setFree("");
      setAsOf("");
      changed();
    } catch (err) {
      setFail(message(err));
    }
  };
  return (
    <li class="card dir-entry" data-id={e.id} data-name={e.name}>
      <h3>
        {e.name} <span class="muted small">{label(vocab.org_kinds, e.kind, lang)}</span>{" "}
        {e.home_visits && <span class="badge">{t("dirHomeVisits")}</span>}
      </h3>
      {e.specialties.length > 0 && <p>{e.specialties.join("・")}</p>}
      <dl class="dir-facts">
        {e.area && (
          <>
            <dt>{t("dirArea")}</dt>
            <dd>{e.area}</dd>
          </>
        )}
        {e.hours && (
          <>
            <dt>{t("dirHours")}</dt>
            <dd>{e.hours}</dd>
          </>
        )}
        {e.phone_24h && (
          <>
            <dt>{t("dirPhone24")}</dt>
            <dd>
              <a href={telHref(e.phone_24h)}>{e.phone_24h}</a>
            </dd>
          </>
        )}
        {e.phone && (
          <>
            <dt>{t("phone")}</dt>
            <dd>
              <a href={telHref(e.phone)}>{e.phone}</a>
            </dd>
          </>
        )}
        {e.fax && (
          <>
            <dt>{t("fax")}</dt>
            <dd>{e.fax}</dd>
          </>
        )}
        {e.accepts.length > 0 && (
          <>
            <dt>{t("dirAccepts")}</dt>
            <dd class="dir-accepts">{e.accepts.map((c) => label(vocab.acceptances, c, lang)).join("・")}</dd>
          </>
        )}
      </dl>
      {e.notes && <p class="muted">{e.notes}</p>}
      {e.beds.length > 0 && (
        <table class="beds">
          <caption>{t("dirBeds")}</caption>
          <tbody>
            {e.beds.map((b) => (
              <tr class="bed" key={b.kind} data-kind={b.kind} data-stale={String(b.stale)}>
                <th>{label(vocab.bed_kinds, b.kind, lang)}</th>
                <td class="bed-free">{t("bedFree", { n: b.free })}</td>
                <td class="bed-age">
                  {ageText(b.age_minutes)}（{formatDateTime(b.posted_at, lang)}・{b.by}）{" "}
                  {b.stale && <span class="badge warn bed-stale">{t("bedStale")}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted small">
        {t("dirKeptBy", { name: e.keeper, by: e.updated_by, at: formatDateTime(e.updated_at, lang) })}
      </p>
      {e.editable && (
        <div class="actions">
          <button class="dir-edit" onClick={edit}>
            {t("edit")}
          </button>
          <select class="bed-kind" aria-label={t("dirBed")} value={bedKind} onChange={(ev) => setBedKind((ev.target as HTMLSelectElement).value)}>
            {vocab.bed_kinds.map((k) => (
              <option value={k.code} key={k.code}>
                {label(vocab.bed_kinds, k.code, lang)}
              </option>
            ))}
          </select>
          <input class="bed-input" type="number" min="0" aria-label={t("dirBedFree")} value={free} onInput={(ev) => setFree((ev.target as HTMLInputElement).value)} />
          <input class="bed-as-of" size={8} aria-label={t("dirBedAsOf")} placeholder={t("dirBedAsOfHint")} value={asOf} onInput={(ev) => setAsOf((ev.target as HTMLInputElement).value)} />
          <button class="bed-post" disabled={free === ""} onClick={post}>
            {t("dirPostBeds")}
          </button>
        </div>
      )}
      {fail && (
        <p class="error" role="alert">
          {fail}
        </p>
      )}
    </li>
  );
}

function EntryFormBox({
  shared,
  team,
  editing,
  done,
}: {
  shared: Shared;
  team: string;
  editing: { id: string | null; form: EntryForm };
  done: () => void;
}) {
  const { vocab, lang } = shared;
  const [form, setForm] = useState<EntryForm>(editing.form);
  // Typed as one line; split at 、 when saved (splitting while typing
  // would swallow the 、 just typed).
  const [specialties, setSpecialties] = useState(editing.form.specialties.join("、"));
  const [fail, setFail] = useState<string | null>(null);
  const set = (patch: Partial<EntryForm>) => setForm({ ...form, ...patch });
  const text = (id: string, key: "name" | "area" | "hours", title: string) => (
    <label class="field wide">
      <span>{title}</span>
      <input id={id} value={form[key]} onInput={(e) => set({ [key]: (e.target as HTMLInputElement).value })} />
    </label>
  );
  const optional = (id: string, key: "phone_24h" | "phone" | "fax" | "address", title: string) => (
    <label class="field">
      <span>{title}</span>
      <input id={id} value={form[key] ?? ""} onInput={(e) => set({ [key]: (e.target as HTMLInputElement).value || null })} />
    </label>
  );
  const save = async (e: Event) => {
    e.preventDefault();
    setFail(null);
    const typed = {
      ...form,
      specialties: specialties
        .split(/[、,，]/)
        .map((x) => x.trim())
        .filter(Boolean),
    };
    try {
      if (editing.id) await ok(commands.editDirectoryEntry(team, editing.id, typed));
      else await ok(commands.addDirectoryEntry(team, typed));
      done();
    } catch (err) {
      setFail(message(err));
    }
  };
  return (
    <form class="card stack" id="entry-form" onSubmit={save}>
      <h2>{editing.id ? t("dirEditTitle") : t("dirAdd")}</h2>
      {text("entry-name", "name", t("dirName"))}
      <label class="field">
        <span>{t("dirKind")}</span>
        <select id="entry-kind" value={form.kind} onChange={(e) => set({ kind: (e.target as HTMLSelectElement).value })}>
          {vocab.org_kinds.map((k) => (
            <option value={k.code} key={k.code}>
              {label(vocab.org_kinds, k.code, lang)}
            </option>
          ))}
        </select>
      </label>
      <label class="field wide">
        <span>{t("dirSpecialties")}</span>
        <input id="entry-specialties" value={specialties} onInput={(e) => setSpecialties((e.target as HTMLInputElement).value)} />
      </label>
      <label class="tick">
        <input id="entry-home-visits" type="checkbox" checked={form.home_visits} onChange={(e) => set({ home_visits: (e.target as HTMLInputElement).checked })} />
        {t("dirHomeVisits")}
      </label>
      {text("entry-area", "area", t("dirArea"))}
      {text("entry-hours", "hours", t("dirHours"))}
      {optional("entry-phone24", "phone_24h", t("dirPhone24"))}
      {optional("entry-phone", "phone", t("phone"))}
      {optional("entry-fax", "fax", t("fax"))}
      {optional("entry-address", "address", t("address"))}
      <fieldset class="ticks">
        <legend>{t("dirAccepts")}</legend>
        {vocab.acceptances.map((a) => (
          <label class="tick" key={a.code}>
            <input
              id={`entry-accepts-${a.code}`}
              type="checkbox"
              checked={form.accepts.includes(a.code)}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                set({ accepts: on ? [...form.accepts.filter((c) => c !== a.code), a.code] : form.accepts.filter((c) => c !== a.code) });
              }}
            />
            {label(vocab.acceptances, a.code, lang)}
          </label>
        ))}
      </fieldset>
      <label class="field wide">
        <span>{t("dirNotes")}</span>
        <textarea id="entry-notes" rows={2} value={form.notes} onInput={(e) => set({ notes: (e.target as HTMLTextAreaElement).value })} />
      </label>
      {fail && (
        <p class="error" role="alert">
          {fail}
        </p>
      )}
      <div class="actions">
        <button class="primary" id="entry-save">
          {t("save")}
        </button>
        <button type="button" onClick={done}>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}
