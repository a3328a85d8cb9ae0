import "./locale-fix";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import type { SyncView, Vocabulary } from "./bindings";
import { commands, events, message, ok } from "./api";
import { setLang, t, type Lang } from "./i18n";
import { formatTime } from "./format";
import type { Route, Shared } from "./state";
import { FirstRun } from "./screens/FirstRun";
import { Today } from "./screens/Today";
import { Record } from "./screens/Record";
import { Visit } from "./screens/Visit";
import { Review } from "./screens/Review";
import { Team } from "./screens/Team";
import { Settings } from "./screens/Settings";
import { Start } from "./screens/Start";
import { EditPatient } from "./screens/EditPatient";
import { SearchBox } from "./screens/Search";
import { SyncPageScreen } from "./screens/SyncPage";

function SyncBar({ sync, open }: { sync: SyncView | null; open: () => void }) {
  if (!sync) return null;
  const state = !sync.relay ? t("noRelay") : sync.online ? t("online") : t("offline");
  return (
    <div class="syncbar" id="sync-state" data-online={String(sync.online)} data-pending={sync.pending} role="status">
      <span class={`dot ${sync.online ? "on" : "off"}`} aria-hidden="true" />
      <button class="link" id="open-sync" onClick={open}>
        {state}
      </button>
      {sync.pending > 0 && <span class="badge">{t("pending", { n: sync.pending })}</span>}
      {sync.last_synced != null && <span class="muted">{t("lastSync", { time: formatTime(sync.last_synced) })}</span>}
      {sync.quarantined > 0 && <span class="badge warn">{t("quarantined", { n: sync.quarantined })}</span>}
      <button class="link" onClick={() => commands.syncNow()}>
        {t("syncNow")}
      </button>
    </div>
  );
}

function App() {
  const [route, go] = useState<Route | null>(null);
  const [vocab, setVocab] = useState<Vocabulary | null>(null);
  const [lang, setLangState] = useState<Lang>("ja");
  const [era, setEra] = useState(localStorage.getItem("era") === "1");
  const [revision, setRevision] = useState(0);
  const [sync, setSync] = useState<SyncView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    (async () => {
      try {
        setVocab(await commands.vocabulary());
        const me = await ok(commands.profile());
        if (me) {
          const l = me.language === "en" ? "en" : "ja";
          setLang(l);
          setLangState(l);
          go({ name: "today" });
          setSync(await ok(commands.syncStatus()));
        } else {
          go({ name: "first-run" });
        }
      } catch (e) {
        setError(message(e));
      }
    })();
    const unlisten = [
      events.recordsChanged.listen(() => setRevision((r) => r + 1)),
      events.syncChanged.listen((e) => setSync(e.payload.sync)),
    ];
    return () => unlisten.forEach((p) => p.then((f) => f()));
  }, []);

  useEffect(() => {
    if (route && route.name !== "first-run") ok(commands.syncStatus()).then(setSync, () => {});
  }, [route, revision]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!route || !vocab) return <p class="muted">…</p>;

  const shared: Shared = {
    vocab,
    lang,
    era,
    go,
    revision,
    setLang: (l) => {
      setLang(l);
      setLangState(l);
      ok(commands.setLanguage(l)).catch((e) => setError(message(e)));
    },
    setEra: (e) => {
      localStorage.setItem("era", e ? "1" : "0");
      setEra(e);
    },
  };
  const nav = (name: "today" | "review" | "settings", key: "navToday" | "navReview" | "navSettings") => (
    <button
      id={`nav-${name}`}
      class={route.name === name ? "nav active" : "nav"}
      aria-current={route.name === name ? "page" : undefined}
      onClick={() => go({ name } as Route)}
    >
      {t(key)}
    </button>
  );

  return (
    <div class="shell" lang={lang}>
      {route.name !== "first-run" && (
        <header class="top">
          <strong class="brand">{t("appName")}</strong>
          <nav>
            {nav("today", "navToday")}
            {nav("review", "navReview")}
            {nav("settings", "navSettings")}
          </nav>
          <SearchBox shared={shared} />
          <SyncBar sync={sync} open={() => go({ name: "sync" })} />
        </header>
      )}
      <main>
        {route.name === "first-run" && <FirstRun shared={shared} />}
        {route.name === "today" && <Today shared={shared} />}
        {route.name === "start" && <Start shared={shared} />}
        {route.name === "edit" && <EditPatient shared={shared} team={route.team} />}
        {route.name === "record" && <Record shared={shared} team={route.team} entry={route.entry} key={`${route.team}-${route.entry ?? ""}`} />}
        {route.name === "visit" && <Visit shared={shared} team={route.team} planned={route.planned} sync={sync} />}
        {route.name === "review" && <Review shared={shared} />}
        {route.name === "team" && <Team shared={shared} team={route.team} />}
        {route.name === "settings" && <Settings shared={shared} sync={sync} />}
        {route.name === "sync" && <SyncPageScreen shared={shared} />}
      </main>
    </div>
  );
}

render(<App />, document.getElementById("app")!);
