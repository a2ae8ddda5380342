/**
 * Registrations per ten minutes, one line per child place (uPlot: small and fast with thousands of points). Loaded
 * lazily by the dashboard, so neither the station nor the lab screens carry the chart library.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Dashboard } from "../../../domain/command";

/** Distinct on white and for the common colour-vision deficiencies (Okabe–Ito, then Tableau). */
const COLOURS = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#8c564b",
  "#7f7f7f",
  "#bcbd22",
];

export default function DashboardChart({ chart, label }: { chart: Dashboard["chart"]; label: string }) {
  const frame = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  const start = Date.parse(chart.start) / 1000;
  const length = Math.max(0, ...chart.series.map((s) => s.counts.length));
  const xs = Array.from({ length }, (_, i) => start + i * chart.bucketMinutes * 60);
  const data: uPlot.AlignedData = [xs, ...chart.series.map((s) => s.counts)];
  const shape = chart.series.map((s) => s.key).join("\u0000");

  // A new set of lines (another level) builds a new plot; new figures for the same lines only replace the data.
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the set of lines changes
  useEffect(() => {
    const target = frame.current;
    if (!target) return;
    const width = () => Math.max(280, target.clientWidth);
    const options: uPlot.Options = {
      width: width(),
      height: 260,
      scales: { x: { time: true } },
      // Sampling days are Beijing days, whatever the desk computer's own zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Asia/Shanghai"),
      series: [
        {},
        ...chart.series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length] as string,
          width: 2,
          points: { show: false },
        })),
      ],
      // 24-hour Beijing time (uPlot's default axis is 12-hour English); the date where a day starts.
      axes: [
        {
          space: 60,
          values: (_u, splits) =>
            splits.map((seconds) => {
              const local = new Date(seconds * 1000 + 8 * 3_600_000).toISOString();
              return local.slice(11, 16) === "00:00" ? local.slice(5, 10) : local.slice(11, 16);
            }),
        },
        { size: 50 },
      ],
      legend: { live: false },
    };
    plot.current = new uPlot(options, data, target);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: 260 }));
    resize.observe(target);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return <div ref={frame} className="dashboard-chart" role="img" aria-label={label} data-testid="dashboard-chart" />;
}
