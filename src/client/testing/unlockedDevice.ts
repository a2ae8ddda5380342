/**
 * Vitest setup: each test starts with the app unlocked (a data key in memory), as the station is while staff work.
 * Tests of locking drop it themselves.
 */
import { beforeEach } from "vitest";
import { holdDataKey, newDataKey } from "../data/dataKey";

beforeEach(async () => {
  holdDataKey(await newDataKey());
});
