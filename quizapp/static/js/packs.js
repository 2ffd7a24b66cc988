/* The pack page (/packs): download the chosen enterprises' pack into IndexedDB (store.js), keep a verifier of
   the inspector's password for unlocking the tablet offline, and ask the browser to keep the storage. */
(function () {
  "use strict";

  /* People the inspector added on the tablet stay on its roster until the server's roster has them. */
  function keepAdded(enterprise) {
    return window.quizappStore.get("packs", enterprise.token).then(function (old) {
      var known = {};
      enterprise.workers.forEach(function (worker) { known[worker.name + "\n" + worker.post] = true; });
      ((old && old.workers) || []).forEach(function (worker) {
        if (worker.added && !known[worker.name + "\n" + worker.post]) { enterprise.workers.push(worker); }
      });
    });
  }

  function save(pack, password) {
    var store = window.quizappStore, salt = window.quizapp.hex(crypto.getRandomValues(new Uint8Array(16)));
    return store.verifier(password, salt).then(function (hash) {
      return store.put("meta", {key: "unlock", salt: salt, hash: hash, user: pack.user});
    }).then(function () {
      return Promise.all(pack.enterprises.map(function (enterprise) {
        return keepAdded(enterprise).then(function () {
          return store.put("packs", Object.assign({issued_at: pack.issued_at, user: pack.user}, enterprise));
        });
      }));
    }).then(function () {
      return navigator.storage && navigator.storage.persist ? navigator.storage.persist() : false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-pack-form]");
    if (!form) { return; }
    var message = form.querySelector("[data-pack-message]");
    function say(text, kind) { message.textContent = text; message.className = "flash flash-" + kind; message.hidden = false; }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = Array.prototype.map.call(form.querySelectorAll("input[name=enterprise]:checked"),
                                            function (input) { return input.value; });
      if (!chosen.length) { return say(form.dataset.labelChoose, "error"); }
      if (!(window.crypto && crypto.subtle)) { return say(form.dataset.labelSecure, "error"); }
      var password = form.elements.password.value, button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch("/api/packs", {method: "POST", credentials: "same-origin",
                           headers: {"Content-Type": "application/json", "Accept": "application/json",
                                     "X-CSRFToken": document.querySelector("meta[name=csrf-token]").content},
                           body: JSON.stringify({enterprises: chosen, password: password})})
        .then(function (response) {
          return response.json().then(function (answer) {
            if (!response.ok) { throw new Error(answer.error || form.dataset.labelFailed); }
            return save(answer, password).then(function () {
              say(form.dataset.labelDone.replace("{count}", answer.enterprises.length), "success");
            });
          });
        })
        .catch(function (error) {  // a TypeError: no network
          say(error instanceof TypeError ? form.dataset.labelFailed : error.message, "error");
        })
        .then(function () { button.disabled = false; form.elements.password.value = ""; });
    });
  });
}());
