/* Worker mode: one question per screen, back/next, a review screen before handing in, a countdown,
   and answers kept in sessionStorage so a reload loses nothing. Marking: quick marks tick key points.
   Without JavaScript every question shows on one page and the form still works. The offline field app
   (field.js) uses the same worker mode and marking helpers on the screens of its packs. */
(function () {
  "use strict";

  function markingHelpers(root) {
    root.querySelectorAll("[data-quick-mark]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var boxes = radio.closest(".question").querySelectorAll("[data-points] input[type=checkbox]");
        if (radio.value === "correct" || radio.value === "wrong") {
          boxes.forEach(function (box) { box.checked = radio.value === "correct"; });
        }
      });
    });
  }

  function isAnswered(screen) {
    return Array.prototype.some.call(screen.querySelectorAll("input"), function (input) {
      return (input.type === "radio" || input.type === "checkbox") ? input.checked : input.value.trim() !== "";
    });
  }

  function keepAnswers(form, key) {
    var saved = {};
    try { saved = JSON.parse(sessionStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
    form.querySelectorAll("[data-screen] input").forEach(function (input) {
      var value = saved[input.name];
      if (value === undefined) { return; }
      if (input.type === "radio" || input.type === "checkbox") { input.checked = value.indexOf(input.value) >= 0; }
      else { input.value = value; }
    });
    form.addEventListener("change", function () {
      var state = {};
      form.querySelectorAll("[data-screen] input").forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") {
          state[input.name] = state[input.name] || [];
          if (input.checked) { state[input.name].push(input.value); }
        } else { state[input.name] = input.value; }
      });
      sessionStorage.setItem(key, JSON.stringify(state));
    });
  }

  function countdown(form) {
    var minutes = parseInt(form.dataset.timeLimit, 10), timer = form.querySelector("[data-timer]");
    var end = new Date(form.dataset.started).getTime() + minutes * 60000;
    if (!minutes || !timer || isNaN(end)) { return null; }
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      timer.textContent = left > 0 ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0")
                                   : form.dataset.labelTimeUp;
      timer.classList.toggle("late", left < 60);
    }
    tick();
    return setInterval(tick, 1000);
  }

  function workerMode(form) {
    var screens = Array.prototype.slice.call(form.querySelectorAll("[data-screen]"));
    var questions = screens.filter(function (screen) { return !screen.hasAttribute("data-review"); });
    var prev = form.querySelector("[data-prev]"), next = form.querySelector("[data-next]");
    var progress = form.querySelector("[data-progress]"), list = form.querySelector("[data-review-list]");
    var current = 0, handingIn = false;
    document.documentElement.classList.add("js-quiz");

    function review() {
      list.innerHTML = "";
      questions.forEach(function (screen, index) {
        var item = document.createElement("li"), button = document.createElement("button");
        var done = isAnswered(screen);
        button.type = "button";
        button.className = "button " + (done ? "answered" : "open");
        button.textContent = (index + 1) + " · " + (done ? form.dataset.labelAnswered : form.dataset.labelOpen);
        button.addEventListener("click", function () { show(index); });
        item.appendChild(button);
        list.appendChild(item);
      });
    }

    function show(index) {
      current = Math.max(0, Math.min(index, screens.length - 1));
      screens.forEach(function (screen, position) { screen.hidden = position !== current; });
      prev.disabled = current === 0;
      next.hidden = current === screens.length - 1;
      progress.textContent = Math.min(current + 1, questions.length) + " / " + questions.length;
      if (current === screens.length - 1) { review(); }
      window.scrollTo(0, 0);
    }

    function stay(event) { if (!handingIn) { event.preventDefault(); } }
    function stayOnPage() { history.pushState(null, "", location.href); }
    prev.addEventListener("click", function () { show(current - 1); });
    next.addEventListener("click", function () { show(current + 1); });
    form.addEventListener("submit", function () {
      handingIn = true;
      sessionStorage.removeItem("quiz:" + form.dataset.quiz);
    });
    window.addEventListener("beforeunload", stay);
    history.pushState(null, "", location.href);
    window.addEventListener("popstate", stayOnPage);
    keepAnswers(form, "quiz:" + form.dataset.quiz);
    var clock = countdown(form);
    show(0);
    return function release() {  // the field app hands the screen back to the inspector without a page load
      handingIn = true;
      clearInterval(clock);
      window.removeEventListener("beforeunload", stay);
      window.removeEventListener("popstate", stayOnPage);
    };
  }

  window.quizappQuiz = {workerMode: workerMode, markingHelpers: markingHelpers};  // for the field app (field.js)
  document.addEventListener("DOMContentLoaded", function () {
    markingHelpers(document);
    var form = document.querySelector("form[data-quiz]");
    if (form) { workerMode(form); }
  });
}());
