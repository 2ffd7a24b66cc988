/* Every page: install the service worker (quizapp/static/js/sw.js, served at /sw.js so that it covers the site),
   and the helpers the other scripts share. */
(function () {
  "use strict";

  function uuid4() {  // crypto.randomUUID needs HTTPS; getRandomValues works on a plain-HTTP site LAN too
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  window.quizapp = {uuid4: uuid4};
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js"); });
  }
})();
