import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ConsoleApp } from "./ConsoleApp";
import { ConsoleI18nProvider } from "./consoleI18n";
import "../ui/styles.css";
import "./console.css";

const root = document.getElementById("root");
if (!root) throw new Error("console.html has no #root");
createRoot(root).render(
  <StrictMode>
    <ConsoleI18nProvider>
      <ConsoleApp />
    </ConsoleI18nProvider>
  </StrictMode>,
);
