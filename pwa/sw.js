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
  if (req.method === "GET" && /^\/api\/v1\/photos\/\d+\/thumb$/.test(url.pathname)) {
    event.respondWith(page(req)); // the family's photo thumbnails, readable offline too
    return;
  }
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return; // writes, other origins, the API and the live stream go straight to the network
  }
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (req.mode === "navigate") {
    event.respondWith(page(req));
  }
});

// Pages come from the network while there is one, and each signed-in
// person's recent pages are kept in their own cache (named by the
// X-Booth-User header the server sends) for reading offline. A page is never
// served stale while the network answers: an officer must not act on an old
// queue. Signing out clears every cache (Clear-Site-Data).
const PAGES = "policebooth-pages-";
const KEEP_PAGES = 40;
let currentUser = null;

async function page(req) {
  try {
    const res = await fetch(req);
    const user = res.headers.get("X-Booth-User") || (req.mode === "navigate" ? null : currentUser);
    if (res.ok && user) {
      currentUser = user;
      const copy = res.clone();
      const meta = await caches.open(PAGES + "meta");
      await meta.put("/__user", new Response(user));
      const cache = await caches.open(PAGES + user);
      await cache.put(req.url, copy);
      const keys = await cache.keys();
      for (const old of keys.slice(0, Math.max(0, keys.length - KEEP_PAGES))) await cache.delete(old);
    }
    return res;
  } catch (err) {
    const user = currentUser || (await (await caches.open(PAGES + "meta")).match("/__user").then((r) => r && r.text()));
    if (user) {
      const hit = await (await caches.open(PAGES + user)).match(req.url);
      if (hit) return hit;
    }
    return (await caches.match("/offline")) || Response.error();
  }
}

// Background Sync, where the browser has it: ask the open pages to send
// what waits in their outbox.
self.addEventListener("sync", (event) => {
  if (event.tag !== "outbox") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then((list) => list.forEach((c) => c.postMessage("outbox-flush"))));
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
