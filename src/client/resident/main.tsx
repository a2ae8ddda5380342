import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nProvider } from "../ui/i18n";
import { ResidentPage } from "./ResidentPage";
import "../ui/styles.css";
import "../print/residentCards.css";
import "./resident.css";

// The app's service worker precaches this page too and serves it for /resident with no network: after one visit the
// codes open offline. (Registered as the station registers it: one worker for the origin; the page never asks it to
// update — a new version takes over once every page of the old one is closed.)
if (import.meta.env.PROD && "serviceWorker" in navigator) {
  void navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
}

const root = document.getElementById("root");
if (!root) throw new Error("resident.html has no #root");
createRoot(root).render(
  <StrictMode>
    {/* zh-CN first; the language chosen is the app's (the station's too, on a device that has both). */}
    <I18nProvider>
      <ResidentPage />
    </I18nProvider>
  </StrictMode>,
);
