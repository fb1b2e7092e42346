// Shared helpers of the census UI: DOM building, API calls, formatting, URL state, tables and pagers.
// No framework and no build step: plain ES modules, served by census itself (see docs/ARCHITECTURE.md, "Web UI").

const SVG_NS = "http://www.w3.org/2000/svg";

function append(node, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) { for (const c of child) append(node, c); return; }
  node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

function build(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === "class") node.setAttribute("class", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Replaces the children of `node` with `children` (nodes, text, nested arrays; null is skipped). */
export function fill(node, children) { node.replaceChildren(); append(node, children); return node; }

/** An HTML element: h("a", {href: "#/"}, "text", child, [more]). Text is never parsed as HTML. */
export function h(tag, attrs, ...children) { return build(document.createElement(tag), attrs, children); }

/** An SVG element (same signature as h). */
export function svg(tag, attrs, ...children) { return build(document.createElementNS(SVG_NS, tag), attrs, children); }

/** An answer that was not 2xx: `status` and the API's `{"error": …}` message. */
export class ApiError extends Error {
  constructor(status, message, path) { super(message); this.status = status; this.path = path; }
}

function url(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined && v !== "") query.set(k, String(v));
  const q = query.toString();
  return q ? `${path}?${q}` : path;
}

// census admits a few reads into ClickHouse at once (--api-max-concurrent-reads, default 2) and answers 503 with
// Retry-After when a read waited too long for a slot; the UI keeps at most MAX_IN_FLIGHT calls open and retries a 503
// a bounded number of times after the time the server asks for.
const MAX_IN_FLIGHT = 3;
const MAX_RETRIES = 4;
let inFlight = 0;
const waiting = [];

async function slot() {
  if (inFlight < MAX_IN_FLIGHT) { inFlight++; return; }
  await new Promise(resolve => waiting.push(resolve));
}
function release() {
  const next = waiting.shift();
  if (next) next(); else inFlight--;
}
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function request(path, params, init) {
  await slot();
  try {
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await fetch(url(path, params), Object.assign({headers: {Accept: "application/json"}}, init || {}));
      } catch (e) {
        throw new ApiError(0, "census is not reachable", path);
      }
      if (response.status !== 503 || attempt >= MAX_RETRIES || path === "/readyz") return response;
      const after = Number.parseInt(response.headers.get("Retry-After") || "1", 10);
      await sleep(Math.min(5, Math.max(1, Number.isFinite(after) ? after : 1)) * 1000);
    }
  } finally {
    release();
  }
}

/** GET (or `init.method`) a JSON route; throws ApiError with the API's message on a non-2xx answer. */
export async function api(path, params, init) {
  const response = await request(path, params, init);
  if (response.status === 204) return null;
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) throw new ApiError(response.status, (body && body.error) || `HTTP ${response.status}`, path);
  return body;
}

/** GET a text route (the Prometheus exposition). */
export async function apiText(path) {
  const response = await request(path, null, {headers: {Accept: "text/plain"}});
  if (!response.ok) throw new ApiError(response.status, `HTTP ${response.status}`, path);
  return response.text();
}

let openapiPaths = null;
/** Whether the server documents `path` (an OpenAPI template such as /api/v1/span-patterns) for `method`. */
export async function serverHas(path, method = "get") {
  if (!openapiPaths) openapiPaths = api("/api/v1/openapi.json").then(doc => doc.paths || {}).catch(() => ({}));
  const paths = await openapiPaths;
  return Boolean(paths[path] && paths[path][method]);
}

/** Runs `tasks` (functions returning promises) with at most `limit` in flight; resolves to their results. */
export async function pooled(tasks, limit = 4) {
  const results = new Array(tasks.length);
  let next = 0;
  async function worker() {
    while (next < tasks.length) {
      const i = next++;
      try { results[i] = await tasks[i](); } catch (e) { results[i] = e; }
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, tasks.length)}, worker));
  return results;
}

export const fmt = {
  int(n) { return n === null || n === undefined ? "–" : Math.round(Number(n)).toLocaleString("en-US"); },
  num(n, digits = 2) { return n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US", {maximumFractionDigits: digits}); },
  pct(share) { return share === null || share === undefined ? "–" : `${(Number(share) * 100).toFixed(1)} %`; },
  bytes(n) {
    if (n === null || n === undefined) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let v = Number(n), i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
  },
  ago(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return "never";
    const s = Math.max(0, Math.round(seconds));
    if (s < 120) return `${s} s ago`;
    if (s < 7200) return `${Math.round(s / 60)} min ago`;
    return `${Math.round(s / 3600)} h ago`;
  },
};

/** The UTC day `days` before today, YYYY-MM-DD. */
export function utcDay(daysBack = 0) {
  return new Date(Date.now() - daysBack * 86400000).toISOString().slice(0, 10);
}

/** The current route: `path` (decoded segments) and `params` (URLSearchParams) of `#/a/b?x=1`. */
export function currentRoute() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [pathPart, query = ""] = hash.split("?", 2);
  const path = pathPart.split("/").filter(s => s !== "").map(s => { try { return decodeURIComponent(s); } catch (e) { return s; } });
  return {path, params: new URLSearchParams(query)};
}

/** `#/` link to `segments` (each percent-encoded) with `params` (empty values left out). */
export function link(segments, params) {
  const path = (Array.isArray(segments) ? segments : [segments]).filter(s => s !== "").map(encodeURIComponent).join("/");
  const query = new URLSearchParams();
  for (const [k, v] of (params instanceof URLSearchParams ? params.entries() : Object.entries(params || {}))) {
    if (v !== null && v !== undefined && v !== "") query.set(k, String(v));
  }
  const q = query.toString();
  return `#/${path}${q ? `?${q}` : ""}`;
}

/** Navigates to the current page with `changes` applied to its parameters (null removes one). */
export function setParams(changes) {
  const {path, params} = currentRoute();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === "") params.delete(k); else params.set(k, String(v));
  }
  location.hash = link(path, params);
}

/** A clamped non-negative integer parameter. */
export function intParam(params, name, fallback, max = 1 << 30) {
  const v = Number.parseInt(params.get(name) || "", 10);
  return Number.isFinite(v) && v >= 0 ? Math.min(v, max) : fallback;
}

/** A note: "muted" for information, "error" for failures (role=alert). */
export function note(text, kind = "muted") {
  return h("p", {class: `note ${kind}`, role: kind === "error" ? "alert" : null}, text);
}

/** A section that fills itself: shows "Loading…", then whatever `load()` returns (a node), or the error's message. */
export function section(title, load, attrs = {}) {
  const body = h("div", {class: "section-body", "aria-live": "polite"}, note("Loading…"));
  const el = h("section", Object.assign({class: "panel"}, attrs), title ? h("h2", {}, title) : null, body);
  Promise.resolve().then(load).then(node => fill(body, node || note("Nothing to show.")))
    .catch(e => fill(body, note(errorText(e), e && e.status === 404 ? "muted" : "error")))
    .finally(() => el.setAttribute("data-loaded", "true"));
  return el;
}

/** The text shown for a failed call. */
export function errorText(e) {
  if (e instanceof ApiError) return e.status ? `${e.message} (HTTP ${e.status})` : e.message;
  return String(e && e.message ? e.message : e);
}

/**
 * A table. `columns`: {key, label, num, render(row) → node|text, value(row) → sortable value, sortable (default true)}.
 * Sorting is client-side over `rows` and kept in the URL (`sortParam`, `dirParam`) so a shared link shows the same order.
 */
export function table({columns, rows, params, sortParam = "sort", dirParam = "dir", caption, empty = "No rows.", rowAttrs}) {
  if (!rows.length) return note(empty);
  const sortKey = params ? params.get(sortParam) : null;
  const dir = params && params.get(dirParam) === "asc" ? "asc" : "desc";
  const column = columns.find(c => c.key === sortKey && c.sortable !== false);
  let sorted = rows;
  if (column) {
    const value = column.value || (r => r[column.key]);
    sorted = rows.slice().sort((a, b) => {
      const x = value(a), y = value(b);
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x ?? "").localeCompare(String(y ?? ""));
      return dir === "asc" ? c : -c;
    });
  }
  const head = h("tr", {}, columns.map(c => {
    const active = column && c.key === column.key;
    const aria = active ? (dir === "asc" ? "ascending" : "descending") : null;
    if (c.sortable === false || !params) return h("th", {scope: "col", class: c.num ? "num" : null}, c.label);
    const nextDir = active && dir === "desc" ? "asc" : "desc";
    return h("th", {scope: "col", class: c.num ? "num" : null, "aria-sort": aria},
      h("button", {type: "button", class: "sort", onclick: () => setParams({[sortParam]: c.key, [dirParam]: nextDir})},
        c.label, h("span", {class: "arrow", "aria-hidden": "true"}, active ? (dir === "asc" ? " ▲" : " ▼") : "")));
  }));
  const body = sorted.map(r => h("tr", rowAttrs ? rowAttrs(r) : {}, columns.map(c =>
    h("td", {class: c.num ? "num" : null}, c.render ? c.render(r) : (c.num ? fmt.int(r[c.key]) : r[c.key])))));
  return h("div", {class: "table-wrap"}, h("table", {}, caption ? h("caption", {}, caption) : null,
    h("thead", {}, head), h("tbody", {}, body)));
}

/** "Showing a–b of n" with Previous/Next buttons that move `offsetParam` in the URL. */
export function pager({total, limit, offset, offsetParam = "offset"}) {
  if (!total) return null;
  const first = Math.min(total, offset + 1), last = Math.min(total, offset + limit);
  return h("nav", {class: "pager", "aria-label": "Pages"},
    h("button", {type: "button", disabled: offset <= 0, onclick: () => setParams({[offsetParam]: Math.max(0, offset - limit) || null})}, "← Previous"),
    h("span", {class: "muted"}, `${fmt.int(first)}–${fmt.int(last)} of ${fmt.int(total)}`),
    h("button", {type: "button", disabled: offset + limit >= total, onclick: () => setParams({[offsetParam]: offset + limit})}, "Next →"));
}

/**
 * A filter form: `fields` are {name, label, type: "text"|"date"|"number"|"select", options: [[value, label]]}.
 * Submitting writes every field into the URL (and resets paging); "Reset" clears them.
 */
export function filterForm(params, fields, {submitLabel = "Apply", resetKeys} = {}) {
  const inputs = fields.map(f => {
    const id = `f-${f.name}`;
    const value = params.get(f.name) ?? f.placeholderValue ?? "";
    let input;
    if (f.type === "select") {
      input = h("select", {id, name: f.name}, f.options.map(([v, label]) => h("option", {value: v, selected: v === (params.get(f.name) || f.default || "")}, label)));
    } else {
      input = h("input", {id, name: f.name, type: f.type || "text", value, placeholder: f.placeholder || null, min: f.min ?? null, size: f.size || null});
    }
    return h("label", {for: id}, h("span", {}, f.label), input);
  });
  const form = h("form", {class: "filters", role: "search"}, inputs,
    h("button", {type: "submit"}, submitLabel),
    h("button", {type: "button", class: "secondary", onclick: () => {
      const changes = {offset: null};
      for (const k of resetKeys || fields.map(f => f.name)) changes[k] = null;
      setParams(changes);
    }}, "Reset"));
  form.addEventListener("submit", event => {
    event.preventDefault();
    const changes = {offset: null};
    for (const f of fields) changes[f.name] = form.elements[f.name].value.trim();
    setParams(changes);
  });
  return form;
}

/** A range bar: `from` and `to` days (UTC, both included), kept in the URL. */
export function rangeForm(params) {
  return filterForm(params, [
    {name: "from", label: "From (UTC day)", type: "date"},
    {name: "to", label: "To (UTC day)", type: "date"},
  ], {submitLabel: "Apply range"});
}

/** The `from`/`to` parameters of the URL, for V2 calls. */
export function range(params) {
  return {from: params.get("from") || "", to: params.get("to") || ""};
}

/** A label/value grid of headline figures. */
export function figures(items) {
  return h("dl", {class: "figures"}, items.map(([label, value, href]) =>
    h("div", {class: "figure"}, h("dt", {}, label), h("dd", {}, href ? h("a", {href}, value) : value))));
}

/** A severity badge (info, warning, critical). */
export function severity(level) {
  return h("span", {class: `badge sev-${level}`}, level);
}

/** Up to `n` values as small code chips, "+k more" after. */
export function chips(values, n = 5) {
  const list = (values || []).slice(0, n).map(v => h("code", {class: "chip"}, v === "" ? "(empty)" : v));
  const more = (values || []).length - n;
  return h("span", {class: "chips"}, list, more > 0 ? h("span", {class: "muted"}, ` +${more} more`) : null);
}

/** The largest estimated cardinality in one or more V1 key maps ({key: {estimated_cardinality}}). */
export function maxCardinality(...maps) {
  let max = 0;
  for (const m of maps) for (const v of Object.values(m || {})) max = Math.max(max, v.estimated_cardinality || 0);
  return max;
}

/** The names of a V1 `services` map ({name: count}), sorted. */
export function serviceNames(services) { return Object.keys(services || {}).sort(); }
