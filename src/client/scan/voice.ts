/**
 * Spoken cues for the swabber, as the Qingdao client does: the registered person's name and place in the tube
 * ("张三 3"), and "10人满，换管" when the tube is full — heard without looking at the phone. Always in Chinese
 * (zh-CN), whatever the screen's language: the cue is for the people at the table.
 */
const KEY = "samplepoint.spokenCues";

export const voiceCuesOn = (): boolean => {
  try {
    return localStorage.getItem(KEY) === "1";
  } catch {
    return false;
  }
};

export function setVoiceCues(on: boolean): void {
  try {
    localStorage.setItem(KEY, on ? "1" : "0");
  } catch {
    // A preference only.
  }
}

/** Whether the device can speak Chinese: the API exists and, once voices are listed, one of them is Chinese. */
export function canSpeak(): boolean {
  if (typeof speechSynthesis === "undefined" || typeof SpeechSynthesisUtterance === "undefined") return false;
  const voices = speechSynthesis.getVoices();
  return voices.length === 0 || voices.some((voice) => voice.lang.toLowerCase().startsWith("zh"));
}

/** What is said for a registration: "张三 3", and the pool-full cue when it filled the tube. */
export function registrationCue(name: string, position: number, capacity: number, full: boolean): string {
  return full ? `${name} ${position}，${capacity}人满，换管` : `${name} ${position}`;
}

export function say(text: string): void {
  if (!voiceCuesOn() || !canSpeak()) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = "zh-CN";
  utterance.rate = 1.1;
  // Only the newest cue matters: a queue of old names would mislead.
  speechSynthesis.cancel();
  speechSynthesis.speak(utterance);
}
