/* The service worker: the app shell (styles, scripts, icons and the offline page) is kept in a cache, so the app
   opens and its pages look right without a network. It only answers GET requests: writes are never queued or
   replayed here; the pages' own scripts send what is pending, one record at a time, when the network is back. */
"use strict";

var SHELL = "quizapp-shell-v1";
var FILES = ["/offline", "/static/css/app.css", "/static/js/app.js", "/static/js/quiz.js", "/static/js/drill.js",
             "/static/manifest.webmanifest", "/static/icons/icon-192.png", "/static/icons/icon-512.png"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== SHELL; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {  // the shell: from the cache, refreshed from the network
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(request).then(function (cached) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
        return cached || fresh;
      });
    }));
  } else if (request.mode === "navigate") {  // pages: always from the server; without a network, the offline page
    event.respondWith(fetch(request).catch(function () { return caches.match("/offline"); }));
  }
});
