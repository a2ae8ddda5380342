/** Signing in: exchanges username and password for a device token, keeps the session, and starts uploading. */
import type { LoginResponse } from "../../domain/protocol";
import { getDeviceId } from "../data/meta";
import { forgetToken, saveSession } from "../data/session";
import { api } from "./api";
import { syncLoop } from "./outbox";

export async function signIn(username: string, password: string): Promise<LoginResponse> {
  const login = await api.login({ username, password, deviceId: await getDeviceId() });
  await saveSession(login);
  void syncLoop.syncNow();
  return login;
}

/** Forgets the token; every event, synced or not, stays on the device. */
export async function signOut(): Promise<void> {
  await forgetToken();
  await syncLoop.refreshCounts();
}
