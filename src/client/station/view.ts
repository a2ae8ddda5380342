/** What the station screen shows: the projected state, this device's open tube and its members. */
import type { SampleEvent } from "../../domain/events";
import { activeMembers, openTubeOfDevice, project, type StationState, type Tube } from "../../domain/projection";

export interface StationView {
  state: StationState;
  openTube: Tube | undefined;
  members: ReturnType<typeof activeMembers>;
}

export function viewOfState(state: StationState, deviceId: string): StationView {
  const openTube = openTubeOfDevice(state, deviceId);
  return { state, openTube, members: openTube ? activeMembers(state, openTube.code) : [] };
}

export function viewOf(events: SampleEvent[], deviceId: string): StationView {
  return viewOfState(project(events), deviceId);
}
