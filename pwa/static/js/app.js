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
