/* Every page: install the service worker (quizapp/static/js/sw.js, served at /sw.js so that it covers the site). */
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js"); });
  }
})();
