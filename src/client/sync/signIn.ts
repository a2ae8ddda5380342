/** Signing in: exchanges username and password for a device token, keeps the session, and starts uploading. */
import type { LoginResponse } from "../../domain/protocol";
import { dropDataKey } from "../data/dataKey";
import { announceKeyChange, openDataKeyAtSignIn } from "../data/deviceKeys";
import { countPending } from "../data/eventLog";
import { getDeviceId } from "../data/meta";
import { forgetPin, retirePin } from "../data/pin";
import { forgetToken, loadSession, saveSession } from "../data/session";
import { requestPersistentStorage } from "../data/storage";
import { api } from "./api";
import { syncLoop } from "./syncLoop";

export async function signIn(username: string, password: string): Promise<LoginResponse> {
  const login = await api.login({ username, password, deviceId: await getDeviceId() });
  try {
    // The data key that encrypts resident data on the device: opened (or made) with the password just accepted.
    await openDataKeyAtSignIn(username, password);
  } catch (error) {
    await api.logout(login.token).catch(() => undefined);
    throw error;
  }
  await saveSession(login);
  // Ask the browser to keep our data (never evict it); the answer is shown in settings.
  void requestPersistentStorage().catch(() => undefined);
  void syncLoop.syncNow();
  return login;
}

export type SignOutResult = { ok: true } | { ok: false; pending: number };

/**
 * Signs out: refused while events wait to be uploaded (they would have no one to upload them). Forgets the token and
 * the PIN; every event stays on the device, and the app's other tabs lock.
 */
export async function signOut(): Promise<SignOutResult> {
  const pending = await countPending();
  if (pending > 0) return { ok: false, pending };
  // The token ends on the server too; offline, it is forgotten here and expires there in time.
  const session = await loadSession();
  if (session?.token) await api.logout(session.token).catch(() => undefined);
  await forgetToken();
  await forgetPin();
  dropDataKey();
  announceKeyChange();
  await syncLoop.refreshCounts();
  return { ok: true };
}

/** After five wrong PINs: the token is dropped too, so only the online password opens the app again. */
export async function requirePassword(): Promise<void> {
  await forgetToken();
  await retirePin();
  dropDataKey();
  announceKeyChange();
}
