// The booth's calling screen (叫号屏): it follows the booth's stream of
// changes, reads the line again on each, and when a number is called
// plays a chime and says "请 A017 号到 1 号窗口" where the browser speaks.
// EventSource reconnects by itself after a network cut; on every
// (re)connection the line is read afresh, and every 30 s besides.
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) return;
  var stateURL = root.getAttribute("data-state");
  var eventsURL = root.getAttribute("data-events");
  var say = root.getAttribute("data-say") || "请 {ticket} 号到 {window} 号窗口";
  var offline = root.getAttribute("data-offline") || "";
  var windowLabel = root.getAttribute("data-window") || "{window}";
  var status = document.getElementById("display-status");
  var audio = null;

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }

  function render(state) {
    var now = state.serving && state.serving[0];
    text("display-ticket", now ? now.ticket : "—");
    text("display-window", now ? windowLabel.replace("{window}", now.window) : "");
    var list = document.getElementById("display-next");
    list.textContent = "";
    var waiting = (state.waiting || []).slice(0, 5);
    if (waiting.length === 0) {
      var li = document.createElement("li");
      li.className = "display-empty";
      li.textContent = list.getAttribute("data-empty");
      list.appendChild(li);
    }
    waiting.forEach(function (t) {
      var li = document.createElement("li");
      li.textContent = t.ticket;
      list.appendChild(li);
    });
    status.textContent = "";
  }

  function load() {
    return fetch(stateURL, { cache: "no-store", credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(render)
      .catch(function () { status.textContent = offline; });
  }

  function chime() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      [660, 880].forEach(function (f, i) {
        var o = audio.createOscillator();
        var g = audio.createGain();
        o.frequency.value = f;
        g.gain.value = 0.2;
        o.connect(g);
        g.connect(audio.destination);
        o.start(audio.currentTime + i * 0.35);
        o.stop(audio.currentTime + i * 0.35 + 0.3);
      });
    } catch (e) { /* no sound on this screen */ }
  }

  function announce(ticket, win) {
    var words = say.replace("{ticket}", ticket).replace("{window}", win);
    text("display-call", words);
    root.setAttribute("data-spoken", words);
    chime();
    if (window.speechSynthesis && window.SpeechSynthesisUtterance) {
      var u = new SpeechSynthesisUtterance(say.replace("{ticket}", ticket.replace("-", "")).replace("{window}", win));
      u.lang = document.documentElement.lang || "zh-CN";
      u.rate = 0.9;
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(u);
    }
  }

  document.getElementById("display-sound").addEventListener("click", function () {
    chime();
    this.hidden = true;
  });

  var source = null;
  function connect() {
    source = new EventSource(eventsURL);
    source.addEventListener("open", load);
    source.addEventListener("queue", function (e) {
      var d = {};
      try { d = JSON.parse(e.data); } catch (err) { /* a malformed event reads the line all the same */ }
      load().then(function () { if (d.call && d.ticket) announce(d.ticket, d.window); });
    });
    source.addEventListener("error", function () {
      status.textContent = offline;
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        setTimeout(connect, 5000); // the server refused: try again later
      }
    });
  }
  connect();
  setInterval(load, 30000);
})();
