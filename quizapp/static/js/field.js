/* The field app (/field): inspections without a network, from the packs on the tablet. Views by the address's
   hash: the packs (#), an enterprise (#e/TOKEN), a person met on the day (#add/TOKEN), a worker's quiz (#quiz/ID)
   and its marking (#mark/ID), a drill (#drill-new/TOKEN/N, #drill/ID) and the records (#records). Every answer
   and tap is written to the record in IndexedDB as it happens (state "draft"); a finished record becomes
   "pending" and store.js sends it. The quiz and drill screens are the online ones (quiz.js, drill.js) on the
   pack's server-rendered screens. */
(function () {
  "use strict";

  var store = window.quizappStore, labels = {}, view = null, releaseQuiz = null;
  var ACTIVE = {draft: true, pending: true, conflict: true};

  function clone(id) { return document.getElementById(id).content.cloneNode(true); }
  function slot(root, name) { return root.querySelector('[data-slot="' + name + '"]'); }
  function text(root, name, value) { slot(root, name).textContent = value; }
  function now() { return new Date().toISOString(); }
  function localTime(iso) {
    return iso ? new Date(iso).toLocaleString(document.documentElement.lang, {dateStyle: "short", timeStyle: "short"})
               : "";
  }

  function workerMode(on) {
    document.documentElement.classList.toggle("worker-mode", on);
    if (!on && releaseQuiz) { releaseQuiz(); releaseQuiz = null; }
  }
  function show(fragment) {
    workerMode(false);
    view.replaceChildren(fragment);
    window.scrollTo(0, 0);
  }
  function go(hash) {
    if (location.hash === hash) { route(); } else { location.hash = hash; }
  }

  /* A form's fields as the server reads them ({name: [values]}), and back. */
  function read(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) { (fields[name] = fields[name] || []).push(String(value)); });
    return fields;
  }
  function fill(form, fields) {
    Array.prototype.forEach.call(form.elements, function (input) {
      var values = fields[input.name];
      if (!values) { return; }
      if (input.type === "radio" || input.type === "checkbox") { input.checked = values.indexOf(input.value) >= 0; }
      else { input.value = values[0] || ""; }
    });
  }

  function home() {
    Promise.all([store.all("packs"), store.records()]).then(function (found) {
      var page = clone("field-home"), packs = found[0];
      text(page, "network", navigator.onLine ? labels.online : labels.offline);
      text(page, "waiting", found[1].filter(function (r) { return r.state === "pending" || r.state === "conflict"; }).length);
      slot(page, "empty").hidden = packs.length > 0;
      packs.sort(function (a, b) { return a.name.localeCompare(b.name); }).forEach(function (pack) {
        var card = clone("field-enterprise-card"), when = slot(card, "county").parentNode.lastChild;
        slot(card, "link").href = "#e/" + encodeURIComponent(pack.token);
        text(card, "name", pack.name);
        text(card, "county", pack.county);
        when.textContent = when.textContent.replace("{time}", localTime(pack.issued_at));
        slot(card, "remove").addEventListener("click", function () {  // names of staff leave the tablet with it
          if (window.confirm(labels.confirm_remove)) { store.remove("packs", pack.token).then(home); }
        });
        slot(page, "enterprises").appendChild(card);
      });
      var storage = slot(page, "storage");
      show(page);
      if (navigator.storage && navigator.storage.persisted) {
        navigator.storage.persisted().then(function (kept) {
          storage.textContent = kept ? labels.persisted : labels.not_persisted;
        });
      }
    });
  }

  function enterprise(token) {
    Promise.all([store.get("packs", token), store.records()]).then(function (found) {
      var pack = found[0], records = found[1];
      if (!pack) { return go("#"); }
      var page = clone("field-enterprise");
      text(page, "name", pack.name);
      slot(page, "shortages").hidden = Object.keys(pack.shortages || {}).length === 0;
      pack.workers.forEach(function (worker) {
        var row = clone("field-worker-row");
        text(row, "name", worker.name);
        text(row, "post", worker.post || worker.role_name);
        slot(row, "certificate").hidden = !worker.certificate_problem;
        slot(row, "added").hidden = !worker.added;
        text(row, "states", records.filter(function (r) { return r.worker === worker.token; })
          .map(function (r) { return labels[r.state]; }).join(" · "));
        row.querySelectorAll("[data-start]").forEach(function (button) {
          button.addEventListener("click", function () { startAttempt(pack, worker, button.dataset.start, records); });
        });
        slot(page, "workers").appendChild(row);
      });
      slot(page, "add").href = "#add/" + encodeURIComponent(token);
      slot(page, "add").hidden = !(pack.roles || []).length;
      pack.drills.forEach(function (drill, index) {
        var item = clone("field-drill-item"), button = slot(item, "start");
        button.textContent = drill.content.title;
        button.addEventListener("click", function () { go("#drill-new/" + encodeURIComponent(token) + "/" + index); });
        slot(page, "drills").appendChild(item);
      });
      show(page);
    });
  }

  /* Someone met on the day: on this tablet's roster now, on the server's when their first record arrives
     (records carry the person, {name, role, post}, where roster staff are named by their token). */
  function addWorker(token) {
    store.get("packs", token).then(function (pack) {
      if (!pack) { return go("#"); }
      var page = clone("field-add-worker"), form = slot(page, "form"), roles = form.elements.role;
      slot(page, "back").href = "#e/" + encodeURIComponent(token);
      pack.roles.forEach(function (role) { roles.add(new Option(role.name, role.code)); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var added = {name: form.elements.name.value.trim(), role: roles.value, post: form.elements.post.value.trim()};
        if (!added.name) { return; }
        if (pack.workers.some(function (w) { return w.name === added.name && (w.post || "") === added.post; })) {
          return go("#e/" + encodeURIComponent(token));  // already on the roster: the same name and post
        }
        pack.workers.push({token: "added-" + window.quizapp.uuid4(), name: added.name, role: added.role,
                           role_name: roles.selectedOptions[0].textContent, post: added.post,
                           certificate_problem: null, added: added});
        store.put("packs", pack).then(function () { go("#e/" + encodeURIComponent(token)); });
      });
      show(page);
    });
  }

  function named(worker) { return worker.added || worker.token; }

  function needsWorker(record) { return record.mode === "tablet" && record.paper.worker_items > 0; }

  /* A paper for the worker's role that this tablet has not used yet: the one drawn for them (without what they
     were asked in the past year), else a spare, else one drawn for somebody else. */
  function startAttempt(pack, worker, mode, records) {
    var used = {};
    records.forEach(function (r) { if (r.kind === "attempt") { used[r.body.paper] = true; } });
    var unused = (pack.papers[worker.role] || []).filter(function (p) { return !used[p.paper]; });
    var paper = unused.filter(function (p) { return p.for === worker.token; })[0] ||
                unused.filter(function (p) { return !p.for; })[0] || unused[0];
    if (!paper) { window.alert(labels.no_paper); return; }
    var id = window.quizapp.uuid4();
    var record = {id: id, kind: "attempt", state: "draft", created: now(), enterprise: pack.token,
                  enterprise_name: pack.name, worker: worker.token, title: worker.name, mode: mode, paper: paper,
                  body: {client_id: id, submission_id: window.quizapp.uuid4(), paper: paper.paper,
                         worker: named(worker), mode: mode, fields: {}, started_at: now(), submitted_at: null}};
    store.saveRecord(record).then(function () { go((needsWorker(record) ? "#quiz/" : "#mark/") + id); });
  }

  function draft(id, then) {
    store.get("records", id).then(function (record) {
      if (!record || record.state !== "draft") { return go("#records"); }
      then(record);
    });
  }

  function quiz(id) {
    draft(id, function (record) {
      if (!needsWorker(record) || record.unlocked) { return go("#mark/" + id); }
      if (record.handed_back) { return handback(record); }
      var page = clone("field-quiz"), form = page.querySelector("form");
      form.dataset.quiz = record.id;
      form.dataset.timeLimit = record.paper.time_limit_minutes;
      form.dataset.started = record.body.started_at;
      text(page, "worker", record.title);
      slot(page, "screens").innerHTML = record.paper.take_html;  // rendered by our server (web/field.py)
      fill(form, record.body.fields);
      show(page);
      workerMode(true);
      releaseQuiz = window.quizappQuiz.workerMode(form);
      form.addEventListener("change", function () { record.body.fields = read(form); store.saveRecord(record); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        record.body.fields = read(form);
        record.handed_back = true;
        store.saveRecord(record).then(function () { handback(record); });
      });
    });
  }

  /* Only the inspector takes the tablet back: their password, checked against the verifier kept with the pack. */
  function handback(record) {
    var page = clone("field-handback"), form = slot(page, "form"), error = slot(page, "error");
    show(page);
    workerMode(true);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      store.get("meta", "unlock").then(function (unlock) {
        return unlock ? store.verifier(form.elements.password.value, unlock.salt).then(function (hash) {
          return hash === unlock.hash;
        }) : false;
      }).then(function (right) {
        if (!right) { error.textContent = labels.wrong_password; error.hidden = false; return; }
        record.unlocked = true;
        store.saveRecord(record).then(function () { go("#mark/" + record.id); });
      });
    });
  }

  function mark(id) {
    draft(id, function (record) {
      if (needsWorker(record) && !record.unlocked) { return go("#quiz/" + id); }
      var page = clone("field-mark"), form = page.querySelector("form");
      text(page, "worker", record.title);
      slot(page, "cards").innerHTML = record.mode === "oral" ? record.paper.oral_html : record.paper.mark_html;
      fill(form, record.body.fields);
      show(page);
      window.quizappQuiz.markingHelpers(form);
      function keep() { Object.assign(record.body.fields, read(form)); return store.saveRecord(record); }
      form.addEventListener("change", keep);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        keep().then(function () { finish(record); });
      });
    });
  }

  function finish(record) {
    record.state = "pending";
    record.body[record.kind === "drill" ? "finished_at" : "submitted_at"] = now();
    store.saveRecord(record).then(function () { go("#records"); store.sync(); });
  }

  function drillNew(token, index) {
    store.get("packs", token).then(function (pack) {
      var drill = pack && pack.drills[Number(index)];
      if (!drill) { return go("#"); }
      var page = clone("field-drill-new"), form = slot(page, "form");
      text(page, "title", drill.content.title);
      slot(page, "back").href = "#e/" + encodeURIComponent(token);
      pack.workers.forEach(function (worker) {
        var choice = clone("field-participant");
        choice.querySelector("input").value = worker.token;
        text(choice, "name", worker.name + (worker.post ? " · " + worker.post : ""));
        slot(page, "participants").appendChild(choice);
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var chosen = Array.prototype.map.call(form.querySelectorAll("input[name=participant]:checked"),
                                              function (input) { return input.value; });
        var people = pack.workers.filter(function (w) { return chosen.indexOf(w.token) >= 0; });
        var id = window.quizapp.uuid4();
        var record = {id: id, kind: "drill", state: "draft", created: now(), enterprise: pack.token,
                      enterprise_name: pack.name, title: drill.content.title, scenario: drill.content.scenario,
                      html: drill.html, names: people.map(function (w) { return w.name; }),
                      body: {client_id: id, ticket: pack.ticket, version: drill.version,
                             participants: people.map(named), started_at: null, marks: [], ratings: {},
                             finished_at: null}};
        store.saveRecord(record).then(function () { go("#drill/" + id); });
      });
      show(page);
    });
  }

  function drill(id) {
    draft(id, function (record) {
      var page = clone("field-drill"), root = page.querySelector(".drill");
      root.dataset.drill = record.id;
      root.dataset.started = record.body.started_at || "";
      text(page, "title", record.title);
      text(page, "scenario", record.scenario);
      text(page, "participants", record.names.join("、") || "–");
      slot(page, "phases").innerHTML = record.html;  // rendered by our server (web/field.py)
      record.body.marks.forEach(function (sent) {  // after a reload: what was marked already
        var step = root.querySelector('[data-phase="' + sent.phase + '"][data-step="' + sent.step + '"]');
        step.classList.add("marked");
        step.querySelector("[data-state]").textContent = step.querySelector('[data-mark="' + sent.mark + '"]').textContent;
      });
      Object.keys(record.body.ratings).forEach(function (phase) {
        var radio = root.querySelector('[data-rating="' + phase + '"][value="' + record.body.ratings[phase] + '"]');
        if (radio) { radio.checked = true; }
      });
      show(page);
      var forget = window.quizappDrill.attach(root, function (kind, body) {
        if (kind === "start") { record.body.started_at = body.device_time; }
        if (kind === "mark") { record.body.marks.push(body); }
        if (kind === "rating") { record.body.ratings[String(body.phase)] = body.rating; }
        if (kind === "finish") { forget(); finish(record); } else { store.saveRecord(record); }
      });
    });
  }

  function resultText(record) {
    var result = record.result;
    if (record.state === "pending") { return labels.saved; }
    if (record.state !== "synced" || !result) { return ""; }
    return result.score + " " + labels.points + " · " + (result.passed ? labels.passed : labels.failed);
  }

  /* A conflict: the server holds another result for the same paper (keep it, or file the tablet's as a
     correction), or it refused the record and holds nothing (send it again, e.g. signed in as the pack's
     inspector, or delete it knowingly). */
  function resolve(record, item) {
    var reason = slot(item, "reason"), error = slot(item, "error"), stored = Boolean(record.stored);
    function drop(question) {
      return function () { if (window.confirm(question)) { store.remove("records", record.id).then(records); } };
    }
    slot(item, "discard").hidden = !stored;
    slot(item, "discard").addEventListener("click", drop(labels.confirm_discard));
    slot(item, "delete").hidden = slot(item, "retry").hidden = stored;
    slot(item, "delete").addEventListener("click", drop(labels.confirm_delete));
    slot(item, "retry").addEventListener("click", function () {
      record.state = "pending";
      record.error = null;
      store.saveRecord(record).then(store.sync).then(records);
    });
    var correct = slot(item, "correct");
    correct.hidden = slot(item, "reason-field").hidden = !(record.kind === "attempt" && stored);
    correct.addEventListener("click", function () {
      if (!reason.value.trim()) { error.textContent = labels.reason_needed; return; }
      record.correction = record.correction || {client_id: window.quizapp.uuid4(),
                                                submission_id: window.quizapp.uuid4()};
      store.saveRecord(record).then(function () {
        return store.post("/api/offline/attempts/" + record.id + "/correction",
                          {client_id: record.correction.client_id, submission_id: record.correction.submission_id,
                           reason: reason.value, fields: record.body.fields});
      }).then(function (answer) {
        record.state = "synced";
        record.result = answer;
        return store.saveRecord(record).then(records);
      }, function (failure) { error.textContent = failure.message; });
    });
  }

  function records() {
    store.records().then(function (found) {
      if (location.hash !== "#records") { return; }  // a sync finished after the inspector moved on
      var page = clone("field-records");
      text(page, "network", navigator.onLine ? labels.online : labels.offline);
      slot(page, "empty").hidden = found.length > 0;
      found.reverse().forEach(function (record) {
        var item = clone("field-record"), state = slot(item, "state");
        state.textContent = labels[record.state];
        state.classList.add(record.state === "synced" ? "current" : record.state === "conflict" ? "critical" : "open");
        item.querySelector("[data-record]").dataset.record = record.state;
        text(item, "title", record.title + " · " + labels[record.kind === "drill" ? "drill" : record.mode]);
        text(item, "enterprise", record.enterprise_name);
        text(item, "when", localTime(record.created));
        text(item, "result", resultText(record));
        if (record.state === "synced" && record.result && record.result.url) {
          var link = slot(item, "continue");
          link.hidden = false;
          link.href = record.result.url;
          link.textContent = labels.open_result;
        }
        if (record.state === "draft") {
          var resume = slot(item, "continue");
          resume.hidden = false;
          resume.href = (record.kind === "drill" ? "#drill/" : "#quiz/") + record.id;
        }
        if (record.state === "conflict") {
          slot(item, "conflict").hidden = false;
          text(item, "error", record.error || "");
          text(item, "stored", record.stored ? labels.stored.replace("{score}", record.stored.score)
            .replace("{time}", localTime(record.stored.submitted_at)) : "");
          resolve(record, item);
        }
        slot(page, "list").appendChild(item);
      });
      slot(page, "sync").addEventListener("click", function () { store.sync().then(records); });
      slot(page, "export").addEventListener("click", function () { exportRecords(found); });
      show(page);
    });
  }

  /* The last resort: what has not reached the server, as a file to hand over. */
  function exportRecords(found) {
    var waiting = found.filter(function (record) { return ACTIVE[record.state]; }).map(function (record) {
      return {id: record.id, kind: record.kind, state: record.state, enterprise: record.enterprise_name,
              title: record.title, created: record.created, error: record.error || null, body: record.body};
    });
    if (!waiting.length) { window.alert(labels.no_records); return; }
    var file = new Blob([JSON.stringify({exported_at: now(), records: waiting}, null, 2)], {type: "application/json"});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(file);
    link.download = "quizapp-records-" + now().slice(0, 19).replace(/[:T]/g, "-") + ".json";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function route() {
    var parts = location.hash.replace(/^#/, "").split("/").map(decodeURIComponent);
    var views = {e: enterprise, add: addWorker, quiz: quiz, mark: mark, "drill-new": drillNew, drill: drill,
                 records: records};
    (views[parts[0]] || home).apply(null, parts.slice(1));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-field]");
    if (!root) { return; }
    view = root.querySelector("[data-view]");
    labels = JSON.parse(root.dataset.labels);
    window.addEventListener("hashchange", route);
    document.addEventListener("quizapp:synced", function () { if (location.hash === "#records") { records(); } });
    route();
  });
}());
