import { useState } from "react";
import { canSpeak, setVoiceCues, voiceCuesOn } from "../scan/voice";
import { useI18n } from "./i18n";

/** The spoken-cue option: on where the device can speak Chinese, else a note saying it cannot. */
export function VoiceOption() {
  const { t } = useI18n();
  const [on, setOn] = useState(voiceCuesOn);
  if (!canSpeak()) return <p className="menu-note">{t("voiceUnavailable")}</p>;
  return (
    <label className="inline toggle">
      <input
        type="checkbox"
        data-testid="voice-option"
        checked={on}
        onChange={(e) => {
          setOn(e.target.checked);
          setVoiceCues(e.target.checked);
        }}
      />
      {t("voiceOption")}
    </label>
  );
}
