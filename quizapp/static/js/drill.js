/* The drill screen: a clock from the start tap, and every tap handed to a sender. Online, the sender keeps each
   tap in a local queue and sends them one at a time with their own UUIDs, so a reload or a dropped connection
   loses nothing and nothing is counted twice (the server answers a repeated UUID with what it already holds).
   The offline field app (field.js) gives the same screen a sender that writes the taps into its record. */
(function () {
  "use strict";

  /* Wire a drill screen (``root``, with data-drill) to ``send(kind, body)``: kind is start, mark, rating or
     finish. Returns a function that forgets the screen's clock once the drill is over. */
  function attach(root, send) {
    var startKey = "drill-start:" + root.dataset.drill;
    var clock = root.querySelector("[data-clock]"), startButton = root.querySelector("[data-start]");

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

    if (startButton) {
      startButton.hidden = startedAt() !== null;
      startButton.addEventListener("click", function () {
        localStorage.setItem(startKey, String(Date.now()));
        startButton.hidden = true;
        send("start", {device_time: new Date().toISOString()});
      });
    }
    root.querySelectorAll("[data-mark]").forEach(function (button) {
      button.addEventListener("click", function () {
        var step = button.closest("[data-step]"), note = step.querySelector("[data-note]");
        var seconds = elapsedSeconds();
        send("mark", {client_id: window.quizapp.uuid4(), phase: Number(step.dataset.phase),
                      step: Number(step.dataset.step), mark: button.dataset.mark, note: note ? note.value : "",
                      elapsed_seconds: seconds, device_time: new Date().toISOString()});
        step.querySelector("[data-state]").textContent = button.textContent +
          (seconds === null ? "" : " " + clock.textContent) + (note && note.value ? " · " + note.value : "");
        step.classList.add("marked");
      });
    });
    root.querySelectorAll("[data-rating]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        send("rating", {phase: Number(radio.dataset.rating), rating: radio.value});
      });
    });
    var finish = root.querySelector("[data-finish]");
    if (finish) {
      finish.addEventListener("click", function () {
        if (window.confirm(root.dataset.labelConfirm)) { send("finish", {}); }
      });
    }
    var ticking = setInterval(tick, 500);
    tick();
    return function forget() { clearInterval(ticking); localStorage.removeItem(startKey); };
  }

  /* Online: each tap goes to its JSON route (data-start-url, data-mark-url …) through a queue in localStorage. */
  function sendToServer(root) {
    var csrfToken = document.querySelector("meta[name=csrf-token]").content;  // Flask-WTF reads X-CSRFToken
    var queueKey = "drill-queue:" + root.dataset.drill, pending = root.querySelector("[data-pending]");
    var sending = false, forget = null;

    function queue() { try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; } }
    function save(items) { localStorage.setItem(queueKey, JSON.stringify(items)); showPending(items); }
    function showPending(items) {
      if (!pending) { return; }
      pending.hidden = items.length === 0;
      pending.textContent = root.dataset.labelPending.replace("{count}", items.length);
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

    forget = attach(root, function (kind, body) {
      var items = queue();
      items.push({url: root.dataset[kind + "Url"], body: body});
      save(items);
      send();
      if (kind === "finish") {
        var wait = setInterval(function () {
          if (!queue().length) { clearInterval(wait); forget(); location.reload(); }
        }, 300);
      }
    });
    window.addEventListener("online", send);
    setInterval(send, 5000);
    showPending(queue());
    send();
  }

  window.quizappDrill = {attach: attach};
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-drill]");
    if (root && root.dataset.status === "running") { sendToServer(root); }
  });
}());
