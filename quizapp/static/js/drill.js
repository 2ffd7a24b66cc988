/* The drill screen: a clock from the start tap, and every tap kept in a local queue and sent one at a
   time with its own UUID, so a reload or a dropped connection loses nothing and nothing is counted twice.
   The server answers a repeated UUID with what it already holds. */
(function () {
  "use strict";

  function uuid4() {  // crypto.randomUUID needs HTTPS; getRandomValues works on a plain-HTTP site LAN too
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function setUp(root) {
    var csrfToken = document.querySelector("meta[name=csrf-token]").content;  // Flask-WTF reads X-CSRFToken
    var token = root.dataset.drill, queueKey = "drill-queue:" + token, startKey = "drill-start:" + token;
    var clock = root.querySelector("[data-clock]"), pending = root.querySelector("[data-pending]");
    var startButton = root.querySelector("[data-start]"), sending = false;

    function queue() { try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; } }
    function save(items) { localStorage.setItem(queueKey, JSON.stringify(items)); showPending(items); }
    function showPending(items) {
      if (!pending) { return; }
      pending.hidden = items.length === 0;
      pending.textContent = root.dataset.labelPending.replace("{count}", items.length);
    }

    function startedAt() {
      var local = localStorage.getItem(startKey);
      return local ? Number(local) : (root.dataset.started ? Date.parse(root.dataset.started) : null);
    }
    function elapsedSeconds() { var start = startedAt(); return start ? Math.max(0, (Date.now() - start) / 1000) : null; }
    function tick() {
      var seconds = elapsedSeconds();
      if (clock && seconds !== null) {
        clock.textContent = Math.floor(seconds / 60) + ":" + String(Math.floor(seconds % 60)).padStart(2, "0");
      }
    }

    function send() {  // one record at a time; it leaves the queue only when the server has it
      var items = queue();
      if (sending || !items.length) { return Promise.resolve(); }
      sending = true;
      return fetch(items[0].url, {method: "POST", credentials: "same-origin",
                                  headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken},
                                  body: JSON.stringify(items[0].body)})
        .then(function (response) {
          sending = false;
          if (response.ok || response.status === 409 || response.status === 422 || response.status === 400) {
            save(queue().slice(1));  // held, or refused for good: retrying cannot help
            return send();
          }
        }, function () { sending = false; });
    }
    function enqueue(url, body) { var items = queue(); items.push({url: url, body: body}); save(items); send(); }

    if (startButton) {
      startButton.addEventListener("click", function () {
        localStorage.setItem(startKey, String(Date.now()));
        startButton.hidden = true;
        enqueue(root.dataset.startUrl, {device_time: new Date().toISOString()});
      });
    }
    root.querySelectorAll("[data-mark]").forEach(function (button) {
      button.addEventListener("click", function () {
        var step = button.closest("[data-step]"), note = step.querySelector("[data-note]");
        var seconds = elapsedSeconds();
        enqueue(root.dataset.markUrl, {client_id: uuid4(), phase: Number(step.dataset.phase),
                                       step: Number(step.dataset.step), mark: button.dataset.mark,
                                       note: note ? note.value : "", elapsed_seconds: seconds,
                                       device_time: new Date().toISOString()});
        step.querySelector("[data-state]").textContent = button.textContent +
          (seconds === null ? "" : " " + clock.textContent) + (note && note.value ? " · " + note.value : "");
        step.classList.add("marked");
      });
    });
    root.querySelectorAll("[data-rating]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        enqueue(root.dataset.ratingUrl, {phase: Number(radio.dataset.rating), rating: radio.value});
      });
    });
    var finish = root.querySelector("[data-finish]");
    if (finish) {
      finish.addEventListener("click", function () {
        if (!window.confirm(root.dataset.labelConfirm)) { return; }
        enqueue(root.dataset.finishUrl, {});
        var wait = setInterval(function () {
          if (!queue().length) { clearInterval(wait); localStorage.removeItem(startKey); location.reload(); }
        }, 300);
      });
    }
    window.addEventListener("online", send);
    setInterval(send, 5000);
    setInterval(tick, 500);
    showPending(queue());
    tick();
    send();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-drill]");
    if (root && root.dataset.status === "running") { setUp(root); }
  });
}());
