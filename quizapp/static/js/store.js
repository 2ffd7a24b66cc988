/* Every page: the tablet's store of inspection packs and offline records (IndexedDB), and the sync that sends
   records to the server when the network is there: on page load, on the "online" event and every half minute,
   one record at a time, from page script (never replayed by the service worker). A record leaves "pending" only
   when the server confirms it; a refusal (another answer already stored, a closed inspection) makes it a
   conflict that waits for the inspector. The banner counts what is waiting.

   A record: {id (its client UUID), kind ("attempt" or "drill"), state ("draft", "pending", "synced",
   "conflict"), created, updated, enterprise, enterprise_name, title, body (what is sent), result, error, stored}. */
(function () {
  "use strict";

  var NAME = "quizapp-field", VERSION = 1, SYNC_SECONDS = 30, KEEP_SENT_DAYS = 14;
  var ROUTES = {attempt: "/api/offline/attempts", drill: "/api/offline/drills"};
  var opened = null, syncing = null, signedOut = false;

  function request(idbRequest) {
    return new Promise(function (resolve, reject) {
      idbRequest.onsuccess = function () { resolve(idbRequest.result); };
      idbRequest.onerror = function () { reject(idbRequest.error); };
    });
  }

  function database() {
    if (!opened) {
      var opening = indexedDB.open(NAME, VERSION);
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore("packs", {keyPath: "token"});
        opening.result.createObjectStore("records", {keyPath: "id"});
        opening.result.createObjectStore("meta", {keyPath: "key"});
      };
      opened = request(opening);
    }
    return opened;
  }

  function objects(name, mode) {
    return database().then(function (db) { return db.transaction(name, mode).objectStore(name); });
  }
  function all(name) { return objects(name, "readonly").then(function (s) { return request(s.getAll()); }); }
  function get(name, key) { return objects(name, "readonly").then(function (s) { return request(s.get(key)); }); }
  function put(name, value) { return objects(name, "readwrite").then(function (s) { return request(s.put(value)); }); }
  function remove(name, key) { return objects(name, "readwrite").then(function (s) { return request(s.delete(key)); }); }

  function saveRecord(record) {
    record.updated = new Date().toISOString();
    return put("records", record).then(function () { showBanner(); return record; });
  }

  function records() {
    return all("records").then(function (found) {
      return found.sort(function (a, b) { return a.created < b.created ? -1 : a.created > b.created ? 1 : 0; });
    });
  }

  function postWith(token, url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body)
    });
  }

  function session() {
    return fetch("/api/session", {credentials: "same-origin", headers: {"Accept": "application/json"}});
  }

  function answerOf(response) {  // the JSON answer, or a failure that carries the server's message
    return response.json().catch(function () { return {}; }).then(function (answer) {
      if (!response.ok) { throw new Error(answer.error || String(response.status)); }
      return answer;
    });
  }

  /* One request the inspector asked for (a conflict's correction): resolves with the answer, or fails with the
     server's message. */
  function post(url, body) {
    return session().then(answerOf).then(function (signedIn) {
      return postWith(signedIn.csrf_token, url, body);
    }).then(answerOf);
  }

  /* A verifier of the inspector's password (PBKDF2), kept with the packs: offline, only they unlock the tablet. */
  function verifier(password, saltHex) {
    var salt = new Uint8Array(saltHex.match(/../g).map(function (pair) { return parseInt(pair, 16); }));
    return crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"])
      .then(function (key) {
        return crypto.subtle.deriveBits({name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: 200000}, key, 256);
      }).then(function (bits) { return window.quizapp.hex(new Uint8Array(bits)); });
  }

  /* Send one record; resolves true to go on with the next, false to stop until the next sync. */
  function send(record, token) {
    return postWith(token, ROUTES[record.kind], record.body).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) {
          record.state = "synced";
          record.result = answer;
          record.error = null;
          return saveRecord(record).then(function () { return true; });
        }
        if (!answer.csrf && [400, 404, 409, 422].indexOf(response.status) >= 0) {  // sending again cannot help
          record.state = "conflict";
          record.error = answer.error || String(response.status);
          record.stored = answer.stored || null;
          return saveRecord(record).then(function () { return true; });
        }
        signedOut = response.status === 401;
        return false;  // signed out, throttled, or the server is down: keep it and try later
      });
    }, function () { return false; });
  }

  /* A sent record stays listed for a while, then leaves the tablet with the names in it (the server has it). */
  function forgetOldSent(found) {
    var before = new Date(Date.now() - KEEP_SENT_DAYS * 86400000).toISOString();
    return Promise.all(found.filter(function (record) { return record.state === "synced" && record.updated < before; })
      .map(function (record) { return remove("records", record.id); }));
  }

  function sync() {
    if (syncing) { return syncing; }
    syncing = records().then(function (found) {
      return forgetOldSent(found).then(function () { return found; });
    }).then(function (found) {
      var waiting = found.filter(function (record) { return record.state === "pending"; });
      if (!waiting.length || !navigator.onLine) { return null; }
      return session().then(function (response) {
        signedOut = response.status === 401;
        if (!response.ok) { return null; }
        return response.json().then(function (signedIn) {
          return waiting.reduce(function (chain, record) {
            return chain.then(function (goOn) { return goOn && send(record, signedIn.csrf_token); });
          }, Promise.resolve(true));
        });
      });
    }).catch(function () { return null; }).then(function (sent) {
      syncing = null;
      if (sent !== null) { document.dispatchEvent(new CustomEvent("quizapp:synced")); }
      return showBanner();
    });
    return syncing;
  }

  function showBanner() {
    var banner = document.querySelector("[data-sync-banner]");
    if (!banner) { return Promise.resolve(); }
    return records().then(function (found) {
      var pending = found.filter(function (r) { return r.state === "pending"; }).length;
      var conflicts = found.filter(function (r) { return r.state === "conflict"; }).length;
      var parts = [];
      if (pending) { parts.push(banner.dataset.labelPending.replace("{count}", pending)); }
      if (conflicts) { parts.push(banner.dataset.labelConflicts.replace("{count}", conflicts)); }
      if (pending && signedOut) { parts.push(banner.dataset.labelSignIn); }
      banner.querySelector("a").textContent = parts.join(" · ");
      banner.hidden = parts.length === 0;
    }).catch(function () { banner.hidden = true; });
  }

  window.quizappStore = {all: all, get: get, put: put, remove: remove, records: records, saveRecord: saveRecord,
                         sync: sync, post: post, verifier: verifier};
  if (!window.indexedDB) { return; }
  document.addEventListener("DOMContentLoaded", function () {
    sync();
    window.addEventListener("online", sync);
    setInterval(sync, SYNC_SECONDS * 1000);
  });
}());
