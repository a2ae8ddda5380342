import { useConsoleSession } from "../consoleSession";

/** The signed-in lab staff's token and lab code (screens of the lab are shown only to them). */
export function useLab(): { token: string; lab: string } {
  const session = useConsoleSession();
  return { token: session?.token ?? "", lab: session?.lab?.code ?? "" };
}
