import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { StatusPage } from "./StatusPage";
import "../ui/styles.css";
import "./status.css";

const root = document.getElementById("root");
if (!root) throw new Error("status.html has no #root");
createRoot(root).render(
  <StrictMode>
    <StatusPage />
  </StrictMode>,
);
