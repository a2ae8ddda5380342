/**
 * Coverage (应检尽检) of the place and period on screen: expected, sampled, not yet, exempt and the rate, then one
 * line per district, street, site or (at a site) grid. Asked again every 15 s while shown; a site's grids link to
 * their not-yet-sampled lists.
 */
import { useEffect, useState } from "react";
import { Link } from "wouter";
import type { Coverage, CoverageFigures, CoverageQuery } from "../../../domain/roster";
import { useExplain } from "../ConsoleApp";
import { consoleApi, searchOf } from "../consoleApi";
import { type ConsoleMessageKey, useConsoleI18n } from "../consoleI18n";
import { useConsoleSession } from "../consoleSession";

const COVERAGE_POLL_MS = 15_000;

/** The not-yet-sampled list of a site (a grid of it), for the period asked about. */
export function unsampledHref(query: CoverageQuery, site: string, child?: { grid: string; community?: string }) {
  return `/rosters/unsampled${searchOf({
    site,
    ...(child ? { grid: child.grid, community: child.community ?? "" } : {}),
    round: query.round,
    day: query.round ? undefined : query.day,
  })}`;
}

export function CoveragePanel({
  query,
  drillHref,
}: {
  query: CoverageQuery;
  /** Where a district, street or site line leads (the dashboard's own drill-down); none: not a link. */
  drillHref?: (level: "district" | "street" | "site", key: string) => string;
}) {
  const { t } = useConsoleI18n();
  const explain = useExplain();
  const token = useConsoleSession()?.token ?? "";
  const [coverage, setCoverage] = useState<Coverage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(query);

  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for query
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setCoverage(null);
    setError(null);
    const tick = async () => {
      if (!document.hidden) {
        try {
          const next = await consoleApi.coverage(token, query);
          if (stopped) return;
          setCoverage(next);
          setError(null);
        } catch (e) {
          if (!stopped) setError(explain(e));
        }
      }
      if (!stopped) timer = setTimeout(() => void tick(), COVERAGE_POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [token, key]);

  const percent = (f: CoverageFigures) => (f.percent === null ? "—" : `${f.percent.toFixed(1)}%`);
  const site = query.site;
  return (
    <section aria-labelledby="coverage-title" className="coverage" data-testid="coverage">
      <h2 id="coverage-title" className="dashboard-h2">
        {t("coverageTitle")}
      </h2>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      {coverage && coverage.totals.entries === 0 && <p className="console-figures">{t("covNoRoster")}</p>}
      {coverage && coverage.totals.entries > 0 && (
        <>
          <div className="card dashboard-card coverage-card">
            <dl>
              {(
                [
                  ["covPercent", percent(coverage.totals), "cov-percent"],
                  ["covExpected", coverage.totals.expected.toLocaleString(), "cov-expected"],
                  ["covSampled", coverage.totals.sampled.toLocaleString(), "cov-sampled"],
                  ["covUnsampled", coverage.totals.unsampled.toLocaleString(), "cov-unsampled"],
                  ["covExempt", coverage.totals.exempt.toLocaleString(), "cov-exempt"],
                ] as [ConsoleMessageKey, string, string][]
              ).map(([label, value, testId]) => (
                <div key={label}>
                  <dt>{t(label)}</dt>
                  <dd data-testid={testId}>{value}</dd>
                </div>
              ))}
            </dl>
            {site && (
              <Link href={unsampledHref(query, site)} data-testid="unsampled-site-link">
                {t("unsampledLink")}
              </Link>
            )}
          </div>
          <div className="console-table-wrap">
            <table className="console-table" data-testid="coverage-children">
              <thead>
                <tr>
                  <th>{t(`children_${coverage.children[0]?.level ?? "grid"}` as ConsoleMessageKey)}</th>
                  {coverage.level === "site" && <th>{t("community")}</th>}
                  <th className="num">{t("covExpected")}</th>
                  <th className="num">{t("covSampled")}</th>
                  <th className="num">{t("covUnsampled")}</th>
                  <th className="num">{t("covExempt")}</th>
                  <th className="num">{t("covPercent")}</th>
                </tr>
              </thead>
              <tbody>
                {coverage.children.map((c) => (
                  <tr key={`${c.community ?? ""}\u0000${c.key}`} data-testid="coverage-child">
                    <td>
                      {c.level === "grid" && site ? (
                        <Link
                          href={unsampledHref(query, site, {
                            grid: c.key,
                            ...(c.community ? { community: c.community } : {}),
                          })}
                          aria-label={`${c.label}: ${t("unsampledLink")}`}
                        >
                          {c.label}
                        </Link>
                      ) : c.level !== "grid" && drillHref ? (
                        <Link href={drillHref(c.level, c.key)}>{c.label}</Link>
                      ) : (
                        c.label
                      )}
                    </td>
                    {coverage.level === "site" && <td>{c.community || "—"}</td>}
                    <td className="num">{c.figures.expected.toLocaleString()}</td>
                    <td className="num" data-testid="child-sampled">
                      {c.figures.sampled.toLocaleString()}
                    </td>
                    <td className="num">{c.figures.unsampled.toLocaleString()}</td>
                    <td className="num">{c.figures.exempt.toLocaleString()}</td>
                    <td className="num">{percent(c.figures)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
