/**
 * The device-wide lock (Web Locks, across the app's tabs) that a retention clean-up holds while it decides and
 * deletes, and that erasing the records at another staff's sign-in takes too: the two never overlap.
 */
const NAME = "samplepoint-retention";

export async function withRetentionLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (!locks) return task();
  let result: T | undefined;
  await locks.request(NAME, async () => {
    result = await task();
  });
  return result as T;
}

/** The same lock if it is free now, else null (a clean-up finding another at work leaves it to that one). */
export async function ifRetentionLockFree<T>(task: () => Promise<T>): Promise<T | null> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (!locks) return task();
  let result: T | null = null;
  await locks.request(NAME, { ifAvailable: true }, async (lock) => {
    if (lock) result = await task();
  });
  return result;
}
