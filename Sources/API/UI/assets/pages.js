// The pages of the census UI. Each page is a function (route, params) → node; sections load their data from the
// public API on their own, so the page paints at once and fills in as answers arrive.
import {h, api, apiText, serverHas, pooled, fmt, utcDay, link, setParams, intParam, note, section, errorText, table,
  pager, filterForm, rangeForm, range, figures, severity, chips, maxCardinality, serviceNames, ApiError} from "./lib.js";
import {lineChart} from "./chart.js";

const SIGNALS = {metric: "metrics", span: "spans", log: "logs"};
const PAGE = 100;

function nameLink(signal, name, params) {
  return h("a", {href: link([SIGNALS[signal] || signal, name], params || {})}, name === "" ? "(empty)" : name);
}
function keyLink(key, params) { return h("a", {href: link(["keys", key], params || {})}, key); }
function serviceLink(name) { return h("a", {href: link(["services", name])}, name); }
function services(list) {
  const names = Array.isArray(list) ? list : serviceNames(list);
  return h("span", {}, names.slice(0, 3).map((n, i) => [i ? ", " : "", serviceLink(n)]), names.length > 3 ? ` +${names.length - 3}` : "");
}
function heading(title, subtitle) {
  document.title = `${title} — census`;
  return [h("h1", {}, title), subtitle ? h("p", {class: "lead"}, subtitle) : null];
}
function limitOf(params) { return Math.max(1, Math.min(1000, intParam(params, "limit", PAGE))); }

// ---------------------------------------------------------------------------------------------------------------
// Overview

/** Sums the samples of `name` in a Prometheus text exposition (null when absent). */
export function promSum(text, name) {
  let sum = null;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== " " && rest[0] !== "{") continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

export function overview(route, params) {
  const since = params.get("since") || utcDay(3);
  // One TSDB status read serves two sections (it is the page's most expensive call on a large store).
  let tsdbPromise = null;
  const tsdb = () => (tsdbPromise = tsdbPromise || api("/api/v2/status/tsdb", {topN: 10}));
  const totals = section("Totals", async () => {
    const [m, s, l, svc, status] = await Promise.all([
      api("/api/v1/metrics", {limit: 1}), api("/api/v1/spans", {limit: 1}), api("/api/v1/logs", {limit: 1}),
      api("/api/v1/services"), tsdb().catch(() => null)]);
    return figures([
      ["Metric names", fmt.int(m.total), "#/metrics"], ["Span names", fmt.int(s.total), "#/spans"],
      ["Log severities", fmt.int(l.total), "#/logs"], ["Services", fmt.int(svc.total), "#/services"],
      ["Active series (Prometheus)", status ? fmt.int(status.data.totalSeries) : "–"],
      ["Label values (sum)", status ? fmt.int(status.data.totalLabelValuePairs) : "–"],
    ]);
  }, {id: "totals"});
  const topKeys = section("Top keys by cardinality", async () => {
    const page = await api("/api/v1/attributes", {sort_by: "cardinality", sort_order: "desc", limit: 10});
    return [table({columns: [
      {key: "key", label: "Key", render: r => keyLink(r.key), sortable: false},
      {key: "signal_types", label: "Signals", render: r => r.signal_types.join(", "), sortable: false},
      {key: "scope", label: "Scope", sortable: false},
      {key: "estimated_cardinality", label: "Cardinality", num: true, sortable: false},
      {key: "count", label: "Count", num: true, sortable: false},
    ], rows: page.data, empty: "No keys yet."}), h("p", {}, h("a", {href: "#/keys"}, `All ${fmt.int(page.total)} keys →`))];
  }, {id: "top-keys"});
  const topSeries = section("Top metrics by series", async () => {
    const status = await tsdb();
    return table({columns: [
      {key: "name", label: "Metric", render: r => nameLink("metric", r.name), sortable: false},
      {key: "value", label: "Series (Prometheus)", num: true, sortable: false},
    ], rows: status.data.seriesCountByMetricName, empty: "No metrics yet."});
  }, {id: "top-series"});
  const changes = section(`Latest changes since ${since}`, async () => {
    const answer = await api("/api/v2/changes", {since, min_severity: "warning", limit: 10});
    const s = answer.summary;
    return [h("p", {}, severity("critical"), ` ${fmt.int(s.critical)}  `, severity("warning"), ` ${fmt.int(s.warning)}  `,
      severity("info"), ` ${fmt.int(s.info)}`),
      changesTable(answer.changes, null, "No warning or critical change in this window."),
      h("p", {}, h("a", {href: link(["changes"], {since})}, "All changes →"))];
  }, {id: "latest-changes"});
  const health = section("Ingest health", async () => {
    const [text, quarantine, ready] = await Promise.all([
      apiText("/metrics"), api("/api/v1/quarantine", {limit: 1}),
      api("/readyz").then(r => r, e => (e instanceof ApiError ? {status: "not ready", reason: e.message} : null))]);
    const lag = promSum(text, "census_kafka_consumer_lag");
    const last = promSum(text, "census_last_flush_timestamp_seconds");
    return figures([
      ["Readiness", ready ? ready.status + (ready.reason ? ` (${ready.reason})` : "") : "–"],
      ["Consumer lag (records)", lag === null ? "no partition assigned" : fmt.int(lag)],
      ["Last flush", last ? fmt.ago(Date.now() / 1000 - last) : "none yet"],
      ["Flushes / failed attempts", `${fmt.int(promSum(text, "census_flushes_total"))} / ${fmt.int(promSum(text, "census_flush_failures_total"))}`],
      ["Paused partitions", fmt.int(promSum(text, "census_kafka_paused_partitions"))],
      ["Quarantined records", fmt.int(quarantine.total)],
    ]);
  }, {id: "health"});
  return [heading("Overview", "What census has counted, what changed lately, and how ingest is doing."),
    filterForm(params, [{name: "since", label: "Changes since (UTC day)", type: "date", placeholderValue: since}], {submitLabel: "Apply"}),
    h("div", {class: "grid"}, totals, health), h("div", {class: "grid"}, topKeys, topSeries), changes];
}

// ---------------------------------------------------------------------------------------------------------------
// Changes

function changeTarget(c, params) {
  const r = params ? range(params) : {};
  if (c.item === "service") return serviceLink(c.service);
  if (c.item === "key") return [keyLink(c.key), " on ", nameLink(c.signal, c.name, {key: c.key})];
  if (c.item === "log_template") return [nameLink("log", c.name, r), ": ", h("code", {}, c.template)];
  return nameLink(c.signal, c.name, r);
}

function changesTable(rows, params, empty) {
  return table({columns: [
    {key: "severity", label: "Severity", render: c => severity(c.severity), value: c => ({critical: 3, warning: 2, info: 1}[c.severity])},
    {key: "kind", label: "Change"},
    {key: "item", label: "Item", render: c => `${c.signal} ${c.item.replace("_", " ")}`},
    {key: "target", label: "What", render: c => changeTarget(c, null), value: c => `${c.key || ""}${c.name || ""}${c.service || ""}`},
    {key: "service", label: "Service", render: c => (c.service ? serviceLink(c.service) : "all")},
    {key: "from", label: "From", num: true},
    {key: "to", label: "To", num: true},
    {key: "ratio", label: "Ratio", num: true, render: c => (c.ratio === null ? "new" : `${fmt.num(c.ratio)}×`), value: c => c.ratio ?? Infinity},
    {key: "started", label: "Started", render: c => c.started || "–"},
  ], rows, params, empty, rowAttrs: c => ({class: `row-${c.severity}`})});
}

export function changesPage(route, params) {
  const since = params.get("since") || utcDay(3);
  const limit = limitOf(params), offset = intParam(params, "offset", 0);
  const query = {since, until: params.get("until"), baseline_from: params.get("baseline_from"), signal: params.get("signal"),
    service: params.get("service"), min_severity: params.get("min_severity"), sort: params.get("order"), limit, offset};
  const list = section(null, async () => {
    const answer = await api("/api/v2/changes", query);
    const s = answer.summary;
    const b = answer.baseline;
    return [h("p", {}, `Window ${answer.since} … ${answer.until}`, b ? ` against ${b.from} … ${b.to}. ` : ". ",
      severity("critical"), ` ${fmt.int(s.critical)}  `, severity("warning"), ` ${fmt.int(s.warning)}  `, severity("info"), ` ${fmt.int(s.info)}`),
      changesTable(answer.changes, params, "No change in this window."), pager({total: answer.total, limit, offset})];
  }, {id: "changes"});
  return [heading("Changes", "New, vanished and growing names, keys, templates and services: a window of days against the days just before it."),
    filterForm(params, [
      {name: "since", label: "Since", type: "date", placeholderValue: since},
      {name: "until", label: "Until", type: "date"},
      {name: "baseline_from", label: "Baseline from", type: "date"},
      {name: "signal", label: "Signal", type: "select", options: [["", "all"], ["metric", "metric"], ["span", "span"], ["log", "log"]]},
      {name: "service", label: "Service", size: 14},
      {name: "min_severity", label: "At least", type: "select", options: [["", "info"], ["warning", "warning"], ["critical", "critical"]]},
      {name: "order", label: "Rank by", type: "select", options: [["", "ratio"], ["delta", "delta"]]},
    ]), list];
}

// ---------------------------------------------------------------------------------------------------------------
// Services

export function servicesPage(route, params) {
  if (route.path.length > 1) return serviceDetail(route.path[1], params);
  const limit = Math.min(limitOf(params), 200), offset = intParam(params, "offset", 0);
  const q = (params.get("q") || "").toLowerCase();
  const list = section(null, async () => {
    const all = (await api("/api/v1/services")).data.filter(n => n.toLowerCase().includes(q));
    const pageNames = all.slice(offset, offset + limit);
    const r = range(params);
    const details = await pooled(pageNames.map(name => () => api(`/api/v2/services/${encodeURIComponent(name)}`, Object.assign({limit: 1}, r))));
    const series = await pooled(pageNames.map(name => () => api("/api/v2/metrics", Object.assign({service: name, limit: 1000}, r))));
    const rows = pageNames.map((name, i) => {
      const row = {service: name};
      const d = details[i];
      for (const sig of (d && d.signals) || []) { row[`${sig.signal}_names`] = sig.names; row[`${sig.signal}_items`] = sig.items; row[`${sig.signal}_keys`] = sig.keys; }
      const m = series[i];
      if (m && m.data) {
        row.series = m.data.reduce((sum, metric) => sum + ((metric.services.find(x => x.service === name) || {}).active_series_otlp || 0), 0);
        row.seriesPartial = m.has_more;
      }
      return row;
    });
    const cols = [{key: "service", label: "Service", render: r => serviceLink(r.service)}];
    for (const sig of ["metric", "span", "log"]) {
      const title = `${sig[0].toUpperCase()}${sig.slice(1)}`;
      cols.push({key: `${sig}_names`, label: sig === "log" ? "Severities" : `${title} names`, num: true});
      cols.push({key: `${sig}_items`, label: `${title} items`, num: true});
      cols.push({key: `${sig}_keys`, label: `${title} keys`, num: true});
    }
    cols.push({key: "series", label: "Series (OTLP)", num: true, render: r => (r.series === undefined ? "–" : `${r.seriesPartial ? "≥ " : ""}${fmt.int(r.series)}`)});
    return [table({columns: cols, rows, params, empty: "No service matches."}), pager({total: all.length, limit, offset})];
  }, {id: "services"});
  return [heading("Services", "Every service with its names, items and keys per signal, and the active series of its metrics."),
    filterForm(params, [{name: "q", label: "Name contains", size: 18}, {name: "from", label: "From", type: "date"}, {name: "to", label: "To", type: "date"}]),
    list];
}

function serviceDetail(name, params) {
  const limit = limitOf(params), offset = intParam(params, "offset", 0);
  const r = range(params);
  const keys = section("Keys ranked by cost", async () => {
    const answer = await api(`/api/v2/services/${encodeURIComponent(name)}`, Object.assign({signal: params.get("signal"), limit, offset}, r));
    return [figures(answer.signals.map(s => [`${s.signal}: names / items / keys`, `${fmt.int(s.names)} / ${fmt.int(s.items)} / ${fmt.int(s.keys)}`])),
      table({columns: [
        {key: "signal", label: "Signal"}, {key: "scope", label: "Scope"},
        {key: "key", label: "Key", render: k => keyLink(k.key, r)},
        {key: "estimated_cardinality", label: "Cardinality", num: true},
        {key: "count", label: "Items with key", num: true},
      ], rows: answer.data, params, empty: "No keys."}), pager({total: answer.total, limit, offset})];
  }, {id: "service-keys"});
  const metrics = section("Metrics of this service by series", async () => {
    const answer = await api("/api/v2/metrics", Object.assign({service: name, sort: "series", limit: 10}, r));
    return table({columns: [
      {key: "name", label: "Metric", render: m => nameLink("metric", m.name, r)}, {key: "type", label: "Type"},
      {key: "own", label: "Series from this service", num: true, render: m => fmt.int((m.services.find(x => x.service === name) || {}).active_series_otlp)},
      {key: "active_series_otlp", label: "Series (all services)", num: true},
    ], rows: answer.data, empty: "This service sent no metrics in the range."});
  }, {id: "service-metrics"});
  return [heading(`Service ${name}`, h("a", {href: "#/services"}, "← all services")),
    filterForm(params, [
      {name: "signal", label: "Signal", type: "select", options: [["", "all"], ["metric", "metric"], ["span", "span"], ["log", "log"]]},
      {name: "from", label: "From", type: "date"}, {name: "to", label: "To", type: "date"}]), keys, metrics];
}

// ---------------------------------------------------------------------------------------------------------------
// Metrics, spans, logs: lists

const LIST_ROUTES = {metric: "/api/v1/metrics", span: "/api/v1/spans", log: "/api/v1/logs"};

const LIST_COLUMNS = {
  metric: [
    {key: "type", label: "Type"}, {key: "unit", label: "Unit", render: r => r.unit || "–"},
    {key: "services", label: "Services", render: r => services(r.services), value: r => r.serviceCount},
    {key: "count", label: "Data points", num: true},
    {key: "cardinality", label: "Max key cardinality", num: true},
    {key: "series", label: "Series (OTLP)", num: true},
    {key: "series_prom", label: "Series (Prometheus)", num: true},
  ],
  span: [
    {key: "kind", label: "Kind"},
    {key: "services", label: "Services", render: r => services(r.services), value: r => r.serviceCount},
    {key: "count", label: "Spans", num: true},
    {key: "cardinality", label: "Max key cardinality", num: true},
    {key: "keys", label: "Keys", num: true},
  ],
  log: [
    {key: "services", label: "Services", render: r => services(r.services), value: r => r.serviceCount},
    {key: "count", label: "Records", num: true},
    {key: "cardinality", label: "Max key cardinality", num: true},
    {key: "keys", label: "Keys", num: true},
    {key: "templates", label: "Body templates", num: true},
  ],
};

function v1Row(signal, item) {
  const keyMaps = signal === "metric" ? [item.label_keys, item.resource_keys] : [item.attribute_keys, item.resource_keys];
  return {
    name: signal === "log" ? item.severity : item.name, type: item.type, unit: item.unit, kind: item.kind_name,
    services: serviceNames(item.services), serviceCount: Object.keys(item.services || {}).length,
    count: item.sample_count, cardinality: maxCardinality(...keyMaps),
    keys: keyMaps.reduce((n, m) => n + Object.keys(m || {}).length, 0),
    series: item.active_series_otlp, series_prom: item.active_series_prometheus,
    templates: (item.body_templates || []).length,
  };
}

export function signalList(signal) {
  return (route, params) => {
    if (route.path.length > 1) return signalDetail(signal, route.path[1], params);
    const plural = SIGNALS[signal];
    const limit = limitOf(params), offset = intParam(params, "offset", 0);
    const r = range(params);
    const v2 = signal === "metric" && (params.get("order") === "series" || r.from || r.to);
    const q = (params.get("q") || "").toLowerCase();
    const list = section(null, async () => {
      let rows, answer;
      if (v2) {
        answer = await api("/api/v2/metrics", Object.assign({service: params.get("service"), sort: params.get("order") || "name", limit, offset}, r));
        rows = answer.data.map(m => ({name: m.name, type: m.type, unit: null, services: m.services.map(s => s.service),
          serviceCount: m.services.length, count: m.count, cardinality: null, series: m.active_series_otlp, series_prom: m.active_series_prometheus}));
      } else {
        answer = await api(LIST_ROUTES[signal], {service: params.get("service"), limit, offset});
        rows = answer.data.map(item => v1Row(signal, item));
      }
      rows = rows.filter(row => row.name.toLowerCase().includes(q));
      const columns = [{key: "name", label: signal === "log" ? "Severity" : "Name", render: row => nameLink(signal, row.name, r)}]
        .concat(LIST_COLUMNS[signal].map(c => (v2 && (c.key === "unit" || c.key === "cardinality") ? Object.assign({}, c, {render: () => "–"}) : c)));
      return [table({columns, rows, params, empty: q ? "No name on this page matches the filter." : `No ${plural}.`}),
        pager({total: answer.total, limit, offset})];
    }, {id: `${plural}-list`});
    const fields = [
      {name: "q", label: "Name contains (this page)", size: 16},
      {name: "service", label: "Service", size: 14},
    ];
    if (signal === "metric") {
      fields.push({name: "order", label: "Order pages by", type: "select", options: [["", "name"], ["series", "series (most first)"]]});
      fields.push({name: "from", label: "From", type: "date"}, {name: "to", label: "To", type: "date"});
    }
    const subtitle = {
      metric: "Every metric name, services merged. A range or ordering by series reads /api/v2/metrics (unit and key cardinality are all-time figures of /api/v1/metrics).",
      span: "Every span name, services merged.", log: "Every log severity, services merged."}[signal];
    return [heading(signal === "log" ? "Logs" : `${plural[0].toUpperCase()}${plural.slice(1)}`, subtitle), filterForm(params, fields), list];
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Metric, span, log: detail

const KEY_ROUTES = {metric: n => `/api/v2/metrics/${encodeURIComponent(n)}/labels`,
  span: n => `/api/v2/spans/${encodeURIComponent(n)}/attributes`, log: n => `/api/v2/logs/${encodeURIComponent(n)}/attributes`};
const V1_ROUTES = {metric: n => `/api/v1/metrics/${encodeURIComponent(n)}`, span: n => `/api/v1/spans/${encodeURIComponent(n)}`,
  log: n => `/api/v1/logs/${encodeURIComponent(n)}`};

function signalDetail(signal, name, params) {
  const r = range(params);
  const limit = limitOf(params), offset = intParam(params, "offset", 0);
  const key = params.get("key");
  const about = section("About", async () => {
    const item = await api(V1_ROUTES[signal](name));
    const rows = [["Services", services(item.services)], ["Items (all time)", fmt.int(item.sample_count)]];
    if (signal === "metric") rows.unshift(["Type", item.type], ["Unit", item.unit || "–"],
      ["Series OTLP / Prometheus (all time)", `${fmt.int(item.active_series_otlp)} / ${fmt.int(item.active_series_prometheus)}`]);
    if (signal === "span") rows.unshift(["Kind", item.kind_name || String(item.kind)], ["Status codes", (item.status_codes || []).join(", ") || "–"]);
    const nodes = [item.description ? h("p", {class: "lead"}, item.description) : null, figures(rows)];
    if (signal === "log" && (item.body_templates || []).length) {
      nodes.push(h("h3", {}, "Body templates"), table({columns: [
        {key: "template", label: "Template", render: t => h("code", {}, t.template)},
        {key: "count", label: "Count", num: true}, {key: "percentage", label: "Share", num: true, render: t => `${fmt.num(t.percentage, 1)} %`},
        {key: "example", label: "Example", render: t => h("code", {}, t.example)}], rows: item.body_templates.slice(0, 50)}));
    }
    return nodes;
  }, {id: "about"});
  const history = section(key ? `Key ${key}: distinct values per day` : "Per day", async () => {
    const answer = await api("/api/v2/history", Object.assign({signal, name, key, service: params.get("service")}, r));
    const nodes = [];
    if (key || signal === "metric") {
      nodes.push(lineChart({title: key ? `Estimated cardinality of ${key}` : "Distinct series (OTLP)",
        series: [{name: key || name, points: answer.points.map(p => ({day: p.day, value: p.estimated_cardinality}))}]}));
    }
    nodes.push(lineChart({title: key ? `Items carrying ${key}` : "Items per day",
      series: [{name: key || name, points: answer.points.map(p => ({day: p.day, value: p.count}))}]}));
    if (key) nodes.push(h("p", {}, h("a", {href: link([SIGNALS[signal], name], Object.assign({}, r))}, "Show the name's history"), " · ", keyLink(key, r)));
    return nodes;
  }, {id: "history"});
  const keys = section("Keys", async () => {
    const answer = await api(KEY_ROUTES[signal](name), Object.assign({service: params.get("service"), limit, offset}, r));
    const columns = [
      {key: "key", label: "Key", render: k => [h("a", {href: link([SIGNALS[signal], name], Object.assign({}, r, {key: k.key}))}, k.key),
        " ", h("a", {href: link(["keys", k.key], r), class: "muted small", "aria-label": `${k.key} across all signals`}, "(all signals)")]},
      {key: "scope", label: "Scope", render: k => (k.event_name ? `${k.scope}: ${k.event_name}` : k.scope)},
      {key: "estimated_cardinality", label: "Cardinality", num: true},
      {key: "count", label: "Count", num: true},
      {key: "share", label: "Share", num: true, render: k => fmt.pct(k.share), value: k => k.share ?? -1},
    ];
    if (signal === "metric") columns.push({key: "series_contribution", label: "Series share", num: true, render: k => fmt.num(k.series_contribution, 1)});
    columns.push({key: "top_values", label: "Top values", sortable: false, render: k => chips((k.top_values || []).map(t => `${t.value} (${fmt.pct(t.share)})`), 3)},
      {key: "value_samples", label: "Samples", sortable: false, render: k => chips(k.value_samples, 4)});
    const head = [h("p", {}, `${fmt.int(answer.count)} items in range`, signal === "metric"
      ? `, ${fmt.int(answer.active_series_otlp)} series (OTLP), ${fmt.int(answer.active_series_prometheus)} (Prometheus)` : "", ".")];
    return [head, table({columns, rows: answer.data, params, empty: "No keys in this range."}), pager({total: answer.total, limit, offset})];
  }, {id: "keys"});
  const kind = {metric: "Metric", span: "Span", log: "Severity"}[signal];
  return [heading(`${kind} ${name}`, h("a", {href: link([SIGNALS[signal]])}, `← all ${SIGNALS[signal]}`)),
    filterForm(params, [{name: "from", label: "From", type: "date"}, {name: "to", label: "To", type: "date"},
      {name: "service", label: "Service", size: 14}, {name: "key", label: "Key (chart)", size: 16}], {resetKeys: ["from", "to", "service", "key"]}),
    about, history, keys];
}

// ---------------------------------------------------------------------------------------------------------------
// Keys

export function keysPage(route, params) {
  if (route.path.length > 1) return keyDetail(route.path[1], params);
  const limit = limitOf(params), offset = intParam(params, "offset", 0);
  const list = section(null, async () => {
    const answer = await api("/api/v1/attributes", {signal_type: params.get("signal"), scope: params.get("scope"),
      min_cardinality: params.get("min"), sort_by: params.get("order") || "cardinality", sort_order: params.get("direction") || "desc", limit, offset});
    return [table({columns: [
      {key: "key", label: "Key", render: k => keyLink(k.key)},
      {key: "signal_types", label: "Signals", render: k => k.signal_types.join(", ")},
      {key: "scope", label: "Scope"},
      {key: "estimated_cardinality", label: "Cardinality", num: true},
      {key: "count", label: "Count", num: true},
      {key: "value_samples", label: "Samples", sortable: false, render: k => chips(k.value_samples, 4)},
      {key: "last_seen", label: "Last seen", render: k => (k.last_seen || "").slice(0, 19).replace("T", " ")},
    ], rows: answer.data, params, empty: "No keys match."}), pager({total: answer.total, limit, offset})];
  }, {id: "keys-list"});
  const goTo = h("form", {class: "filters", role: "search"},
    h("label", {for: "goto-key"}, h("span", {}, "Open a key"), h("input", {id: "goto-key", name: "key", size: 24, placeholder: "e.g. user.id"})),
    h("button", {type: "submit"}, "Open"));
  goTo.addEventListener("submit", e => { e.preventDefault(); const k = goTo.elements.key.value.trim(); if (k) location.hash = link(["keys", k]); });
  return [heading("Keys", "Every attribute key across signals and services, ordered by the server (all pages)."), goTo,
    filterForm(params, [
      {name: "signal", label: "Signal", type: "select", options: [["", "all"], ["metric", "metric"], ["span", "span"], ["log", "log"]]},
      {name: "scope", label: "Scope", type: "select", options: [["", "all"], ["attribute", "attribute"], ["resource", "resource"]]},
      {name: "min", label: "Min cardinality", type: "number", min: 0, size: 8},
      {name: "order", label: "Order by", type: "select", options: [["", "cardinality"], ["count", "count"], ["key", "key"], ["last_seen", "last seen"]]},
      {name: "direction", label: "Direction", type: "select", options: [["", "descending"], ["asc", "ascending"]]},
    ]), list];
}

const TOKEN_KEY = "census.adminToken";

function watchSection(key) {
  const path = `/api/v1/attributes/${encodeURIComponent(key)}/watch`;
  return section("Deep watch", async () => {
    if (!(await serverHas("/api/v1/attributes/{key}/watch"))) {
      return note("Deep watch is not available on this server (its API has no /api/v1/attributes/{key}/watch route).");
    }
    let watched = null;
    try { watched = await api(path, {page_size: 20}); } catch (e) { if (!(e instanceof ApiError && e.status === 404)) throw e; }
    // An unwatched key that was watched before still answers 200 (active false): its values stay readable.
    const active = Boolean(watched && watched.active !== false);
    const message = h("p", {class: "note muted", role: "status"});
    const tokenInput = h("input", {id: "admin-token", type: "password", autocomplete: "off", value: sessionStorage.getItem(TOKEN_KEY) || ""});
    const form = h("form", {class: "filters"}, h("label", {for: "admin-token"}, h("span", {}, "Admin token"), tokenInput),
      h("button", {type: "submit", id: "watch-toggle"}, active ? "Stop watching" : "Watch this key"));
    form.addEventListener("submit", async e => {
      e.preventDefault();
      const token = tokenInput.value.trim();
      if (!token) { message.textContent = "Enter the admin token (CENSUS_ADMIN_TOKEN) first."; return; }
      sessionStorage.setItem(TOKEN_KEY, token);
      try {
        await api(path, null, {method: active ? "DELETE" : "POST", headers: {Authorization: `Bearer ${token}`, Accept: "application/json"}});
        setParams({watch: Date.now()});
      } catch (err) { message.textContent = errorText(err); message.className = "note error"; }
    });
    const totals = watched ? `${fmt.int(watched.unique_count)} distinct values, ${fmt.int(watched.total_observations)} observations${watched.overflow ? " (overflowed)" : ""}` : "";
    const status = active ? `Watched since ${watched.watching_since}: ${totals}.`
      : watched ? `Not watched now; collected since ${watched.watching_since}: ${totals}.`
      : "Not watched. Watching records every value of this key (admin only).";
    const nodes = [h("p", {id: "watch-status"}, status), form, message];
    if (watched && (watched.values || []).length) {
      nodes.push(table({columns: [{key: "value", label: "Value", render: v => h("code", {}, v.value)}, {key: "count", label: "Count", num: true},
                                  {key: "last_seen", label: "Last seen"}], rows: watched.values}));
    }
    return nodes;
  }, {id: "watch"});
}

function keyDetail(key, params) {
  const r = range(params);
  const limit = limitOf(params), offset = intParam(params, "offset", 0);
  let answerPromise = null;
  const load = () => (answerPromise = answerPromise || api(`/api/v2/keys/${encodeURIComponent(key)}`, Object.assign({limit, offset}, r)));
  const summary = section(null, async () => {
    const a = await load();
    return [figures([["Estimated cardinality", fmt.int(a.estimated_cardinality)], ["Items carrying it", fmt.int(a.count)],
      ["Signals", a.signals.join(", ")], ["Places (signal, name, scope, service)", fmt.int(a.total)]]),
      h("p", {}, "Samples: ", chips(a.samples, 10))];
  }, {id: "key-summary"});
  const chart = section("Cardinality per day", async () => {
    const a = await load();
    const seen = new Set();
    const places = [];
    for (const p of a.data) {
      const id = `${p.signal}\u0000${p.name}`;
      if (!seen.has(id) && places.length < 5) { seen.add(id); places.push(p); }
    }
    const histories = await pooled(places.map(p => () => api("/api/v2/history", Object.assign({signal: p.signal, name: p.name, key}, r))));
    const series = places.map((p, i) => ({name: `${p.signal} ${p.name}`,
      points: histories[i] && histories[i].points ? histories[i].points.map(x => ({day: x.day, value: x.estimated_cardinality})) : []}));
    return lineChart({title: `Distinct values of ${key} per day (top ${places.length} names)`, series});
  }, {id: "key-history"});
  const placesSection = section("Where it appears", async () => {
    const a = await load();
    return [table({columns: [
      {key: "signal", label: "Signal"}, {key: "name", label: "Name", render: p => nameLink(p.signal, p.name, Object.assign({key}, r))},
      {key: "scope", label: "Scope"}, {key: "service", label: "Service", render: p => serviceLink(p.service)},
      {key: "estimated_cardinality", label: "Cardinality", num: true}, {key: "count", label: "Count", num: true},
    ], rows: a.data, params}), pager({total: a.total, limit, offset})];
  }, {id: "key-places"});
  return [heading(`Key ${key}`, h("a", {href: "#/keys"}, "← all keys")), rangeForm(params), summary, chart, placesSection, watchSection(key)];
}

// ---------------------------------------------------------------------------------------------------------------
// Patterns

export function logPatterns(route, params) {
  const limit = Math.min(limitOf(params), 200), offset = intParam(params, "offset", 0);
  const q = (params.get("q") || "").toLowerCase();
  const list = section(null, async () => {
    const answer = await api("/api/v1/logs/patterns", {minCount: params.get("minCount") || 1, minServices: params.get("minServices")});
    const rows = answer.patterns.filter(p => p.template.toLowerCase().includes(q)).map(p => Object.assign({}, p, {
      serviceList: [...new Set(p.services.map(s => s.service_name))].sort(),
      severities: Object.entries(p.severity_breakdown).map(([s, n]) => `${s} ${fmt.int(n)}`).join(", ")}));
    return [h("p", {}, `${fmt.int(answer.total)} templates (at most 1,000 are listed).`),
      table({columns: [
        {key: "template", label: "Template", render: p => h("code", {}, p.template)},
        {key: "total_count", label: "Count", num: true},
        {key: "severities", label: "Severities", render: p => Object.keys(p.severity_breakdown).sort().map((s, i) => [i ? ", " : "", nameLink("log", s), ` ${fmt.int(p.severity_breakdown[s])}`])},
        {key: "services", label: "Services", render: p => services(p.serviceList), value: p => p.serviceList.length},
        {key: "example_body", label: "Example", render: p => h("code", {}, p.example_body)},
      ], rows: rows.slice(offset, offset + limit), params, empty: "No template matches."}), pager({total: rows.length, limit, offset})];
  }, {id: "log-patterns"});
  return [heading("Log patterns", "Body templates mined at ingest, grouped across severities and services."),
    filterForm(params, [{name: "q", label: "Template contains", size: 18}, {name: "minCount", label: "Min count", type: "number", min: 1, size: 6, placeholderValue: "1"},
      {name: "minServices", label: "Min services", type: "number", min: 1, size: 6}]), list];
}

export function spanPatterns(route, params) {
  const limit = Math.min(limitOf(params), 200), offset = intParam(params, "offset", 0);
  const q = (params.get("q") || "").toLowerCase();
  const list = section(null, async () => {
    if (!(await serverHas("/api/v1/span-patterns"))) {
      return note("Span patterns are not available on this server (its API has no /api/v1/span-patterns route).");
    }
    let answer;
    try { answer = await api("/api/v1/span-patterns"); } catch (e) {
      if (e instanceof ApiError && e.status === 404) return note("Span patterns are not available on this server.");
      throw e;
    }
    const rows = (answer.patterns || []).filter(p => p.pattern.toLowerCase().includes(q)).map(p => Object.assign({}, p, {
      serviceList: [...new Set((p.matching_spans || []).flatMap(s => s.services || []))].sort()}));
    return [h("p", {}, `${fmt.int(answer.total)} patterns.`), table({columns: [
      {key: "pattern", label: "Pattern", render: p => h("code", {}, p.pattern)},
      {key: "span_count", label: "Span names", num: true},
      {key: "total_samples", label: "Spans", num: true},
      {key: "services", label: "Services", render: p => services(p.serviceList), value: p => p.serviceList.length},
      {key: "examples", label: "Examples", sortable: false, render: p => (p.matching_spans || []).slice(0, 3).map((s, i) => [i ? ", " : "", nameLink("span", s.span_name)])},
    ], rows: rows.slice(offset, offset + limit), params, empty: "No pattern matches."}), pager({total: rows.length, limit, offset})];
  }, {id: "span-patterns"});
  return [heading("Span patterns", "Span names grouped by pattern (numbers and ids replaced), across services."),
    filterForm(params, [{name: "q", label: "Pattern contains", size: 18}]), list];
}

export function notFound(route) {
  return [heading("Not found"), note(`No page at #/${route.path.join("/")}.`), h("p", {}, h("a", {href: "#/"}, "Go to the overview"))];
}
