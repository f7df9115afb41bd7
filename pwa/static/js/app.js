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
