/* Every page: install the service worker (quizapp/static/js/sw.js, served at /sw.js so that it covers the site),
   and the helpers the other scripts share. */
(function () {
  "use strict";

  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
  }

  function uuid4() {  // crypto.randomUUID needs HTTPS; getRandomValues works on a plain-HTTP site LAN too
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var digits = hex(bytes);
    return [digits.slice(0, 8), digits.slice(8, 12), digits.slice(12, 16), digits.slice(16, 20), digits.slice(20)]
      .join("-");
  }

  window.quizapp = {uuid4: uuid4, hex: hex};
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js"); });
  }
})();
