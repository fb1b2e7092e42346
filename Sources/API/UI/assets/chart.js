// Small line charts drawn as inline SVG, one point per UTC day (the grain census stores).
import {h, svg, fmt} from "./lib.js";

const COLORS = ["#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c"];

function niceMax(v) {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * A line chart. `series`: [{name, points: [{day: "YYYY-MM-DD", value: number|null}]}]; days missing from a series
 * are gaps. Returns a <figure> with the SVG, a legend and a caption; every point has a <title> tooltip.
 */
export function lineChart({title, series, yLabel = "", width = 720, height = 220}) {
  const days = [...new Set(series.flatMap(s => s.points.map(p => p.day)))].sort();
  const values = series.flatMap(s => s.points.map(p => p.value)).filter(v => v !== null && v !== undefined);
  if (!days.length || !values.length) return h("p", {class: "note muted"}, `${title}: no points in this range.`);
  const left = 64, right = 16, top = 12, bottom = 36;
  const w = width - left - right, hgt = height - top - bottom;
  const yMax = niceMax(Math.max(...values));
  const x = i => left + (days.length === 1 ? w / 2 : (i * w) / (days.length - 1));
  const y = v => top + hgt - (v / yMax) * hgt;
  const index = new Map(days.map((d, i) => [d, i]));
  const parts = [];
  for (let t = 0; t <= 4; t++) {
    const v = (yMax * t) / 4;
    parts.push(svg("line", {x1: left, x2: left + w, y1: y(v), y2: y(v), class: "gridline"}));
    parts.push(svg("text", {x: left - 6, y: y(v) + 4, class: "tick", "text-anchor": "end"}, fmt.int(v)));
  }
  const every = Math.max(1, Math.ceil(days.length / 8));
  days.forEach((d, i) => {
    if (i % every === 0 || i === days.length - 1) parts.push(svg("text", {x: x(i), y: height - 12, class: "tick", "text-anchor": "middle"}, d.slice(5)));
  });
  series.forEach((s, n) => {
    const color = COLORS[n % COLORS.length];
    const pts = s.points.filter(p => p.value !== null && p.value !== undefined).sort((a, b) => (a.day < b.day ? -1 : 1));
    let run = [];
    const flush = () => { if (run.length > 1) parts.push(svg("polyline", {points: run.join(" "), fill: "none", stroke: color, "stroke-width": 2})); run = []; };
    let prev = -2;
    for (const p of pts) {
      const i = index.get(p.day);
      if (i !== prev + 1) flush();
      run.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
      prev = i;
    }
    flush();
    for (const p of pts) {
      parts.push(svg("circle", {cx: x(index.get(p.day)), cy: y(p.value), r: 3.5, fill: color, class: "point"},
        svg("title", {}, `${s.name} — ${p.day}: ${fmt.int(p.value)}`)));
    }
  });
  const label = `${title}: ${series.map(s => `${s.name} ${s.points.map(p => `${p.day} ${fmt.int(p.value)}`).join(", ")}`).join("; ")}`;
  const chart = svg("svg", {viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": label, class: "chart",
    preserveAspectRatio: "xMinYMin meet"}, svg("title", {}, title), parts,
    yLabel ? svg("text", {x: 12, y: top + hgt / 2, class: "tick", transform: `rotate(-90 12 ${top + hgt / 2})`, "text-anchor": "middle"}, yLabel) : null);
  const legend = series.length > 1 || series[0].name
    ? h("ul", {class: "legend"}, series.map((s, n) => h("li", {}, h("span", {class: `swatch c${n % COLORS.length}`, "aria-hidden": "true"}), s.name)))
    : null;
  return h("figure", {class: "chart-figure"}, h("figcaption", {}, title), chart, legend);
}
