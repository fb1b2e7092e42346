// The census UI: a hash-routed single page application (#/page/segment?params). Every page's state — filters,
// time range, sort, page — lives in the URL, so a link shows the same view to whoever opens it.
import {h, fill, currentRoute} from "./lib.js";
import {overview, servicesPage, signalList, keysPage, changesPage, logPatterns, spanPatterns, notFound} from "./pages.js";

const PAGES = {
  "": overview,
  services: servicesPage,
  metrics: signalList("metric"),
  spans: signalList("span"),
  logs: signalList("log"),
  keys: keysPage,
  changes: changesPage,
  "patterns/logs": logPatterns,
  "patterns/spans": spanPatterns,
};

function pageFor(path) {
  if (path[0] === "patterns") return {key: `patterns/${path[1] || "logs"}`, page: PAGES[`patterns/${path[1] || "logs"}`]};
  const key = path[0] || "";
  return {key, page: PAGES[key]};
}

let lastPage = null;

function render() {
  const route = currentRoute();
  const {key, page} = pageFor(route.path);
  const main = document.getElementById("main");
  let nodes;
  try {
    nodes = (page || notFound)(route, route.params);
  } catch (e) {
    nodes = [h("h1", {}, "Error"), h("p", {class: "note error", role: "alert"}, String(e && e.message ? e.message : e))];
  }
  fill(main, nodes);
  main.setAttribute("data-page", page ? key || "overview" : "not-found");
  main.setAttribute("data-route", location.hash);
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.page === key) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  // A new page moves keyboard focus to its content; a changed filter on the same page keeps it where it was.
  if (lastPage !== null && lastPage !== key) main.focus({preventScroll: false});
  lastPage = key;
}

document.querySelector(".skip").addEventListener("click", event => {
  event.preventDefault();
  document.getElementById("main").focus();
});
window.addEventListener("hashchange", render);
render();
