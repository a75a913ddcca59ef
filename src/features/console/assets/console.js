/* Operator console page script: live updates over the Socket.IO `admins` room, and refreshing
 * the page's live region in place (no reload). Plain ES2020, no dependencies besides the
 * Socket.IO client served next to it; every request stays on this origin. */
(function () {
  'use strict';
  var body = document.body;
  var live = body.getAttribute('data-live') || '';
  var region = document.getElementById('live');

  /** Fetches this page again and swaps its live region; a lost session goes to sign-in. */
  function refresh() {
    var current = document.querySelector('[data-live-list]');
    if (!current) return Promise.resolve();
    // Marked as a refresh: the server leaves the session's one-shot message to a real page load.
    var headers = { accept: 'text/html', 'x-console-live-refresh': '1' };
    return fetch(location.href, { credentials: 'same-origin', headers: headers }).then(function (res) {
      if (res.redirected && /\/console\/login/.test(res.url)) {
        location.href = res.url;
        return;
      }
      return res.text().then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var next = doc.querySelector('[data-live-list]');
        if (next && current.parentNode) current.replaceWith(document.importNode(next, true));
        schedule();
      });
    });
  }

  var timer = null;
  /** A region marked data-refresh="ms" (a settlement being retried) refreshes itself. */
  function schedule() {
    var el = document.querySelector('[data-live-list][data-refresh]');
    if (timer) clearTimeout(timer);
    if (el) timer = setTimeout(refresh, Number(el.getAttribute('data-refresh')) || 2000);
  }
  schedule();

  function announce(text, href) {
    if (!region) return;
    var p = document.createElement('p');
    p.className = 'toast';
    p.appendChild(document.createTextNode(text + ' '));
    if (href) {
      var a = document.createElement('a');
      a.href = href;
      a.textContent = 'Open';
      p.appendChild(a);
    }
    region.prepend(p);
    while (region.childNodes.length > 5) region.removeChild(region.lastChild);
  }

  if (!body.hasAttribute('data-csrf') || typeof window.io !== 'function') return;

  var socket = window.io({
    path: '/socket.io',
    transports: ['websocket'],
    // A fresh short-lived token on every (re)connection, from the session cookie.
    auth: function (cb) {
      fetch('/console/socket-token', { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (res) {
          if (!res.ok || !/json/.test(res.headers.get('content-type') || '')) throw new Error('signed out');
          return res.json();
        })
        .then(function (data) {
          cb({ token: data.token });
        })
        .catch(function () {
          cb({ token: '' });
        });
    },
  });
  socket.on('session:ready', function () {
    body.setAttribute('data-live-connected', '1');
  });
  socket.on('disconnect', function () {
    body.removeAttribute('data-live-connected');
  });
  socket.on('aml:frozen', function (e) {
    announce('New AML case: account ' + e.userId + ' frozen (' + e.reason + ').', '/console/aml/' + e.userId);
    if (live === 'aml' || live === 'aml-case:' + e.userId) refresh();
  });
  socket.on('aml:case_opened', function (e) {
    announce(
      'New AML case (' + e.outcome + '): account ' + e.userId + ' — ' + e.reason + '.',
      '/console/aml/' + e.userId,
    );
    if (live === 'aml' || live === 'aml-case:' + e.userId) refresh();
  });
  socket.on('aml:unfrozen', function (e) {
    announce('AML case closed: account ' + e.userId + ' unfrozen.', '/console/aml/' + e.userId);
    if (live === 'aml' || live === 'aml-case:' + e.userId) refresh();
  });
  socket.on('admin:alert', function (e) {
    announce('Alert: ' + e.message, e.subject ? '/console/users/' + e.subject : null);
    if (live === 'aml' || live === 'kyc' || live === 'settlements' || live.indexOf('aml-case:') === 0) refresh();
  });
})();
