// Token keeping and JSON requests of the driftd dashboard (used by app.js). The token lives in
// the browser's local storage (or in memory where storage is refused) and is sent only as
// `Authorization: Bearer` to the page's own origin; URLs are relative to the page, so the
// dashboard also works behind a reverse proxy under a path prefix.
'use strict';

(function () {
  const TOKEN_KEY = 'driftd.viewerToken';
  let memoryToken = null;

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;  // 0 when driftd could not be reached
      this.code = code;
    }
  }

  function storedToken() {
    try { return localStorage.getItem(TOKEN_KEY) || memoryToken; } catch (e) { return memoryToken; }
  }

  function storeToken(value) {
    memoryToken = value;
    try { localStorage.setItem(TOKEN_KEY, value); } catch (e) { /* kept in memory only */ }
  }

  function forgetToken() {
    memoryToken = null;
    try { localStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
  }

  // Takes a token from a `#token=…` fragment into storage and removes it from the address
  // bar, the history and any bookmark. True when there was one.
  function takeTokenFromFragment() {
    const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (!m) return false;
    storeToken(decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
    return true;
  }

  // GETs `path` (relative to the page) with the non-empty `params` as query; resolves with
  // the JSON body of a 2xx answer, rejects with an ApiError carrying driftd's error code and
  // message otherwise.
  async function getJson(token, path, params) {
    if (!token) throw new ApiError(401, 'no_token', 'No token yet.');
    const url = new URL(path, document.baseURI);
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== '' && v !== undefined && v !== null) url.searchParams.set(k, v);
    }
    let res;
    try {
      res = await fetch(url, {
        headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, 'network', 'driftd could not be reached (' + e.message + ').');
    }
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (res.ok) return body;
    const err = (body && body.error) || {};
    throw new ApiError(res.status, err.code || 'http_' + res.status,
      err.message || 'driftd answered ' + res.status + '.');
  }

  window.DriftApi = { ApiError, storedToken, storeToken, forgetToken, takeTokenFromFragment, getJson };
})();
