import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { AdminImportPage } from "./AdminImportPage";
import "../ui/styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("admin.html has no #root");
createRoot(root).render(
  <StrictMode>
    <AdminImportPage />
  </StrictMode>,
);
