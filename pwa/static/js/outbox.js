// The outbox: a write made without a network (a service request, a shift-log
// entry, a document, a message, a call for help) waits in IndexedDB with its
// Idempotency-Key and the device's time, is shown as waiting, and is sent
// when the network returns: on "online", on page load and on Background
// Sync, in order, one sender at a time, so the server makes it exactly once.
// A write the server refuses comes back to the person; nothing is dropped
// silently. Signing out with writes waiting asks first.
"use strict";

(function () {
  var user = document.body.getAttribute("data-user");
  var texts = document.getElementById("outbox-texts");
  if (!user || !texts || !window.indexedDB) return;
  var say = function (name) { return texts.getAttribute("data-" + name) || ""; };
  var CALL_MAX_AGE = 15 * 60 * 1000; // older calls ask "do you still need help?" first

  // --- Storage -----------------------------------------------------------
  var dbPromise = null;
  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open("policebooth", 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore("outbox", { keyPath: "id", autoIncrement: true }).createIndex("user", "user");
      };
      req.onsuccess = function () {
        var d = req.result;
        // Let another page (or a newer version) open it: a page going away
        // must not keep everyone else waiting.
        d.onversionchange = function () { d.close(); dbPromise = null; };
        resolve(d);
      };
      req.onerror = function () { reject(req.error); };
    });
  }
  function db() {
    if (!dbPromise) {
      dbPromise = open().catch(function (err) { dbPromise = null; throw err; });
    }
    return dbPromise;
  }
  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction("outbox", mode);
        var result = fn(t.objectStore("outbox"));
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  // A flag in localStorage says whether anything waits, so a page with an
  // empty outbox never opens the database (opening, and creating it, while
  // the page is being left can stall the browser's IndexedDB).
  var FLAG = "policebooth-outbox-" + user;
  function waiting() { try { return localStorage.getItem(FLAG) === "1"; } catch (e) { return true; } }
  function mark(items) { try { if (items.length) localStorage.setItem(FLAG, "1"); else localStorage.removeItem(FLAG); } catch (e) { /* private mode */ } return items; }
  function mine() {
    return tx("readonly", function (s) { return s.index("user").getAll(user); }).then(function (items) {
      return mark((items || []).sort(function (a, b) { return a.id - b.id; }));
    });
  }
  function put(item) { return tx("readwrite", function (s) { return s.put(item); }); }
  function remove(id) { return tx("readwrite", function (s) { return s.delete(id); }); }

  // --- Keeping a write ---------------------------------------------------
  function randomKey() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function keep(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) { fields.push([name, value]); });
    var key = form.elements.idempotency_key ? form.elements.idempotency_key.value : randomKey();
    var item = {
      user: user, url: new URL(form.action, location.href).pathname, fields: fields, key: key,
      writtenAt: new Date().toISOString(), kind: form.getAttribute("data-outbox"),
      call: form.hasAttribute("data-outbox-call"), page: location.pathname, status: "waiting"
    };
    return put(item).then(function () {
      mark([item]);
      form.reset();
      if (form.elements.idempotency_key) form.elements.idempotency_key.value = randomKey();
      if (navigator.serviceWorker && navigator.serviceWorker.ready) {
        navigator.serviceWorker.ready.then(function (reg) { if (reg.sync) reg.sync.register("outbox"); }).catch(function () {});
      }
      return show(say("saved"));
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-outbox") || navigator.onLine) return;
    event.preventDefault();
    if (form.hasAttribute("data-outbox-call")) {
      var box = document.getElementById("help-offline");
      if (box) box.hidden = false;
    }
    keep(form);
  }, true);

  // --- Sending -------------------------------------------------------------
  var sending = null;
  function send(item) {
    var body = new FormData();
    item.fields.forEach(function (f) { body.append(f[0], f[1]); });
    if (!body.has("written_at")) body.append("written_at", item.writtenAt);
    return fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Idempotency-Key": item.key }
    }).then(function (r) {
      if (r.type === "opaqueredirect" || r.ok) return remove(item.id).then(function () { return "sent"; });
      if (r.status === 401) {
        // Signed out (or disabled): what waits here is no longer anyone's to send.
        if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("signed-out");
        return "later";
      }
      if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
        return r.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var why = doc.querySelector(".form-error, .field-error, main p");
          item.status = "refused";
          item.error = why ? why.textContent.trim() : String(r.status);
          return put(item).then(function () { return "refused"; });
        });
      }
      return "later"; // the server is having trouble: keep it and try again later
    }, function () { return "later"; });
  }
  function flush() {
    if (sending) return sending;
    var run = function () {
      return mine().then(function (items) {
        var next = Promise.resolve();
        var stop = false;
        items.forEach(function (item) {
          next = next.then(function () {
            if (stop || item.status !== "waiting") return;
            if (item.call && Date.now() - Date.parse(item.writtenAt) > CALL_MAX_AGE) {
              item.status = "ask";
              return put(item);
            }
            return send(item).then(function (how) { if (how === "later") stop = true; });
          });
        });
        return next;
      });
    };
    var locked = navigator.locks ? navigator.locks.request("outbox-" + user, run) : run();
    sending = locked.then(render, render).then(function () { sending = null; });
    return sending;
  }

  // --- Showing what waits ----------------------------------------------
  var panel = null;
  function show(message) {
    return render().then(function () {
      if (message && panel) panel.querySelector(".outbox-message").textContent = message;
    });
  }
  function render() {
    return mine().then(function (items) {
      if (!panel) {
        panel = document.createElement("section");
        panel.className = "card outbox";
        panel.id = "outbox";
        panel.setAttribute("aria-labelledby", "outbox-title");
        panel.innerHTML = '<h2 id="outbox-title"></h2><p class="outbox-message" role="status"></p><ul></ul>';
        panel.querySelector("h2").textContent = say("title");
        var main = document.querySelector("main");
        main.insertBefore(panel, main.firstChild);
      }
      panel.hidden = items.length === 0 && !panel.querySelector(".outbox-message").textContent;
      var list = panel.querySelector("ul");
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "outbox-" + item.status;
        var when = new Date(item.writtenAt).toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" });
        var line = document.createElement("span");
        line.textContent = (item.status === "refused" ? say("refused") : say("waiting")).replace("{kind}", item.kind).replace("{time}", when);
        li.appendChild(line);
        if (item.status === "refused") {
          var why = document.createElement("strong");
          why.textContent = " " + item.error;
          li.appendChild(why);
          var written = item.fields.filter(function (f) {
            return typeof f[1] === "string" && f[1] && ["idempotency_key", "written_at", "kind", "corrects", "service"].indexOf(f[0]) < 0;
          }).map(function (f) { return f[1]; }).join("; ");
          if (written) {
            var copy = document.createElement("p");
            copy.className = "outbox-copy";
            copy.textContent = written;
            li.appendChild(copy);
          }
          var fix = document.createElement("a");
          fix.href = item.page;
          fix.className = "button";
          fix.textContent = say("fix");
          li.appendChild(fix);
          li.appendChild(button(say("discard"), function () { return remove(item.id); }));
        }
        if (item.status === "ask") {
          line.textContent = say("still").replace("{time}", when);
          li.appendChild(button(say("send-now"), function () {
            item.status = "waiting";
            item.writtenAt = new Date().toISOString();
            return put(item).then(flush);
          }, true));
          li.appendChild(button(say("no-longer"), function () { return remove(item.id); }));
        }
        list.appendChild(li);
      });
      return items;
    });
  }
  function button(label, action, primary) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = primary ? "button primary big" : "button";
    b.textContent = label;
    b.addEventListener("click", function () { action().then(render); });
    return b;
  }

  // --- Signing out with writes waiting ---------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("sign-out") || form.hasAttribute("data-confirmed")) return;
    event.preventDefault();
    (waiting() ? flush().then(mine) : Promise.resolve([])).then(function (items) {
      if (items.length === 0) { form.setAttribute("data-confirmed", ""); form.submit(); return; }
      var dialog = document.createElement("div");
      dialog.className = "card signout-dialog";
      dialog.setAttribute("role", "alertdialog");
      dialog.setAttribute("aria-labelledby", "signout-title");
      dialog.innerHTML = '<h2 id="signout-title"></h2>';
      dialog.querySelector("h2").textContent = say("signout-title").replace("{n}", items.length);
      dialog.appendChild(button(say("signout-wait"), function () { dialog.remove(); return flush(); }, true));
      dialog.appendChild(button(say("signout-discard"), function () {
        return Promise.all(items.map(function (i) { return remove(i.id); })).then(function () {
          return window.caches ? caches.delete("policebooth-pages-" + user) : null;
        }).then(function () {
          form.setAttribute("data-confirmed", "");
          if (navigator.onLine) { form.submit(); return; }
          // Nothing of theirs is left to read here; the server ends the
          // session as soon as it can be reached.
          dialog.querySelector("h2").textContent = say("signout-offline");
          window.addEventListener("online", function () { form.submit(); }, { once: true });
        });
      }));
      var main = document.querySelector("main");
      main.insertBefore(dialog, main.firstChild);
      dialog.querySelector("button").focus();
    });
  }, true);

  window.addEventListener("online", function () { if (waiting()) flush(); });
  window.addEventListener("pagehide", function () {
    if (dbPromise) dbPromise.then(function (d) { d.close(); });
    dbPromise = null;
  });
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (e) { if (e.data === "outbox-flush" && waiting()) flush(); });
  }
  window.boothOutbox = { flush: flush, items: mine };
  if (waiting()) render().then(function () { if (navigator.onLine) flush(); });
})();
