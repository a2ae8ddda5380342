/**
 * Box labels at the desk: an admin chooses a site (of their district), a site lead has their own; a run of new box
 * codes is reserved on the server, previewed as the labels will print (50×30 mm each), and printed.
 */
import { type FormEvent, useEffect, useState } from "react";
import type { BoxLabelSites } from "../../../domain/boxLabels";
import "../../print/labelScreens.css";
import { LabelCountField } from "../../print/LabelCountField";
import { ReservedRun } from "../../print/ReservedRun";
import { parseLabelCount, useLabelRun } from "../../print/useLabelRun";
import { useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { useConsoleI18n } from "../consoleI18n";
import { useConsoleSession } from "../consoleSession";

export function BoxLabelsScreen() {
  const { t, lang } = useConsoleI18n();
  const explain = useExplain();
  const token = useConsoleSession()?.token ?? "";
  const [sites, setSites] = useState<BoxLabelSites["sites"] | null>(null);
  const [site, setSite] = useState("");
  const [count, setCount] = useState("10");
  const [error, setError] = useState<string | null>(null);
  const labels = useLabelRun({ lang, title: t("labelsPreview") });

  // Once per sign-in (explain is a new function on every render).
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    consoleApi
      .boxLabelSites(token)
      .then((answer) => {
        setSites(answer.sites);
        setSite((chosen) => chosen || answer.sites[0]?.code || "");
      })
      .catch((e: unknown) => setError(explain(e)));
  }, [token]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const n = parseLabelCount(count);
    setError(n === null ? t("labelsCountInvalid") : null);
    if (n === null) return;
    try {
      await labels.reserveAndShow(() => consoleApi.reserveBoxLabels(token, site, n));
    } catch (e) {
      setError(explain(e));
    }
  };

  const countInvalid = parseLabelCount(count) === null;
  return (
    <section aria-labelledby="labels-title" className="labels-screen">
      <h1 id="labels-title">{t("navBoxLabels")}</h1>
      <p className="console-hint">{t("labelsHint")}</p>
      {sites !== null && sites.length === 0 ? (
        <p className="message message-warn">{t("labelsNoSite")}</p>
      ) : (
        <form className="console-scan" onSubmit={(e) => void submit(e)} data-testid="labels-form" noValidate>
          <label>
            {t("labelsSite")}
            <select
              value={site}
              onChange={(e) => setSite(e.target.value)}
              disabled={sites === null || sites.length < 2}
              data-testid="labels-site"
            >
              {(sites ?? []).map((s) => (
                <option key={s.code} value={s.code}>
                  {s.code} · {s.name}
                </option>
              ))}
            </select>
          </label>
          <LabelCountField
            className="labels-count"
            label={t("labelsCount")}
            value={count}
            onChange={(value) => {
              setCount(value);
              setError(null);
            }}
            invalid={countInvalid}
            testId="labels-count"
          />
          <button type="submit" className="primary" disabled={labels.busy || !site} data-testid="labels-reserve">
            {t("labelsReserve")}
          </button>
        </form>
      )}
      {error && (
        <p className="message message-error" role="alert" data-testid="labels-error">
          {error}
        </p>
      )}
      {labels.run && (
        <ReservedRun
          labels={labels}
          message={t("labelsReserved", {
            site: `${labels.run.site.code} ${labels.run.site.name}`,
            n: labels.run.codes.length,
          })}
          printLabel={t("labelsPrint")}
          testId="labels"
        />
      )}
      <div ref={labels.preview} className="label-preview" data-testid="labels-preview" />
    </section>
  );
}
