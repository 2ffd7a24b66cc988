/* The service worker: the app shell (styles, scripts, icons, the offline page and the field app) is kept in a
   cache, so the app opens and its pages look right without a network, and the field app (/field) works from the
   packs on the tablet. It only answers GET requests: writes are never queued or replayed here; the pages' own
   scripts (store.js) send what is pending, one record at a time, when the network is back.

   Rendered by the server (quizapp/web/static_files.py): static URLs carry their file's digest, so a URL's content
   never changes and the cache can answer first; a release changes this script and so starts a new cache. */
"use strict";

var SHELL = {{ shell_name|tojson }};
var PAGES = {{ shell_pages|tojson }};
var FILES = {{ shell_urls|tojson }};

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

/* From the cache, else from the network and kept: a static URL names one version of its file. */
function cachedFirst(request) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request).then(function (cached) {
      return cached || fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(cachedFirst(request));
  } else if (PAGES.indexOf(url.pathname) >= 0) {  // the shell's pages: fresh when online, kept for offline
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(SHELL).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () { return caches.match(url.pathname); }));
  } else if (request.mode === "navigate") {  // other pages: always from the server; without a network, the offline page
    event.respondWith(fetch(request).catch(function () { return caches.match("/offline"); }));
  }
});
