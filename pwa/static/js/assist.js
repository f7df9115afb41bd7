// Immediate assistance in the browser: the help button (hold to send, or
// press twice from a keyboard or switch), the caller's position while a
// call is open, and the officer board's alert (sound, vibration, a screen
// kept awake) until every call is acknowledged.
"use strict";

(function () {
  // --- The help button -------------------------------------------------
  var form = document.getElementById("help-form");
  if (form) {
    var button = document.getElementById("help-button");
    var text = button.querySelector(".help-button-text");
    var label = text.textContent;
    var status = document.getElementById("help-location");
    var holdMs = 2000;
    var timer = null, armed = false, armTimer = null, pointerHold = false;

    if (navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById("help-lat").value = p.coords.latitude;
        document.getElementById("help-lng").value = p.coords.longitude;
        document.getElementById("help-acc").value = Math.round(p.coords.accuracy);
        status.textContent = status.getAttribute("data-found") || "✔";
      }, function () {
        status.textContent = status.getAttribute("data-refused") || "";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }

    function reset() {
      clearTimeout(timer);
      timer = null;
      pointerHold = false;
      button.classList.remove("holding");
      text.textContent = label;
    }
    button.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      pointerHold = true;
      button.classList.add("holding");
      text.textContent = button.getAttribute("data-hold-label");
      timer = setTimeout(function () { timer = null; form.requestSubmit(); }, holdMs);
    });
    ["pointerup", "pointerleave", "pointercancel"].forEach(function (t) {
      button.addEventListener(t, function () { if (timer) reset(); });
    });
    button.addEventListener("contextmenu", function (e) { e.preventDefault(); });
    button.addEventListener("click", function (e) {
      if (pointerHold || e.detail > 0) { e.preventDefault(); return; } // a tap is not enough: hold
      // Keyboard, screen reader or switch: the first press arms, the second sends.
      if (armed) return;
      e.preventDefault();
      armed = true;
      text.textContent = button.getAttribute("data-confirm-label");
      armTimer = setTimeout(function () { armed = false; text.textContent = label; }, 10000);
    });
  }

  // --- The caller's position while the call is open ---------------------
  var call = document.querySelector("[data-call-id]");
  if (call && call.getAttribute("data-caller") === "true" && navigator.geolocation) {
    var id = call.getAttribute("data-call-id");
    var lastSent = 0;
    var watch = navigator.geolocation.watchPosition(function (p) {
      var open = document.querySelector("[data-call-id]");
      if (!open || open.getAttribute("data-call-open") !== "true") { navigator.geolocation.clearWatch(watch); return; }
      if (Date.now() - lastSent < 10000) return;
      lastSent = Date.now();
      fetch("/api/v1/assistance-calls/" + id + "/location", {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy_m: p.coords.accuracy })
      });
    }, function () {}, { enableHighAccuracy: true, maximumAge: 10000 });
  }

  // --- The head's dashboard: one sound for each new thing needing action --
  var dashSound = document.getElementById("dash-sound");
  if (dashSound) {
    var dashAudio = null, seen = {}, sounded = 0;
    var urgentKeys = function () {
      var el = document.querySelector("[data-urgent]");
      return el ? el.getAttribute("data-urgent").split(" ").filter(Boolean) : [];
    };
    urgentKeys().forEach(function (k) { seen[k] = true; }); // on the screen already when it opened
    document.body.addEventListener("htmx:afterSwap", function () {
      var fresh = false;
      urgentKeys().forEach(function (k) { if (!seen[k]) { seen[k] = true; fresh = true; } });
      if (!fresh) return;
      sounded++;
      dashSound.setAttribute("data-sounded", String(sounded));
      if (!dashAudio || dashAudio.state !== "running") return;
      var o = dashAudio.createOscillator(), g = dashAudio.createGain();
      o.frequency.value = 660;
      g.gain.setValueAtTime(0.5, dashAudio.currentTime);
      g.gain.exponentialRampToValueAtTime(0.001, dashAudio.currentTime + 0.6);
      o.connect(g); g.connect(dashAudio.destination);
      o.start(); o.stop(dashAudio.currentTime + 0.6);
    });
    dashSound.addEventListener("click", function () {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!dashAudio && Ctx) dashAudio = new Ctx();
      if (dashAudio) dashAudio.resume();
      dashSound.setAttribute("aria-pressed", "true");
      document.getElementById("dash-sound-state").textContent = dashSound.getAttribute("data-on");
    });
  }

  // --- The officer board's alert ---------------------------------------
  var unlock = document.getElementById("alert-unlock");
  if (!unlock) return;
  var state = document.getElementById("alert-state");
  var audio = null, ringing = null, lock = null;

  function waiting() {
    var banner = document.getElementById("alert-banner");
    return banner ? parseInt(banner.getAttribute("data-unacknowledged"), 10) || 0 : 0;
  }
  function beep() {
    if (!audio || audio.state !== "running") return;
    [0, 0.35].forEach(function (at) {
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.6, audio.currentTime + at);
      g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.3);
      o.connect(g); g.connect(audio.destination);
      o.start(audio.currentTime + at); o.stop(audio.currentTime + at + 0.3);
    });
    if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
  }
  function update() {
    var n = waiting();
    document.body.classList.toggle("alerting", n > 0);
    if (n > 0 && !ringing) { beep(); ringing = setInterval(beep, 1500); }
    if (n === 0 && ringing) { clearInterval(ringing); ringing = null; }
  }
  function keepAwake() {
    if (!("wakeLock" in navigator) || lock) return;
    navigator.wakeLock.request("screen").then(function (l) { lock = l; l.addEventListener("release", function () { lock = null; }); }, function () {});
  }
  unlock.addEventListener("click", function () {
    window.boothSubscribePush(); // best effort: the stream and the sound work without it
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) audio = new Ctx();
    var ready = function () {
      if (!audio || audio.state !== "running") return; // still blocked: the banner stays
      unlock.setAttribute("aria-pressed", "true");
      unlock.hidden = true;
      document.getElementById("sound-banner").classList.add("ready");
      state.textContent = unlock.getAttribute("data-on") || state.textContent;
    };
    if (audio) audio.resume().then(ready, function () {});
    keepAwake();
    update();
  });
  if (navigator.vibrate) document.body.classList.add("can-vibrate");
  document.addEventListener("visibilitychange", function () { if (!document.hidden && unlock.getAttribute("aria-pressed") === "true") keepAwake(); });
  document.body.addEventListener("htmx:afterSwap", update);
  document.body.addEventListener("htmx:afterSettle", update);
  update();

  // --- One page for the whole shift -------------------------------------
  // Staff move between home, board, calls, queue and shift inside this
  // page: a link or a form swaps only the main part (the server answers an
  // htmx request with the content alone), so the sound, the screen lock
  // and the event stream live on. Other pages, uploads and the offline
  // outbox go the ordinary way.
  if (document.body.getAttribute("data-shell") !== "staff" || !window.htmx) return;
  var main = document.getElementById("main");
  // The pages of the help path and the shift; a request's page (documents,
  // the family photo camera) loads as a page of its own.
  var shellPaths = /^\/(board|queue|shift|shift\/(clock-in|clock-out|switch|pin|handover\/\d+)|calls\/\d+|calls\/\d+\/move)?$/;
  function soft(url) {
    var u = new URL(url, location.href);
    return u.origin === location.origin && shellPaths.test(u.pathname);
  }
  function go(method, url, values) {
    window.htmx.ajax(method, url, { target: main, swap: "innerHTML", values: values }).then(function () {
      var h1 = main.querySelector("h1");
      if (h1) document.title = h1.textContent + " · " + document.title.split(" · ").slice(-1)[0];
      window.scrollTo(0, 0);
      main.focus({ preventScroll: true });
    });
  }
  // Once the new content is in place the address follows it: the page a
  // link or a redirect led to; a form answered in place (with its errors)
  // keeps the address of the page it was sent from.
  document.body.addEventListener("htmx:afterSettle", function (e) {
    var xhr = e.detail.xhr, cfg = e.detail.requestConfig || {};
    if (e.detail.target !== main || !xhr || !xhr.responseURL) return;
    var u = new URL(xhr.responseURL), to = u.pathname + u.search;
    var answeredInPlace = cfg.verb && cfg.verb.toLowerCase() !== "get" && new URL(cfg.path, location.href).pathname === u.pathname;
    if (answeredInPlace || to === location.pathname + location.search) history.replaceState(history.state, "", location.href);
    else history.pushState({ shell: true }, "", to);
  });
  // A form sent back with its errors (400, 409) is shown like any page.
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.target === main && e.detail.xhr.status >= 400 && e.detail.xhr.status < 500) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target || a.hasAttribute("download")) return;
    if (!soft(a.href) || a.getAttribute("href").charAt(0) === "#") return;
    e.preventDefault();
    go("GET", a.href, {});
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || form.hasAttribute("data-outbox") || form.enctype === "multipart/form-data" || form.hasAttribute("hx-post")) return;
    if (!soft(form.action) || form.closest("header")) return;
    e.preventDefault();
    var values = {};
    new FormData(form).forEach(function (v, k) { values[k] = v; });
    if (e.submitter && e.submitter.name) values[e.submitter.name] = e.submitter.value;
    var method = (form.getAttribute("method") || "get").toUpperCase();
    go(method, form.action, values);
  });
  window.addEventListener("popstate", function () { go("GET", location.href, {}); });
})();

// The safety timer (安全守护): the countdown, the 30-second alert when it
// runs out (vibration, a beep where the browser allows sound, a visible
// alert), and the position sent with a new timer.
(function () {
  var form = document.getElementById("timer-form");
  if (form && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("timer-lat").value = p.coords.latitude;
      document.getElementById("timer-lng").value = p.coords.longitude;
      document.getElementById("timer-acc").value = p.coords.accuracy;
    }, function () {}, { enableHighAccuracy: true, timeout: 15000 });
  }
  var box = document.getElementById("safety-timer");
  if (!box) return;
  var due = Date.parse(box.getAttribute("data-due"));
  var fire = Date.parse(box.getAttribute("data-fire"));
  var left = document.getElementById("timer-left");
  var alertBox = document.getElementById("timer-alert");
  var audio = null;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function beep() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    try {
      if (!audio && Ctx) audio = new Ctx();
      if (!audio) return;
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = 880; g.gain.value = 0.3;
      o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + 0.4);
    } catch (e) { /* sound is an extra */ }
  }
  var timer = setInterval(function () {
    var now = Date.now();
    if (now < due) {
      var s = Math.ceil((due - now) / 1000);
      left.textContent = (box.getAttribute("data-left") || "") + " " + Math.floor(s / 60) + ":" + pad(s % 60);
      return;
    }
    if (alertBox.hidden) {
      alertBox.hidden = false;
      alertBox.textContent = box.getAttribute("data-alert-text");
      document.body.classList.add("alerting");
    }
    var r = Math.max(0, Math.ceil((fire - now) / 1000));
    left.textContent = "0:" + pad(r);
    if (navigator.vibrate) navigator.vibrate([400, 200, 400]);
    beep();
    if (now >= fire) { clearInterval(timer); setTimeout(function () { window.location.href = "/help"; }, 3000); }
  }, 1000);
})();
