/**
 * Runs `task` once the browser has painted the next frame: what a scan changed in the list shows first, and the
 * lesser updates (the notice line, the undo button) follow a frame later instead of delaying that paint on a slow
 * phone. A hidden page paints no frames, so a timer stands in after FALLBACK_MS.
 */
const FALLBACK_MS = 100;

export function afterNextPaint(task: () => void): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(fallback);
    task();
  };
  const fallback = setTimeout(run, FALLBACK_MS);
  // A message posted from an animation-frame callback is handled after that frame's paint.
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = run;
    channel.port2.postMessage(null);
  });
}
