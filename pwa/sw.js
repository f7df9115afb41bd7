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
  if (req.method === "GET" && url.origin === self.location.origin && url.pathname.startsWith("/api/") &&
      url.pathname !== "/api/v1/events" && !url.pathname.startsWith("/api/v1/auth/")) {
    event.respondWith(api(req)); // never cached; a 401 ends what is kept offline
    return;
  }
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return; // writes, other origins, sign-in and the live stream go straight to the network
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
// queue. The moment a page (or an API answer) shows that nobody is signed in
// any more, or someone else is, every kept page and the outbox are dropped:
// a lost tablet whose officer was disabled keeps nothing to read. A call's
// page is kept only during its officer's shift (X-Booth-Offline: no after
// it; X-Booth-Forget: /calls/ at clock-out). Signing out also clears
// everything (Clear-Site-Data).
const PAGES = "policebooth-pages-";
const KEEP_PAGES = 40;
let currentUser = null;

async function storedUser() {
  if (currentUser) return currentUser;
  const hit = await (await caches.open(PAGES + "meta")).match("/__user");
  return hit ? hit.text() : null;
}

// forget drops every person's kept pages but keep's (none when keep is
// null) and the outbox database.
async function forget(keep) {
  const keys = await caches.keys();
  await Promise.all(keys.filter((k) => k.startsWith(PAGES) && k !== PAGES + keep).map((k) => caches.delete(k)));
  currentUser = keep;
  await new Promise((resolve) => {
    const r = indexedDB.deleteDatabase("policebooth");
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}

async function page(req) {
  try {
    const res = await fetch(req);
    const html = (res.headers.get("Content-Type") || "").startsWith("text/html");
    let user = res.headers.get("X-Booth-User");
    if (req.mode === "navigate" && html) {
      const known = await storedUser();
      if (known && user !== known) await forget(user);
    } else if (!user) {
      user = currentUser;
    }
    if (user) {
      const cache = await caches.open(PAGES + user);
      const prefix = res.headers.get("X-Booth-Forget");
      if (prefix) {
        for (const k of await cache.keys()) if (new URL(k.url).pathname.startsWith(prefix)) await cache.delete(k);
      }
      if (res.headers.get("X-Booth-Offline") === "no") {
        await cache.delete(req.url);
      } else if (res.ok) {
        currentUser = user;
        const copy = res.clone();
        const meta = await caches.open(PAGES + "meta");
        await meta.put("/__user", new Response(user));
        await cache.put(req.url, copy);
        const keys = await cache.keys();
        for (const old of keys.slice(0, Math.max(0, keys.length - KEEP_PAGES))) await cache.delete(old);
      }
    }
    return res;
  } catch (err) {
    const user = await storedUser();
    if (user) {
      const hit = await (await caches.open(PAGES + user)).match(req.url);
      if (hit) return hit;
    }
    return (await caches.match("/offline")) || Response.error();
  }
}

// An API answer of 401 (outside sign-in itself) means the session is over.
async function api(req) {
  const res = await fetch(req);
  if (res.status === 401) await forget(null);
  return res;
}

// A page that learns its session is over (its outbox was refused with 401)
// says so.
self.addEventListener("message", (event) => {
  if (event.data === "signed-out") event.waitUntil(forget(null));
});

// Background Sync, where the browser has it: ask the open pages to send
// what waits in their outbox.
self.addEventListener("sync", (event) => {
  if (event.tag !== "outbox") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then((list) => list.forEach((c) => c.postMessage("outbox-flush"))));
});

// Web Push (best effort): a call for help or its escalation, shown until
// someone opens it; to a caller whose page is closed, that an officer took
// or wrote on their call. The payload holds ids and what happened only,
// never anyone's words.
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
  if (data.type === "assistance.caller_update") {
    const title = data.what === "message" ? "民警给您发了消息 / An officer has written to you"
      : data.what === "acknowledged" ? "民警已接警 / An officer has taken your call" : "求助进展 / Your call";
    event.waitUntil(self.registration.showNotification(title, {
      body: "#" + (data.id || ""), tag: "mycall-" + data.id, renotify: true,
      data: { url: data.url || "/" },
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
