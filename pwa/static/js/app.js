// Police Booth's own script: small, no framework. It registers the service
// worker; pages add their behaviour through htmx attributes.
"use strict";

if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function (err) {
      console.warn("service worker not registered:", err);
    });
  });
}

// Show-password toggles: the button names the field it reveals and says
// what it will do next.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-show-password]");
  if (!button) return;
  var input = document.getElementById(button.getAttribute("data-show-password"));
  if (!input) return;
  var showing = input.type === "text";
  input.type = showing ? "password" : "text";
  button.setAttribute("aria-pressed", showing ? "false" : "true");
  var other = button.getAttribute("data-other-label");
  button.setAttribute("data-other-label", button.textContent);
  button.textContent = other;
});

// A form sent back with errors: bring its message into view and focus, so
// a person on a small screen sees what to fix.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.querySelector("[data-autofocus]");
  if (el) el.focus();
});

// Clock-in forms record where the tablet is, when the device can tell; the
// form works without it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-locate]").forEach(function (form) {
    var status = form.querySelector("[data-locate-status]");
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lat.value = pos.coords.latitude;
      form.elements.lng.value = pos.coords.longitude;
      if (status) status.textContent = form.getAttribute("data-located");
    }, function () {
      if (status) status.textContent = form.getAttribute("data-unlocated");
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  });
});

// Web Push, a best-effort extra (many push services are out of reach):
// subscribes this browser and stores the subscription. Resolves true when
// it worked.
window.boothSubscribePush = function () {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) return Promise.resolve(false);
  return fetch("/api/v1/push/key", { credentials: "same-origin" }).then(function (r) {
    return r.ok ? r.json() : null;
  }).then(function (k) {
    if (!k) return false;
    var raw = atob(k.public_key.replace(/-/g, "+").replace(/_/g, "/"));
    var key = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) key[i] = raw.charCodeAt(i);
    return navigator.serviceWorker.ready.then(function (reg) {
      return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    }).then(function (sub) {
      return fetch("/api/v1/push-subscriptions", {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(sub)
      }).then(function (r) { return r.ok; });
    });
  }).catch(function () { return false; });
};

// A button that turns push on for this phone says how it went in the
// element it names (data-push-status).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-push-subscribe]");
  if (!button) return;
  var status = document.getElementById(button.getAttribute("data-push-status"));
  button.disabled = true;
  window.boothSubscribePush().then(function (ok) {
    if (status) status.textContent = button.getAttribute(ok ? "data-push-on" : "data-push-off");
    button.disabled = ok;
  });
});

// Offline: say so plainly, and how old the page is.
(function () {
  var banner = document.getElementById("offline-banner");
  if (!banner) return;
  function update() {
    if (navigator.onLine) { banner.hidden = true; return; }
    var at = new Date(document.body.getAttribute("data-rendered-at") || Date.now());
    banner.textContent = (document.body.getAttribute("data-offline-text") || "").replace("{time}",
      at.toLocaleString(document.documentElement.lang || [], { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }));
    banner.hidden = false;
    var box = document.getElementById("help-offline");
    if (box) box.hidden = false;
  }
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
})();

// Install: Chromium offers it after the first useful visit (a signed-in
// home); iPhones get the "Add to Home Screen" steps instead.
(function () {
  var box = document.getElementById("install");
  if (!box) return;
  var standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone;
  if (standalone) return;
  var ios = /iphone|ipad|ipod/i.test(navigator.userAgent);
  if (ios) { box.querySelector("[data-ios]").hidden = false; box.hidden = false; return; }
  window.addEventListener("beforeinstallprompt", function (e) {
    e.preventDefault();
    var button = box.querySelector("[data-install]");
    button.hidden = false;
    box.hidden = false;
    button.addEventListener("click", function () { e.prompt(); box.hidden = true; }, { once: true });
  });
})();

// A share link's copy and system-share buttons (the photos page): copy
// puts the link on the clipboard and says so; share offers the phone's own
// share sheet where the browser has one.
document.addEventListener("click", function (event) {
  var copy = event.target.closest("[data-copy]");
  if (copy) {
    var field = document.getElementById(copy.getAttribute("data-copy"));
    var status = copy.closest(".share-made").querySelector("[data-copy-status]");
    var done = function () { if (status) status.textContent = copy.getAttribute("data-copied"); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () { field.select(); document.execCommand("copy"); done(); });
    } else {
      field.select();
      document.execCommand("copy");
      done();
    }
    return;
  }
  var share = event.target.closest("[data-share]");
  if (share && navigator.share) {
    navigator.share({ title: share.getAttribute("data-share-title"), url: document.getElementById(share.getAttribute("data-share")).value }).catch(function () {});
  }
});
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.share) return;
  document.querySelectorAll("[data-share]").forEach(function (b) { b.hidden = false; });
});
