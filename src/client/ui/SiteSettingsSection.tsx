import { type FormEvent, useState } from "react";
import { POOL_SIZES, type PoolSize } from "../../domain/events";
import type { SiteConfig } from "../../domain/protocol";
import { retentionDaysOf } from "../../domain/retention";
import { useSession } from "../data/hooks";
import {
  changeSiteSettings,
  SITE_NAME_MAX,
  SITE_SETTINGS_ROLES,
  type SiteSettingsProblem,
  siteSettingsChanges,
} from "../sync/siteSettings";
import { BilingualAlert } from "./BilingualAlert";
import { type MessageKey, useI18n } from "./i18n";

/** The retention choices offered (the server takes 1–30). */
const RETENTION_CHOICES = [1, 3, 7, 14, 30] as const;

const PROBLEM_KEYS: Record<SiteSettingsProblem, MessageKey> = {
  name_empty: "siteProblem_name_empty",
  name_too_long: "siteProblem_name_too_long",
  name_bad_characters: "siteProblem_name_bad_characters",
  unchanged: "siteProblem_unchanged",
  offline: "siteProblem_offline",
  signed_out: "siteProblem_signed_out",
  forbidden_role: "siteProblem_forbidden_role",
  wrong_site: "siteProblem_wrong_site",
  unknown_site: "siteProblem_unknown_site",
  refused: "siteProblem_refused",
  server: "siteProblem_server",
};

/** The site's settings for a site lead or admin; nothing for other roles (the server would refuse them anyway). */
export function SiteSettingsSection() {
  const session = useSession();
  // Kept here: saving changes the session's site, which starts the form afresh.
  const [saved, setSaved] = useState<SiteConfig | null>(null);
  if (!session?.token || !SITE_SETTINGS_ROLES.includes(session.staff.role)) return null;
  return <SiteSettingsForm key={JSON.stringify(session.site)} site={session.site} saved={saved} onSaved={setSaved} />;
}

function SiteSettingsForm({
  site,
  saved,
  onSaved,
}: {
  site: SiteConfig;
  saved: SiteConfig | null;
  onSaved: (site: SiteConfig | null) => void;
}) {
  const { t, tOther } = useI18n();
  const [name, setName] = useState(site.name);
  const [poolSize, setPoolSize] = useState<PoolSize>(site.poolSize);
  const [phoneRequired, setPhoneRequired] = useState(site.phoneRequired);
  const [retentionDays, setRetentionDays] = useState(retentionDaysOf(site));
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<{ problem: SiteSettingsProblem; code?: string } | null>(null);
  const form = { name, poolSize, phoneRequired, retentionDays };
  const checked = siteSettingsChanges(site, form);
  const nameProblem = !checked.ok && checked.error.startsWith("name_") ? checked.error : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    onSaved(null);
    if (!checked.ok) {
      setProblem({ problem: checked.error });
      return;
    }
    setSaving(true);
    try {
      const outcome = await changeSiteSettings(form);
      if (outcome.ok) {
        setProblem(null);
        onSaved(outcome.value);
      } else setProblem(outcome.error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="site-settings" data-testid="site-settings" aria-labelledby="site-settings-title">
      <h2 id="site-settings-title">{t("siteSettingsTitle")}</h2>
      <p className="hint">{t("siteSettingsHint", { code: site.code })}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label>
          {t("siteName")}
          <input
            data-testid="site-name"
            value={name}
            maxLength={SITE_NAME_MAX + 10}
            onChange={(e) => {
              setName(e.target.value);
              setProblem(null);
            }}
            aria-invalid={nameProblem !== null}
            aria-describedby={nameProblem ? "site-name-problem" : undefined}
          />
        </label>
        {nameProblem && (
          <p id="site-name-problem" className="hint-error">
            {t(PROBLEM_KEYS[nameProblem])}
          </p>
        )}
        <fieldset className="site-pool">
          <legend>{t("sitePoolSize")}</legend>
          {POOL_SIZES.map((size) => (
            <label key={size} className="site-pool-option">
              <input
                type="radio"
                className="site-choice"
                name="pool-size"
                value={size}
                data-testid={`site-pool-${size}`}
                checked={poolSize === size}
                onChange={() => {
                  setPoolSize(size);
                  setProblem(null);
                }}
              />
              {size === 1 ? t("sitePoolOne") : t("sitePoolMany", { n: size })}
            </label>
          ))}
        </fieldset>
        <label className="site-phone">
          <input
            type="checkbox"
            className="site-choice"
            data-testid="site-phone-required"
            checked={phoneRequired}
            onChange={(e) => {
              setPhoneRequired(e.target.checked);
              setProblem(null);
            }}
          />
          {t("sitePhoneRequired")}
        </label>
        <label>
          {t("siteRetention")}
          <select
            data-testid="site-retention"
            value={retentionDays}
            onChange={(e) => {
              setRetentionDays(Number(e.target.value));
              setProblem(null);
            }}
          >
            {RETENTION_CHOICES.map((days) => (
              <option key={days} value={days}>
                {t("siteRetentionDays", { n: days })}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" data-testid="site-save" disabled={saving}>
          {saving ? t("siteSaving") : t("siteSave")}
        </button>
      </form>
      {problem && (
        <BilingualAlert
          messageKey={PROBLEM_KEYS[problem.problem]}
          values={{ code: problem.code ?? "" }}
          tone={problem.problem === "unchanged" ? "warn" : "error"}
          testId="site-settings-problem"
          code={problem.problem}
        />
      )}
      {saved && (
        <p className="message message-ok" role="status" data-testid="site-settings-saved">
          {[t, tOther].map((say, i) => {
            const text = say("siteSaved", {
              pool: saved.poolSize === 1 ? say("sitePoolOne") : say("sitePoolMany", { n: saved.poolSize }),
              phone: saved.phoneRequired ? say("sitePhoneRuleOn") : say("sitePhoneRuleOff"),
            });
            return i === 0 ? <strong key="chosen">{text}</strong> : <small key="other">{text}</small>;
          })}
        </p>
      )}
    </section>
  );
}
