import "./locale-fix";
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import type { LockView, SyncView, UnlockedView, Vocabulary } from "./bindings";
import { commands, events, message, ok, whenLocked } from "./api";
import { DEFAULT_LOCK_MINUTES, idleExpired } from "./logic";
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
import { Encrypt, RecoveryKey, Unlock } from "./screens/Lock";
import { Directory } from "./screens/Directory";
import { Audit } from "./screens/Audit";
import { OnCall } from "./screens/OnCall";
import { Instructions } from "./screens/Instructions";
import { ImportFhir } from "./screens/ImportFhir";
import { Sheets } from "./screens/Sheets";
import { ImportDevice } from "./screens/ImportDevice";

/** What the window may show: the first run, a profile to encrypt, the
 * Unlock screen, the recovery key once, or the app itself. */
type Gate = "first-run" | "encrypt" | "locked" | "recovery-key" | "open";

/** What counts as someone using the window. */
const ACTIVITY = ["keydown", "mousedown", "mousemove", "wheel", "touchstart", "focus"] as const;

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
  const [gate, setGate] = useState<Gate | null>(null);
  const [lockView, setLockView] = useState<LockView | null>(null);
  const [recoveryKey, setRecoveryKey] = useState<string | null>(null);
  const [lockAfter, setLockAfter] = useState(DEFAULT_LOCK_MINUTES);
  // Unlocked (a profile exists and is open): the idle lock runs.
  const [unlocked, setUnlocked] = useState(false);
  const lastActivity = useRef(Date.now());

  const applyLanguage = (language: string) => {
    const l = language === "en" ? "en" : "ja";
    setLang(l);
    setLangState(l);
  };
  /** The profile is open: its language and lock time; back to where the window was. */
  const opened = (v: UnlockedView) => {
    applyLanguage(v.device.language);
    setLockAfter(v.lock_after_minutes || DEFAULT_LOCK_MINUTES);
    setUnlocked(true);
    setGate((g) => (g === "first-run" ? "open" : g));
    lastActivity.current = Date.now();
  };
  const showLocked = () => {
    setUnlocked(false);
    setGate((g) => (g === "encrypt" || g === "first-run" ? g : "locked"));
    ok(commands.lockState()).then(setLockView, () => {});
  };
  const lockNow = async () => {
    try {
      await ok(commands.lock());
    } catch {}
    showLocked();
  };
  const afterUnlock = (v: UnlockedView) => {
    opened(v);
    if (v.recovery_key) {
      setRecoveryKey(v.recovery_key);
      setGate("recovery-key");
    } else {
      setGate("open");
    }
    go((r) => (r && r.name !== "first-run" ? r : { name: "today" }));
    ok(commands.syncStatus()).then(setSync, () => {});
  };

  useEffect(() => {
    whenLocked(showLocked);
    (async () => {
      try {
        setVocab(await commands.vocabulary());
        const lock = await ok(commands.lockState());
        setLockView(lock);
        if (lock.state === "new") {
          go({ name: "first-run" });
          setGate("first-run");
        } else if (lock.state === "plaintext") {
          setGate("encrypt");
        } else if (lock.state === "locked") {
          setGate("locked");
        } else {
          const me = await ok(commands.profile());
          if (!me) {
            go({ name: "first-run" });
            setGate("first-run");
            return;
          }
          const security = await ok(commands.securitySettings());
          opened({ device: me, recovery_key: null, lock_after_minutes: security.lock_after_minutes });
          go({ name: "today" });
          setGate("open");
          setSync(await ok(commands.syncStatus()));
        }
      } catch (e) {
        setError(message(e));
      }
    })();
    const unlisten = [
      events.recordsChanged.listen(() => setRevision((r) => r + 1)),
      events.syncChanged.listen((e) => setSync(e.payload.sync)),
      // The desktop locked its screen: so did the window.
      events.locked.listen(() => showLocked()),
    ];
    return () => unlisten.forEach((p) => p.then((f) => f()));
  }, []);

  // The idle lock: any use of the window counts; checked every few seconds.
  useEffect(() => {
    if (!unlocked) return;
    lastActivity.current = Date.now();
    const touch = () => (lastActivity.current = Date.now());
    for (const name of ACTIVITY) window.addEventListener(name, touch, { capture: true, passive: true });
    const timer = setInterval(() => {
      if (idleExpired(lastActivity.current, Date.now(), lockAfter)) lockNow();
    }, 5000);
    return () => {
      clearInterval(timer);
      for (const name of ACTIVITY) window.removeEventListener(name, touch, { capture: true });
    };
  }, [unlocked, lockAfter]);

  useEffect(() => {
    if (route && route.name !== "first-run" && gate === "open") ok(commands.syncStatus()).then(setSync, () => {});
  }, [route, revision, gate]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!vocab || !gate) return <p class="muted">…</p>;
  // Locked: nothing of a patient on screen; the route is kept for after.
  if (gate === "locked")
    return (
      <div class="shell" lang={lang}>
        <main>
          <Unlock lock={lockView} done={afterUnlock} />
        </main>
      </div>
    );
  if (gate === "encrypt")
    return (
      <div class="shell" lang={lang}>
        <main>
          <Encrypt lock={lockView} done={afterUnlock} />
        </main>
      </div>
    );
  if (gate === "recovery-key" && recoveryKey)
    return (
      <div class="shell" lang={lang}>
        <main>
          <RecoveryKey
            keyText={recoveryKey}
            onContinue={() => {
              setRecoveryKey(null);
              setGate("open");
            }}
          />
        </main>
      </div>
    );
  if (!route) return <p class="muted">…</p>;

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
    unlocked: opened,
    setLockAfter,
  };
  const nav = (
    name: "today" | "oncall" | "directory" | "review" | "settings" | "audit",
    key: "navToday" | "navOnCall" | "navDirectory" | "navReview" | "navSettings" | "navAudit",
  ) => (
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
            {nav("oncall", "navOnCall")}
            {nav("directory", "navDirectory")}
            {nav("review", "navReview")}
            {nav("settings", "navSettings")}
            {nav("audit", "navAudit")}
          </nav>
          <SearchBox shared={shared} />
          <SyncBar sync={sync} open={() => go({ name: "sync" })} />
          {unlocked && (
            <button class="nav" id="lock-now" onClick={lockNow}>
              {t("lockNow")}
            </button>
          )}
        </header>
      )}
      <main>
        {route.name === "first-run" && <FirstRun shared={shared} lock={lockView} />}
        {route.name === "today" && <Today shared={shared} />}
        {route.name === "start" && <Start shared={shared} />}
        {route.name === "edit" && <EditPatient shared={shared} team={route.team} />}
        {route.name === "record" && (
          <Record shared={shared} team={route.team} entry={route.entry} via={route.via} key={`${route.team}-${route.entry ?? ""}`} />
        )}
        {route.name === "visit" && <Visit shared={shared} team={route.team} planned={route.planned} sync={sync} />}
        {route.name === "review" && <Review shared={shared} />}
        {route.name === "team" && <Team shared={shared} team={route.team} station={route.station} key={route.team} />}
        {route.name === "oncall" && <OnCall shared={shared} />}
        {route.name === "instructions" && <Instructions shared={shared} team={route.team} key={route.team} />}
        {route.name === "import-vitals" && <ImportDevice shared={shared} team={route.team} key={route.team} />}
        {route.name === "sheets" && (
          <Sheets shared={shared} team={route.team} sheet={route.sheet} key={`${route.team}-${route.sheet}`} />
        )}
        {route.name === "import" && <ImportFhir shared={shared} team={route.team} key={route.team ?? "new"} />}
        {route.name === "settings" && <Settings shared={shared} sync={sync} />}
        {route.name === "sync" && <SyncPageScreen shared={shared} />}
        {route.name === "audit" && <Audit shared={shared} />}
        {route.name === "directory" && <Directory shared={shared} forPatient={route.forPatient} key={route.forPatient ?? "all"} />}
      </main>
    </div>
  );
}

render(<App />, document.getElementById("app")!);
