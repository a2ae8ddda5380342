/**
 * The command centre: city → district → street → site, for today, a day or a round. Figures, a chart of
 * registrations per ten minutes, places to drill into, sites (sortable; silent ones marked), devices, conflicts and
 * lab turnaround. The figures are asked for again every few seconds (short polling), paused while the tab is hidden.
 */
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { Link, useLocation, useSearchParams } from "wouter";
import { DASHBOARD_POLL_MS, type Dashboard, type DashboardQuery, type Figures } from "../../../domain/command";
import { useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { type ConsoleMessageKey, useConsoleI18n } from "../consoleI18n";
import { useConsoleSession } from "../consoleSession";
import { CoveragePanel } from "../rosters/CoveragePanel";
import { ExportPanel } from "./ExportPanel";

const DashboardChart = lazy(() => import("./DashboardChart"));

const QUERY_KEYS = ["district", "street", "site", "round", "day"] as const;

/** The link to a place or period: the current query with some keys changed (undefined removes one). */
function hrefOf(current: URLSearchParams, change: Partial<Record<(typeof QUERY_KEYS)[number], string | undefined>>) {
  const next = new URLSearchParams();
  for (const key of QUERY_KEYS) {
    const value = key in change ? change[key] : (current.get(key) ?? undefined);
    if (value !== undefined && value !== "") next.set(key, value);
  }
  const search = next.toString();
  return `/command${search ? `?${search}` : ""}`;
}

/** The link one level down: a district of the city, a street of a district, a site. */
function drillHref(params: URLSearchParams, district: string | null, level: string, key: string) {
  return level === "district"
    ? hrefOf(params, { district: key, street: undefined, site: undefined })
    : level === "street"
      ? hrefOf(params, { district: district ?? "", street: key, site: undefined })
      : hrefOf(params, { site: key });
}

export function DashboardScreen() {
  const { t, lang } = useConsoleI18n();
  const explain = useExplain();
  const token = useConsoleSession()?.token ?? "";
  const [params] = useSearchParams();
  const [, navigate] = useLocation();
  const query = useMemo<DashboardQuery>(() => {
    const q: DashboardQuery = {};
    for (const key of QUERY_KEYS) {
      const value = params.get(key);
      if (value) q[key] = value;
    }
    return q;
  }, [params]);
  const queryKey = JSON.stringify(query);
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(true);

  // Another place or period: the last one's figures must not stand in for it while it loads (or if it is refused).
  // biome-ignore lint/correctness/useExhaustiveDependencies: queryKey stands for query
  useEffect(() => {
    setData(null);
    setError(null);
  }, [queryKey]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: queryKey stands for query
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (!document.hidden) {
        try {
          const next = await consoleApi.dashboard(token, query);
          if (stopped) return;
          setData(next);
          setError(null);
        } catch (e) {
          if (stopped) return;
          setError(explain(e));
        }
      }
      if (!stopped && live) timer = setTimeout(() => void tick(), DASHBOARD_POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [token, queryKey, live]);

  // Beijing time, as the chart and the sampling days are, whatever the desk computer's zone.
  const time = (iso: string | null) =>
    iso
      ? new Date(iso).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", {
          hour12: false,
          timeZone: "Asia/Shanghai",
        })
      : t("never");
  const scope = data?.scope;
  // A district admin's view starts at their district: the city is not theirs to open.
  const ownDistrict = useConsoleSession()?.district ?? null;
  const crumbs: { label: string; href: string }[] = ownDistrict
    ? []
    : [{ label: t("city"), href: hrefOf(params, { district: undefined, street: undefined, site: undefined }) }];
  if (scope?.district !== null && scope?.district !== undefined) {
    crumbs.push({
      label: scope.district || "—",
      href: hrefOf(params, { district: scope.district, street: undefined, site: undefined }),
    });
  }
  if (scope?.street !== null && scope?.street !== undefined) {
    crumbs.push({
      label: scope.street || "—",
      href: hrefOf(params, { district: scope.district ?? "", street: scope.street, site: undefined }),
    });
  }
  if (scope?.site) crumbs.push({ label: scope.site.name, href: hrefOf(params, {}) });

  return (
    <section aria-labelledby="command-title" className="dashboard">
      <div className="dashboard-head">
        <h1 id="command-title">{t("navCommand")}</h1>
        <nav aria-label={t("place")} className="dashboard-crumbs">
          {crumbs.map((c, i) => (
            <span key={c.href}>
              {i > 0 && " › "}
              {i === crumbs.length - 1 ? (
                <strong aria-current="page">{c.label}</strong>
              ) : (
                <Link href={c.href}>{c.label}</Link>
              )}
            </span>
          ))}
        </nav>
        <div className="dashboard-period">
          <label>
            {t("round")}
            <select
              value={query.round ?? ""}
              onChange={(e) => navigate(hrefOf(params, { round: e.target.value || undefined, day: undefined }))}
              data-testid="dashboard-round"
            >
              <option value="">{t("noRound")}</option>
              {data?.rounds.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} ({r.startsOn} – {r.endsOn})
                </option>
              ))}
            </select>
          </label>
          {!query.round && (
            <label>
              {t("day")}
              <input
                type="date"
                value={query.day ?? data?.period.today ?? ""}
                onChange={(e) => navigate(hrefOf(params, { day: e.target.value || undefined }))}
                data-testid="dashboard-day"
              />
            </label>
          )}
          <span className="dashboard-live" aria-live="polite" data-testid="dashboard-updated">
            {!live ? `${t("paused")} · ` : ""}
            {data ? t("updatedAt", { time: time(data.generatedAt) }) : t("updating")}
            {data?.roundRunning ? ` · ${t("roundRunning")}` : ""}
          </span>
          <button type="button" onClick={() => setLive(!live)}>
            {live ? t("pause") : t("resume")}
          </button>
        </div>
      </div>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <>
          <FigureCards figures={data.figures} />
          <h2 className="dashboard-h2">{t("chartTitle")}</h2>
          <Suspense fallback={<div className="dashboard-chart" />}>
            <DashboardChart
              chart={data.chart}
              label={`${t("chartTitle")}: ${data.chart.series.map((s) => `${s.label} ${s.counts.reduce((a, b) => a + b, 0)}`).join(", ")}`}
            />
          </Suspense>
          {data.children.length > 0 && <ChildrenTable data={data} params={params} />}
          <CoveragePanel query={query} drillHref={(level, key) => drillHref(params, data.scope.district, level, key)} />
          <ExportPanel
            query={query.round ? query : { ...query, day: query.day ?? data.period.today }}
            place={crumbs.map((c) => c.label).join(" › ")}
            period={
              data.period.round
                ? `${data.period.round.name} (${data.period.from} – ${data.period.to})`
                : data.period.from
            }
          />
          <SitesTable data={data} params={params} time={time} />
          <DevicesTable data={data} time={time} />
          <ConflictsTable data={data} time={time} />
          <LabsTable data={data} />
        </>
      )}
    </section>
  );
}

function FigureCards({ figures }: { figures: Figures }) {
  const { t } = useConsoleI18n();
  const groups: { title: ConsoleMessageKey; items: [ConsoleMessageKey, number, string?][] }[] = [
    {
      title: "figRegistrationsTitle",
      items: [
        ["figRegistrations", figures.registrations, "fig-registrations"],
        ["figLastHour", figures.lastHour, "fig-last-hour"],
        ["figVoided", figures.voided],
      ],
    },
    {
      title: "figTubes",
      items: [
        ["figOpen", figures.tubes.open, "fig-tubes-open"],
        ["figSealed", figures.tubes.sealed, "fig-tubes-sealed"],
        ["figShort", figures.tubes.short],
        ["figVoid", figures.tubes.void],
      ],
    },
    {
      title: "figBoxes",
      items: [
        ["figPacking", figures.boxes.packing],
        ["figPacked", figures.boxes.packed],
        ["figHandedOver", figures.boxes.handedOver, "fig-boxes-handed-over"],
        ["figReceived", figures.boxes.received],
      ],
    },
    {
      title: "figResults",
      items: [
        ["negative", figures.results.negative],
        ["positive", figures.results.positive, "fig-results-positive"],
        ["invalid", figures.results.invalid],
        ["rejected", figures.results.rejected],
        ["figPending", figures.results.pending],
      ],
    },
  ];
  return (
    <div className="dashboard-figures">
      {groups.map((g) => (
        <div key={g.title} className="card dashboard-card">
          <h2>{t(g.title)}</h2>
          <dl>
            {g.items.map(([label, value, testId]) => (
              <div key={label}>
                <dt>{t(label)}</dt>
                <dd data-testid={testId}>{value.toLocaleString()}</dd>
              </div>
            ))}
          </dl>
        </div>
      ))}
    </div>
  );
}

function ChildrenTable({ data, params }: { data: Dashboard; params: URLSearchParams }) {
  const { t } = useConsoleI18n();
  const level = data.children[0]?.level ?? "district";
  const hrefFor = (key: string) => drillHref(params, data.scope.district, level, key);
  return (
    <>
      <h2 className="dashboard-h2">{t(`children_${level}` as ConsoleMessageKey)}</h2>
      <div className="console-table-wrap">
        <table className="console-table" data-testid="dashboard-children">
          <thead>
            <tr>
              <th>{t("place")}</th>
              <th className="num">{t("figRegistrations")}</th>
              <th className="num">{t("figLastHour")}</th>
              <th className="num">{t("figSealed")}</th>
              <th className="num">{t("figHandedOver")}</th>
              <th className="num">{t("positive")}</th>
              <th className="num">{t("figPending")}</th>
            </tr>
          </thead>
          <tbody>
            {data.children.map((c) => (
              <tr key={c.key} data-testid="dashboard-child">
                <td>
                  <Link href={hrefFor(c.key)} aria-label={t("drillDown", { name: c.label })}>
                    {c.label}
                  </Link>
                </td>
                <td className="num" data-testid="child-registrations">
                  {c.figures.registrations.toLocaleString()}
                </td>
                <td className="num">{c.figures.lastHour.toLocaleString()}</td>
                <td className="num">{c.figures.tubes.sealed.toLocaleString()}</td>
                <td className="num">{c.figures.boxes.handedOver.toLocaleString()}</td>
                <td className="num">{c.figures.results.positive.toLocaleString()}</td>
                <td className="num">{c.figures.results.pending.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

type SiteSort = "place" | "registrations" | "ratePerHour" | "lastRegistrationAt";

function SitesTable({
  data,
  params,
  time,
}: {
  data: Dashboard;
  params: URLSearchParams;
  time: (iso: string | null) => string;
}) {
  const { t } = useConsoleI18n();
  const [sort, setSort] = useState<{ by: SiteSort; descending: boolean }>({ by: "place", descending: false });
  const silent = data.sites.filter((s) => s.silent).length;
  const sorted = useMemo(() => {
    const key = (s: Dashboard["sites"][number]): string | number =>
      sort.by === "place"
        ? `${s.district}\u0000${s.street}\u0000${s.code}`
        : sort.by === "lastRegistrationAt"
          ? (s.lastRegistrationAt ?? "")
          : s[sort.by];
    const list = [...data.sites].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return sort.descending ? list.reverse() : list;
  }, [data.sites, sort]);
  const header = (by: SiteSort, label: ConsoleMessageKey, numeric = false) => (
    <th
      className={numeric ? "num" : undefined}
      aria-sort={sort.by === by ? (sort.descending ? "descending" : "ascending") : "none"}
    >
      <button
        type="button"
        className="dashboard-sort"
        title={t("sortBy")}
        onClick={() => setSort({ by, descending: sort.by === by ? !sort.descending : by !== "place" })}
      >
        {t(label)}
        {sort.by === by ? (sort.descending ? " ▼" : " ▲") : ""}
      </button>
    </th>
  );
  return (
    <>
      <h2 className="dashboard-h2">
        {t("sitesTitle")} ({data.sites.length})
      </h2>
      {silent > 0 && (
        <p className="message message-warn" data-testid="dashboard-silent">
          {t("silentN", { n: silent })}
        </p>
      )}
      <div className="console-table-wrap">
        <table className="console-table" data-testid="dashboard-sites">
          <thead>
            <tr>
              {header("place", "site")}
              <th>{t("place")}</th>
              {header("registrations", "figRegistrations", true)}
              {header("ratePerHour", "ratePerHour", true)}
              {header("lastRegistrationAt", "lastRegistration")}
            </tr>
          </thead>
          <tbody>
            {sorted.map((s) => (
              <tr key={s.code} className={s.silent ? "dashboard-warn" : undefined} data-testid="dashboard-site">
                <td>
                  <Link href={hrefOf(params, { site: s.code, district: s.district, street: s.street })}>{s.name}</Link>{" "}
                  <span className="nowrap">{s.code}</span>
                  {s.silent && <strong className="dashboard-badge"> {t("silent")}</strong>}
                </td>
                <td>
                  {s.district} {s.street}
                </td>
                <td className="num" data-testid="site-registrations">
                  {s.registrations.toLocaleString()}
                </td>
                <td className="num">{s.ratePerHour.toLocaleString()}</td>
                <td className="nowrap">{time(s.lastRegistrationAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function DevicesTable({ data, time }: { data: Dashboard; time: (iso: string | null) => string }) {
  const { t } = useConsoleI18n();
  return (
    <>
      <h2 className="dashboard-h2">{t("devicesTitle")}</h2>
      <p>{t("devicesSummary", { total: data.devices.total, stale: data.devices.stale })}</p>
      {data.devices.list.length > 0 && (
        <div className="console-table-wrap">
          <table className="console-table" data-testid="dashboard-devices">
            <thead>
              <tr>
                <th>{t("device")}</th>
                <th>{t("site")}</th>
                <th>{t("staff")}</th>
                <th>{t("lastSync")}</th>
                <th className="num">{t("queued")}</th>
                <th className="num">{t("clockSkew")}</th>
              </tr>
            </thead>
            <tbody>
              {data.devices.list.map((d) => (
                <tr key={d.id} className={d.stale ? "dashboard-warn" : undefined}>
                  <td className="nowrap">
                    {d.id}
                    {d.stale && <strong className="dashboard-badge"> {t("stale")}</strong>}
                  </td>
                  <td>{d.siteCode}</td>
                  <td>{d.staffName}</td>
                  <td className="nowrap">{time(d.lastSyncAt)}</td>
                  <td className="num">{d.queuedEvents ?? "—"}</td>
                  <td className="num">{d.clockSkewSeconds === null ? "—" : t("seconds", { n: d.clockSkewSeconds })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ConflictsTable({ data, time }: { data: Dashboard; time: (iso: string | null) => string }) {
  const { t } = useConsoleI18n();
  return (
    <>
      <h2 className="dashboard-h2">{t("conflictsTitle")}</h2>
      {data.conflicts.length === 0 ? (
        <p>{t("noConflicts")}</p>
      ) : (
        <div className="console-table-wrap">
          <table className="console-table" data-testid="dashboard-conflicts">
            <thead>
              <tr>
                <th>{t("kind")}</th>
                <th>{t("site")}</th>
                <th>{t("subject")}</th>
                <th>{t("detectedAt")}</th>
              </tr>
            </thead>
            <tbody>
              {data.conflicts.map((c) => (
                <tr key={`${c.siteCode}\u0000${c.kind}\u0000${c.subject}`}>
                  <td>{t(`conflict_${c.kind}` as ConsoleMessageKey)}</td>
                  <td>{c.siteCode}</td>
                  <td className="nowrap">{c.subject}</td>
                  <td className="nowrap">{time(c.detectedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function LabsTable({ data }: { data: Dashboard }) {
  const { t } = useConsoleI18n();
  if (data.labs.length === 0) return null;
  const minutes = (n: number | null) => (n === null ? "—" : t("minutes", { n }));
  return (
    <>
      <h2 className="dashboard-h2">{t("labsTitle")}</h2>
      <div className="console-table-wrap">
        <table className="console-table" data-testid="dashboard-labs">
          <thead>
            <tr>
              <th>{t("lab")}</th>
              <th className="num">{t("tubes")}</th>
              <th>
                {t("receivedToResulted")} {t("median")} / {t("p95")}
              </th>
              <th>
                {t("sampledToResulted")} {t("median")} / {t("p95")}
              </th>
            </tr>
          </thead>
          <tbody>
            {data.labs.map((l) => (
              <tr key={l.labCode}>
                <td>{l.name}</td>
                <td className="num">{l.tubes}</td>
                <td>
                  {minutes(l.receivedToResulted.medianMinutes)} / {minutes(l.receivedToResulted.p95Minutes)}
                </td>
                <td>
                  {minutes(l.sampledToResulted.medianMinutes)} / {minutes(l.sampledToResulted.p95Minutes)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
