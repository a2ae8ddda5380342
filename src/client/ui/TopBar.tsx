import { useEffect, useRef, useState } from "react";
import { useI18n } from "./i18n";
import { SyncBadge } from "./SyncBadge";
import { SyncChip } from "./SyncChip";
import { VoiceOption } from "./VoiceOption";

interface Props {
  siteName: string;
  staffName: string;
  canLock: boolean;
  onLock(): void;
  onSignOut(): void;
}

/**
 * One compact line on a phone: who and where, the sync state as a chip (tap: sync now), and a menu holding what is
 * needed rarely (language, voice, lock, sign-out, sync details).
 */
export function TopBar({ siteName, staffName, canLock, onLock, onSignOut }: Props) {
  const { t, lang, setLang } = useI18n();
  const [menuOpen, setMenuOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);

  // A tap anywhere outside the menu closes it.
  useEffect(() => {
    if (!menuOpen) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!menuRef.current?.contains(event.target as Node)) setMenuOpen(false);
    };
    document.addEventListener("pointerdown", onPointerDown, true);
    return () => document.removeEventListener("pointerdown", onPointerDown, true);
  }, [menuOpen]);

  const close = (then: () => void) => () => {
    setMenuOpen(false);
    then();
  };

  return (
    <header className="top-bar">
      <span className="who" data-testid="who">
        <span className="who-site">{siteName}</span>
        <span className="who-staff">{staffName}</span>
      </span>
      <SyncChip />
      <div className="menu" ref={menuRef}>
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="app-menu"
          aria-label={t("menu")}
          data-testid="menu-button"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰</span>
        </button>
        {menuOpen && (
          <div id="app-menu" className="menu-panel" data-testid="menu">
            <SyncBadge />
            <button
              type="button"
              data-testid="language-switch"
              lang={lang === "zh" ? "en" : "zh-CN"}
              onClick={close(() => setLang(lang === "zh" ? "en" : "zh"))}
            >
              {t("language")}
            </button>
            <VoiceOption />
            {canLock && (
              <button type="button" onClick={close(onLock)}>
                {t("lockNow")}
              </button>
            )}
            <button type="button" data-testid="logout" onClick={close(onSignOut)}>
              {t("logout")}
            </button>
          </div>
        )}
      </div>
    </header>
  );
}

/** Before sign-in: the app's name and the language switch only. */
export function PlainTopBar() {
  const { t, lang, setLang } = useI18n();
  return (
    <header className="top-bar">
      <span className="app-name">{t("appName")}</span>
      <button
        type="button"
        className="link"
        data-testid="language-switch"
        lang={lang === "zh" ? "en" : "zh-CN"}
        onClick={() => setLang(lang === "zh" ? "en" : "zh")}
      >
        {t("language")}
      </button>
    </header>
  );
}
