// Live updates for signed-in pages: one EventSource per page. An element
// with data-live="request.created request.updated" is fetched again (htmx:
// it has hx-get and hx-trigger="live") when such an event arrives; with
// data-live-record="ID" only events about that record count. The stream
// resumes from the id the page was rendered at, so nothing in between is
// missed. When the session has ended the page goes to sign-in.
//
// A region an event reaches while it is being fetched (or while its new
// copy is being settled in) is fetched once more when the new copy is in:
// htmx would queue that second fetch on the element the first one
// replaces, and drop it, so the page would keep the older copy.
"use strict";

(function () {
  var from = document.body.getAttribute("data-live-from");
  if (from === null || !window.EventSource) return;
  var source = null;
  var last = from;
  var stale = {}; // ids of regions an event reached mid-fetch

  // Every live region has an id; one without would go back to losing
  // such a change.
  function busy(el) {
    var config = window.htmx ? window.htmx.config : {};
    return el.classList.contains(config.requestClass || "htmx-request") ||
      el.classList.contains(config.addedClass || "htmx-added");
  }

  function fetchAgain(el) {
    if (el.id && busy(el)) {
      stale[el.id] = true;
    } else if (window.htmx) {
      window.htmx.trigger(el, "live");
    }
  }

  // The new copy is in and htmx has processed it: fetch what it missed.
  document.addEventListener("htmx:load", function (e) {
    var el = e.detail && e.detail.elt;
    if (!el || !el.id || !stale[el.id]) return;
    delete stale[el.id];
    window.htmx.trigger(el, "live");
  });
  // The fetch ended and nothing was swapped in (it failed, or answered
  // nothing to swap): fetch once more. A swapped region is no longer in
  // the page by now; its new copy is handled above.
  document.addEventListener("htmx:afterRequest", function (e) {
    var el = e.detail && e.detail.elt;
    if (!el || !el.id || !stale[el.id] || !el.isConnected) return;
    delete stale[el.id];
    window.htmx.trigger(el, "live");
  });

  function refresh(event) {
    var data = {};
    try { data = JSON.parse(event.data); } catch (e) { /* keep {} */ }
    document.querySelectorAll("[data-live]").forEach(function (el) {
      var names = el.getAttribute("data-live").split(" ");
      var record = el.getAttribute("data-live-record");
      if (names.indexOf(event.type) < 0) return;
      if (record && data.id !== record) return;
      fetchAgain(el);
    });
    document.dispatchEvent(new CustomEvent("booth:event", { detail: { type: event.type, data: data } }));
  }

  function names() {
    var all = {};
    document.querySelectorAll("[data-live]").forEach(function (el) {
      el.getAttribute("data-live").split(" ").forEach(function (n) { if (n) all[n] = true; });
    });
    (document.body.getAttribute("data-live-events") || "").split(" ").forEach(function (n) { if (n) all[n] = true; });
    return Object.keys(all);
  }

  function connect() {
    source = new EventSource("/api/v1/events" + (last ? "?last_event_id=" + encodeURIComponent(last) : ""));
    // The stream resumed from before the log's replay window: what was
    // missed is gone from the log, so the page loads afresh.
    source.addEventListener("reload", function () { source.close(); location.reload(); });
    names().forEach(function (n) {
      source.addEventListener(n, function (e) { if (e.lastEventId) last = e.lastEventId; refresh(e); });
    });
    source.onerror = function () {
      if (source.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      // Closed for good: usually the session ended. Ask, then reconnect or sign in.
      fetch("/api/v1/me", { credentials: "same-origin" }).then(function (r) {
        if (r.status === 401) {
          location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
        } else {
          setTimeout(connect, 3000);
        }
      }, function () { setTimeout(connect, 5000); });
    };
  }
  connect();
  // Leaving the page closes the stream at once: a browser may otherwise keep
  // it open (the back/forward cache), and it allows only six connections to
  // a host, so a few pages later a form would wait for a free one.
  window.addEventListener("pagehide", function () { if (source) source.close(); });
  window.addEventListener("pageshow", function (e) { if (e.persisted) connect(); });
})();
