// Builds the PWA when dist/ is missing or older than any source it is built from, so `npm start` is quick when nothing changed.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const built = path.join(root, "dist", "index.html");
const sources = ["src/client", "src/domain", "public", "index.html", "admin.html", "vite.config.ts", "package.json"];

function newest(p) {
  const full = path.join(root, p);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((name) => newest(path.join(p, name))));
}

if (!existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs) {
  console.log("building the app (vite build)…");
  execSync("npx vite build", { cwd: root, stdio: "inherit" });
} else {
  console.log("dist/ is up to date");
}
