import type { OnCallView, PersonForm } from "../bindings";
import { t, type Lang } from "../i18n";
import { formatIsoDate, telHref } from "../format";

/** A person with the numbers to call: 佐藤 花子（つばさ） 電話 090-… FAX … */
export function PersonLine({ person }: { person: PersonForm }) {
  return (
    <span class="person-line">
      <strong>{person.name}</strong>
      {person.organisation && `（${person.organisation}）`}
      {person.phone && (
        <a class="phone" href={telHref(person.phone)}>
          {" "}
          {t("call")} {person.phone}
        </a>
      )}
      {person.fax && (
        <span class="muted">
          {" "}
          {t("fax")} {person.fax}
        </span>
      )}
    </span>
  );
}

/** Who is on call now at one station: the nurse, the 待機医 (the doctors'
 * standby group) and the station's 24-hour phone, each callable. */
export function OnCallCard({ o, lang, id }: { o: OnCallView; lang: Lang; id?: string }) {
  return (
    <div class="on-call" id={id} data-station={o.station_team} data-me={String(o.me)}>
      <div>
        <strong class="station">{o.station}</strong>
        {o.date && <span class="muted small"> {t("dutyDay", { date: formatIsoDate(o.date, lang) })}</span>}
        {o.overridden && <span class="badge">{t("overrideBadge")}</span>}
        {o.me && <span class="badge mine">{t("meOnCall")}</span>}
      </div>
      <div class="on-call-nurse">
        <span class="muted">{t("onCallNurse")}: </span>
        {o.nurse ? <PersonLine person={o.nurse} /> : <span class="muted">{t("nobodyOnCall")}</span>}
      </div>
      <div class="on-call-doctor">
        <span class="muted">{t("standbyDoctor")}: </span>
        {o.doctor ? <PersonLine person={o.doctor} /> : <span class="muted">{t("noStandbyDoctor")}</span>}
      </div>
      {o.phone && (
        <div class="station-phone">
          <span class="muted">{t("stationPhone")}: </span>
          <a class="phone" href={telHref(o.phone)}>
            {t("call")} {o.phone}
          </a>
        </div>
      )}
    </div>
  );
}

/** Every station's on-call now, one card each. */
export function OnCallList({ list, lang, id }: { list: OnCallView[]; lang: Lang; id?: string }) {
  return (
    <ul class="on-call-list" id={id}>
      {list.map((o) => (
        <li key={o.station_team}>
          <OnCallCard o={o} lang={lang} />
        </li>
      ))}
    </ul>
  );
}

/** Today's box: who is on call now at each station, or the way to start a rota. */
export function TodayOnCall({ list, lang, open }: { list: OnCallView[]; lang: Lang; open: () => void }) {
  return (
    <section class="today-on-call card" id="today-on-call" aria-labelledby="today-on-call-h">
      <div class="title-row">
        <h2 id="today-on-call-h">{t("onCallNow")}</h2>
        {list.length > 0 && (
          <button class="link" onClick={open}>
            {t("openRota")}
          </button>
        )}
      </div>
      {list.length === 0 ? (
        <p class="muted">
          <button class="link" id="today-no-rota" onClick={open}>
            {t("noRotaLink")}
          </button>
        </p>
      ) : (
        <OnCallList list={list} lang={lang} />
      )}
    </section>
  );
}
