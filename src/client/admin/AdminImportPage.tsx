/**
 * The administrator's page for the escape hatch (/admin.html): sign in as an admin (district command) and import a
 * device's exported queue file. Bilingual on every line, like the app's errors. It keeps nothing but the token in
 * memory (a reload signs out) and has no offline role: importing needs the server.
 */
import { type FormEvent, useState } from "react";
import type { ImportResponse } from "../../domain/protocol";
import { ApiError, api } from "../sync/api";

const consoleId = (): string => {
  const key = "samplepoint.adminConsoleId";
  let id = localStorage.getItem(key);
  if (!id) {
    id = `admin-console-${crypto.randomUUID().slice(0, 18)}`;
    localStorage.setItem(key, id);
  }
  return id;
};

const explain = (error: unknown): string =>
  error instanceof ApiError
    ? error.failure.kind === "http"
      ? `${error.failure.code}: ${error.failure.message}`
      : `网络错误 / network error: ${error.failure.message}`
    : String(error);

export function AdminImportPage() {
  const [token, setToken] = useState<string | null>(null);
  const [who, setWho] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ImportResponse | null>(null);
  const [busy, setBusy] = useState(false);

  const signIn = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    try {
      const login = await api.login({
        username: String(form.get("username") ?? ""),
        password: String(form.get("password") ?? ""),
        deviceId: consoleId(),
      });
      if (login.staff.role !== "admin") {
        setError("只有管理员（区指挥部）可以导入 / Only an administrator (district command) may import");
        return;
      }
      setToken(login.token);
      setWho(`${login.staff.name} (${login.staff.username})`);
    } catch (e) {
      setError(explain(e));
    }
  };

  const importFile = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get("file");
    if (!token || !(file instanceof File) || file.size === 0) {
      setError("请选择导出文件 / Choose an export file");
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await file.text());
      } catch {
        setError("文件不是有效的 JSON / The file is not valid JSON");
        return;
      }
      setResult(await api.importQueue(token, parsed));
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="app">
      <header className="app-header">
        <span className="app-name">导入离线数据 · Import an exported queue</span>
        {who && <span className="who">{who}</span>}
      </header>
      {!token ? (
        <form className="card" onSubmit={(e) => void signIn(e)} data-testid="admin-login">
          <label>
            用户名 / Username <input name="username" autoComplete="username" required />
          </label>
          <label>
            密码 / Password <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <button type="submit">登录 / Sign in</button>
        </form>
      ) : (
        <form className="card" onSubmit={(e) => void importFile(e)} data-testid="admin-import">
          <p>
            选择登记员从应用“设置”中导出的文件；重复导入不会重复登记。
            <br />
            Choose the file staff exported from the app's settings; importing it again registers nothing twice.
          </p>
          <input type="file" name="file" accept="application/json,.json" data-testid="import-file" />
          <button type="submit" disabled={busy}>
            导入 / Import
          </button>
        </form>
      )}
      {error && (
        <div className="message message-error" role="alert" data-testid="admin-error">
          {error}
        </div>
      )}
      {result && (
        <div className="message message-ok" role="status" data-testid="import-result">
          <p>
            设备 / device {result.deviceId} · {result.siteCode}：共 {result.events} 条 / events — 新增 accepted{" "}
            <strong data-testid="import-accepted">{result.accepted}</strong>，已有 already there{" "}
            <strong data-testid="import-duplicates">{result.duplicates}</strong>，拒收 rejected{" "}
            <strong data-testid="import-rejected">{result.rejected}</strong>
          </p>
          {result.rejections.length > 0 && (
            <ul>
              {result.rejections.map((r) => (
                <li key={r.index}>
                  #{r.index} {r.code}: {r.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
