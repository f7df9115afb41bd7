// Police Booth service worker, version {{.Version}}. It precaches the shell
// and the offline page; hashed assets are served cache-first, pages from the
// network with the offline page as the fallback, and the API never cached.
"use strict";

const VERSION = "{{.Version}}";
const CACHE = "policebooth-shell-" + VERSION;
const PRECACHE = {{.Precache}};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("policebooth-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return; // writes, other origins and the API go straight to the network
  }
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (req.mode === "navigate") {
    event.respondWith(fetch(req).catch(() => caches.match("/offline")));
  }
});

// Web Push (best effort): a call for help or its escalation, shown until
// someone opens it. The payload holds ids only, never the caller's words.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { /* keep {} */ }
  if (data.type === "notice.published") {
    event.waitUntil(self.registration.showNotification(data.title || "紧急通告 / Urgent notice", {
      body: "紧急通告 / Urgent notice", lang: data.lang || "", tag: "notice-" + data.id, renotify: true,
      data: { url: data.url || "/notices" },
    }));
    return;
  }
  const escalated = data.type === "assistance.escalated";
  const title = escalated ? "求助升级，无人接警 / Call escalated" : "新的求助呼叫 / New call for help";
  event.waitUntil(self.registration.showNotification(title, {
    body: "#" + (data.id || ""), tag: "call-" + data.id, renotify: true, requireInteraction: true,
    data: { url: data.url || "/board" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});
