import { commands, message, ok } from "../api";
import { t, hasKey } from "../i18n";
import { formatDateTime } from "../format";
import { useLoad } from "../hooks";
import { flagText } from "../logic";
import type { Shared } from "../state";

/** The station manager: what changed since my last review, by whom, and
 * where two laptops wrote different values at the same time. */
export function Review({ shared }: { shared: Shared }) {
  const { lang, go, revision } = shared;
  const { data, error, reload } = useLoad(() => ok(commands.review()), [revision]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return <p class="muted">…</p>;
  const mark = (team: string) => ok(commands.markReviewed(team)).then(reload, (e) => alert(message(e)));
  const kind = (k: string) => {
    const key = `changeKind_${k}`;
    return hasKey(key) ? t(key) : k;
  };
  return (
    <div class="review" id="review">
      <h1>{t("reviewTitle")}</h1>
      {data.map((team) => (
        <section class="card review-team" key={team.team} data-team={team.team}>
          <h2>
            <button class="link" onClick={() => go({ name: "record", team: team.team })}>
              {team.patient}
            </button>
            {team.sample && <span class="badge sample">{t("sample")}</span>}
          </h2>
          <p class="muted">
            {team.last_review != null
              ? t("sinceReview", { time: formatDateTime(team.last_review, lang) })
              : t("neverReviewed")}
          </p>
          {team.reviewers.length > 0 && (
            <p class="muted reviewers">
              {team.reviewers
                .map((r) => t("reviewedBy", { name: r.name, time: formatDateTime(r.at, lang) }))
                .join("、")}
            </p>
          )}
          {team.unacknowledged.map((u) => (
            <p class="flags urgent" key={u.id}>
              {t("unacknowledged")}: {u.kind === "vitals" ? u.flags.map(flagText).join("、") : u.text}（{u.author} {formatDateTime(u.at, lang)}）
            </p>
          ))}
          {team.conflicts.map((c) => {
            const field = lang === "ja" ? c.label_ja : c.label_en;
            return (
              <div class="conflict" key={c.path.join(".")} data-field={c.path.join(".")}>
                <strong>{t("sameTime")}</strong>{" "}
                <span class="conflict-label">{c.entry ? t("conflictEntry", { entry: c.entry, label: field }) : field}</span>
                <div class="side-by-side">
                  {c.values.map((v, i) => (
                    <div class="version">
                      <p class="conflict-value">{lang === "ja" ? v.words_ja : v.words_en}</p>
                      <p class="muted">
                        {v.author} {v.at != null ? formatDateTime(v.at, lang) : ""}
                      </p>
                      <button
                        class="settle"
                        onClick={() =>
                          ok(commands.settleConflict(team.team, c.path, i)).then(
                            () => reload(),
                            (e) => alert(message(e)),
                          )
                        }
                      >
                        {t("settle")}
                      </button>
                    </div>
                  ))}
                </div>
              </div>
            );
          })}
          {team.changes.length === 0 ? (
            <p class="muted">{t("noChanges")}</p>
          ) : (
            <table class="changes">
              <tbody>
                {team.changes.slice(0, 30).map((c) => (
                  <tr class={c.urgent ? "urgent" : ""}>
                    <td>{formatDateTime(c.at, lang)}</td>
                    <td>{kind(c.kind)}</td>
                    <td>{c.summary}</td>
                    <td>
                      {c.author}
                      <span class="muted">・{c.organisation}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {team.changes.length > 30 && <p class="muted">… +{team.changes.length - 30}</p>}
          <button class="mark-reviewed" onClick={() => mark(team.team)}>
            {t("markReviewed")}
          </button>
        </section>
      ))}
    </div>
  );
}
