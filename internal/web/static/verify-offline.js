// sejour's offline verifier: the page /verifier/hors-ligne, enhanced.
//
// Without JavaScript the page's form posts to /verifier, online. With it,
// the page saves itself, its assets and the public key set for offline
// use (a service worker serves them when the network is gone), and
// verifies a pasted code here, in the browser, exactly as
// docs/attestation-format.md specifies: prefix, base45, COSE_Sign1,
// ES256 with WebCrypto, zlib with DecompressionStream, the CBOR claims.
// When the portal answers, it then asks it whether the attestation was
// revoked or replaced; when it does not, the answer says it could not.
// Every text comes from the page (#offline-words), in its language.
'use strict';

(function () {
  const form = document.getElementById('offline-form');
  const state = document.getElementById('offline-state');
  const result = document.getElementById('offline-result');
  const words = JSON.parse(document.getElementById('offline-words').textContent);
  const CACHE = 'sejour-verifier-1';
  const MAX_CODE = 4096;
  const MAX_CLAIMS = 16384;

  // t translates key, filling %s and %d in order, as the server does.
  function t(key, ...args) {
    let i = 0;
    return (words.t[key] || key).replace(/%[sd]/g, () => String(args[i++]));
  }

  // Malformed is every refusal before the signature, and after it.
  class Malformed extends Error {}
  const fail = (why) => { throw new Malformed(why); };

  // --- base45 (RFC 9285) ---
  const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

  function base45(text) {
    if (text.length % 3 === 1) fail('base45 length');
    const out = [];
    for (let i = 0; i < text.length; i += 3) {
      const group = text.slice(i, i + 3);
      const v = [...group].map((c) => {
        const n = B45.indexOf(c);
        if (n < 0) fail('base45 character');
        return n;
      });
      const n = v[0] + v[1] * 45 + (v.length === 3 ? v[2] * 2025 : 0);
      if (v.length === 3) {
        if (n > 0xffff) fail('base45 group');
        out.push(n >> 8, n & 0xff);
      } else {
        if (n > 0xff) fail('base45 group');
        out.push(n);
      }
    }
    return new Uint8Array(out);
  }

  // --- CBOR, the deterministic subset the format uses ---
  class Reader {
    constructor(bytes) { this.b = bytes; this.i = 0; }
    byte() {
      if (this.i >= this.b.length) fail('cbor: short');
      return this.b[this.i++];
    }
    take(n) {
      if (this.i + n > this.b.length) fail('cbor: short');
      this.i += n;
      return this.b.subarray(this.i - n, this.i);
    }
    // head returns the major type and argument, refusing non-shortest
    // forms, indefinite lengths and floating-point numbers.
    head() {
      const ib = this.byte();
      const major = ib >> 5;
      const ai = ib & 31;
      if (major === 7) {
        if (ai === 20 || ai === 21) return [7, ai === 21];
        fail('cbor: simple value');
      }
      if (ai < 24) return [major, ai];
      const sizes = { 24: 1, 25: 2, 26: 4, 27: 8 };
      const size = sizes[ai];
      if (!size) fail('cbor: indefinite or reserved');
      let n = 0;
      for (const b of this.take(size)) n = n * 256 + b;
      const least = { 1: 24, 2: 256, 4: 65536, 8: 2 ** 32 }[size];
      if (n < least || n > Number.MAX_SAFE_INTEGER) fail('cbor: not shortest');
      return [major, n];
    }
    done() { if (this.i !== this.b.length) fail('cbor: trailing data'); }
  }

  // --- COSE_Sign1, in the one shape of section 3 ---
  const COSE_START = [0xd2, 0x84, 0x4d, 0xa2, 0x01, 0x26, 0x04, 0x48];
  const HALF_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551') / 2n;

  function parseCOSE(msg) {
    COSE_START.forEach((b, i) => { if (msg[i] !== b) fail('cose: header'); });
    if (msg[16] !== 0xa0) fail('cose: unprotected header');
    const r = new Reader(msg);
    r.i = 17;
    const [pm, plen] = r.head();
    if (pm !== 2) fail('cose: payload');
    const payload = r.take(plen);
    const payloadEnd = r.i;
    const [sm, slen] = r.head();
    if (sm !== 2 || slen !== 64) fail('cose: signature');
    const sig = r.take(64);
    r.done();
    if (BigInt('0x' + hex(sig.subarray(32))) > HALF_N) fail('cose: high s');
    const sigStructure = concat([0x84, 0x6a], new TextEncoder().encode('Signature1'), [0x4d],
      msg.subarray(3, 16), [0x40], msg.subarray(17, payloadEnd));
    return { kid: hex(msg.subarray(8, 16)), payload, sig, sigStructure };
  }

  // --- zlib, at most MAX_CLAIMS bytes out ---
  async function inflate(bytes) {
    const ds = new DecompressionStream('deflate');
    const writer = ds.writable.getWriter();
    writer.write(bytes).catch(() => {});
    writer.close().catch(() => {});
    const reader = ds.readable.getReader();
    const parts = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > MAX_CLAIMS) {
          reader.cancel().catch(() => {});
          fail('zlib: too long');
        }
        parts.push(value);
      }
    } catch (e) {
      if (e instanceof Malformed) throw e;
      fail('zlib: ' + e.message);
    }
    return concat(...parts);
  }

  // --- the claims of section 5 ---
  const UINT = 'uint', TEXT = 'text', BOOL = 'bool';
  const CLAIM_TYPES = {
    1: UINT, 2: UINT, 3: TEXT, 4: UINT, 5: TEXT, 6: TEXT, 7: TEXT, 8: TEXT, 9: TEXT, 10: UINT,
    11: UINT, 12: UINT, 13: UINT, 14: BOOL, 15: BOOL, 16: UINT, 17: UINT, 18: TEXT, 19: TEXT, 20: UINT,
    21: TEXT, 22: TEXT, 23: BOOL, 24: UINT, 25: UINT,
  };
  const REQUIRED = [1, 2, 3, 4, 7, 12, 14, 15, 16, 18, 19, 20];
  // Each format's kinds and the keys it adds to section 5's, all required
  // (sections 5, 7b, 7c).
  const FORMATS = {
    1: { kinds: [1, 2, 3, 4], keys: [] },
    2: { kinds: [5], keys: [21, 22, 23] },
    3: { kinds: [6], keys: [21, 22, 24, 25] },
  };
  // Tables A to D: a value's code is its index plus one.
  const KINDS = ['filing_receipt', 'extension', 'favourable_decision', 'filing_attempt', 'work_check', 'declaration'];
  const OUTCOMES = ['covered', 'authorised', 'refused', 'silence'];
  const APPLICATION_KINDS = ['first_issue', 'renewal', 'change_of_status'];
  const WORK = ['full', 'limited_hours', 'authorised_job', 'qualifying_activity', 'none'];
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  function decodeClaims(bytes) {
    const r = new Reader(bytes);
    const [mm, count] = r.head();
    if (mm !== 5) fail('claims: not a map');
    const c = {};
    let last = 0;
    for (let k = 0; k < count; k++) {
      const [km, key] = r.head();
      if (km !== 0 || key <= last || !CLAIM_TYPES[key]) fail('claims: key');
      last = key;
      const [vm, v] = r.head();
      switch (CLAIM_TYPES[key]) {
        case UINT:
          if (vm !== 0) fail('claims: type');
          c[key] = v;
          break;
        case BOOL:
          if (vm !== 7) fail('claims: type');
          c[key] = v;
          break;
        default: {
          if (vm !== 3) fail('claims: type');
          let s;
          try { s = utf8.decode(r.take(v)); } catch (e) { fail('claims: utf-8'); }
          // eslint-disable-next-line no-control-regex
          if (s === '' || s.trim() !== s || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s)) fail('claims: text');
          c[key] = s;
        }
      }
    }
    r.done();
    checkClaims(c);
    return c;
  }

  function checkClaims(c) {
    const bytes = (s) => new TextEncoder().encode(s).length;
    const between = (v, lo, hi) => v >= lo && v <= hi;
    REQUIRED.forEach((k) => { if (c[k] === undefined) fail('claims: missing ' + k); });
    const format = FORMATS[c[1]];
    if (!format || !format.kinds.includes(c[2])) fail('claims: format');
    [21, 22, 23, 24, 25].forEach((k) => {
      if (format.keys.includes(k) !== (c[k] !== undefined)) fail('claims: key ' + k + ' in format ' + c[1]);
    });
    const record = c[2] === 5 || c[2] === 6; // an employer's record: no application, no foreigner number
    if (record) {
      if (c[8] !== undefined || c[10] !== undefined || c[14] || c[15]) fail('claims: record');
      if (c[2] === 6 && c[11] !== undefined) fail('claims: declaration with stay');
      if (c[2] === 6 && !between(c[24], 1, OUTCOMES.length)) fail('claims: outcome');
      if (bytes(c[21]) > 120 || !/^[0-9]{14}$/.test(c[22])) fail('claims: organisation');
    } else if (c[9] === undefined || c[10] === undefined) {
      fail('claims: application');
    }
    if (!between(c[2], 1, KINDS.length) || (c[10] !== undefined && !between(c[10], 1, APPLICATION_KINDS.length)) ||
        !between(c[12], 1, WORK.length)) fail('claims: code');
    if (bytes(c[3]) > 40 || !between(c[4], 1, 9999)) fail('claims: number');
    if (c[5] === undefined && c[6] === undefined) fail('claims: holder');
    if ((c[5] && bytes(c[5]) > 120) || (c[6] && bytes(c[6]) > 120) || bytes(c[19]) > 120 || bytes(c[18]) > 8) fail('claims: length');
    if (!/^\d{4}-(\d\d|XX)-(\d\d|XX)$/.test(c[7])) fail('claims: birth date');
    if (c[8] !== undefined && !/^\d{10}$/.test(c[8])) fail('claims: foreigner number');
    if (c[9] !== undefined && !/^[a-z0-9_]{1,40}$/.test(c[9])) fail('claims: ground');
    if ((c[12] === 2) !== (c[13] !== undefined) || (c[13] !== undefined && !between(c[13], 1, 8784))) fail('claims: hours');
    // No end date: a filing receipt, an attempt, a declaration's record, a
    // check record that found no right to work.
    const open = c[2] === 1 || c[2] === 4 || c[2] === 6 || (c[2] === 5 && c[12] === 5);
    if (c[11] === 0 || c[17] === 0 || c[16] === 0 || c[20] === 0 || c[25] === 0) fail('claims: zero');
    if ((c[2] === 1 || c[2] === 4) && c[11] !== undefined) fail('claims: stay on a receipt or an attempt');
    if (open !== (c[17] === undefined)) fail('claims: end date');
    if (c[17] !== undefined && c[17] < c[16]) fail('claims: dates');
  }

  // --- keys ---
  const b64url = /^[A-Za-z0-9_-]{43}$/;

  async function importKeys(text) {
    const set = JSON.parse(text);
    if (!set || !Array.isArray(set.keys) || set.keys.length === 0) throw new Error('key set: no keys');
    const keys = new Map();
    for (const k of set.keys) {
      if (k.kty !== 'EC' || k.crv !== 'P-256' || (k.alg && k.alg !== 'ES256') || (k.use && k.use !== 'sig') ||
          'd' in k || !b64url.test(k.x) || !b64url.test(k.y)) throw new Error('key set: bad key');
      const key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: k.x, y: k.y },
        { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
      const spki = await crypto.subtle.exportKey('spki', key);
      const kid = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', spki)).subarray(0, 8));
      if (kid !== k.kid || keys.has(kid)) throw new Error('key set: bad kid');
      keys.set(kid, key);
    }
    return keys;
  }

  // loadKeys reads the key set from the portal, or from the cache when
  // the portal cannot be reached; null when neither has it.
  async function loadKeys(fresh) {
    const url = form.dataset.keys;
    let text = null;
    try {
      const res = await fetch(url, { cache: fresh ? 'reload' : 'no-cache' });
      if (res.ok) {
        text = await res.clone().text();
        (await caches.open(CACHE)).put(url, res).catch(() => {});
      }
    } catch (e) { /* offline: the cache below */ }
    if (text === null) {
      const saved = await caches.match(url, { ignoreVary: true });
      if (saved) text = await saved.text();
    }
    return text === null ? null : importKeys(text);
  }

  // --- verification, steps 1 to 8 ---
  async function verifyCode(code, keys) {
    code = code.replace(/[\r\n]/g, '').replace(/\u2423/g, ' ').trim();
    if (code.length > MAX_CODE || !code.startsWith('SJ1:')) return { outcome: 'malformed' };
    let cose;
    try {
      cose = parseCOSE(base45(code.slice(4)));
    } catch (e) {
      if (e instanceof Malformed) return { outcome: 'malformed' };
      throw e;
    }
    const key = keys.get(cose.kid);
    if (!key) return { outcome: 'forged', unknownKey: true };
    const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, cose.sig, cose.sigStructure);
    if (!ok) return { outcome: 'forged' };
    let claims;
    try {
      claims = decodeClaims(await inflate(cose.payload));
    } catch (e) {
      if (e instanceof Malformed) return { outcome: 'malformed' };
      throw e;
    }
    const now = new Date();
    const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) / 86400000;
    let outcome = 'valid';
    if (today < claims[16]) outcome = 'not_yet_valid';
    else if (claims[17] !== undefined && today > claims[17]) outcome = 'expired';
    return { outcome, claims };
  }

  // askPortal returns the portal's status of a genuine code (revoked,
  // superseded, ...), or null when it cannot be reached.
  async function askPortal(code) {
    try {
      const res = await fetch(form.dataset.api, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code }), signal: AbortSignal.timeout(8000),
      });
      if (!res.ok) return null;
      const out = await res.json();
      return typeof out.status === 'string' && words.t['verify.outcome.' + out.status] ? out : null;
    } catch (e) {
      return null;
    }
  }

  // --- showing the answer, as the server's page does ---
  function day(n) {
    const d = new Date(n * 86400000);
    const dd = d.getUTCDate();
    const month = t('date.month.' + String(d.getUTCMonth() + 1).padStart(2, '0'));
    return t('date.long', dd === 1 ? t('date.day_one') : String(dd), month, d.getUTCFullYear());
  }

  // birthDay writes a full birth date in words; a partial one (1990-XX-XX,
  // 1990-05-00) as printed.
  function birthDay(s) {
    const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(s);
    if (!m) return s;
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] ? day(d.getTime() / 86400000) : s;
  }

  function rightsWords(c) {
    const lines = [];
    const stay = c[11] !== undefined;
    lines.push(stay ? t('rights.stay', day(c[11])) : t('rights.no_stay'));
    lines.push(workWords(c));
    if (stay) lines.push(t(c[14] ? 'rights.travel' : 'rights.no_travel'));
    if (c[15]) lines.push(t('rights.social'));
    return lines;
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
    children.forEach((c) => e.append(c));
    return e;
  }

  // alertKind styles an answer (answerKey) as the server's /verifier does.
  function alertKind(key) {
    if (key === 'valid' || key === 'declaration_valid') return 'success';
    if (key === 'valid_unchecked') return 'info';
    if (['forged', 'malformed', 'revoked'].includes(key)) return 'error';
    return 'warning';
  }

  // answerKey names the answer as the server's /verifier does: a filing
  // receipt, an attempt, a check record and a declaration's record have
  // answers of their own (sections 7a to 7c).
  function answerKey(outcome, c) {
    const genuine = outcome === 'valid' || outcome === 'valid_unchecked';
    if (!c) return outcome;
    if (c[2] === 1 && genuine) return 'receipt_' + outcome;
    if (c[2] === 4 && genuine) return 'attempt_valid';
    if (c[2] === 5) return outcome === 'expired' ? 'check_expired' : genuine ? 'check_valid' : outcome;
    if (c[2] === 6 && genuine) return 'declaration_valid';
    return outcome;
  }

  // moment writes key 20 as the day and the time in Paris, as the
  // server's pages do.
  function moment(seconds) {
    const parts = {};
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(seconds * 1000)).forEach((p) => { parts[p.type] = p.value; });
    return day(Date.UTC(+parts.year, +parts.month - 1, +parts.day) / 86400000) + ', ' + parts.hour + ':' + parts.minute;
  }

  function workWords(c) {
    const work = WORK[c[12] - 1];
    return work === 'limited_hours' ? t('rights.work.limited_hours', c[13]) : t('rights.work.' + work);
  }

  // facts are the lines of the answer, by kind, as /verifier shows them.
  function facts(c) {
    const person = [c[5], c[6]].filter(Boolean).join(' ') + ', ' + t('verify.born', birthDay(c[7]));
    const number = t('attestation_kind.' + KINDS[c[2] - 1]) + ', ' + t('verify.number', c[3]);
    const organisation = c[21] + ' (SIRET ' + c[22] + ')';
    if (c[2] === 5) {
      let answer = workWords(c);
      if (c[17] !== undefined) answer += ' — ' + t('pdf.workcheck.until', day(c[17]));
      if (c[23]) answer += ' ' + t('pdf.workcheck.pending');
      return [['verify.kind', number], ['verify.check.by', organisation], ['verify.check.when', moment(c[20])],
        ['verify.check.whom', person], ['verify.check.answer', answer], ['receipt.prefecture', c[19]]];
    }
    if (c[2] === 6) {
      return [['verify.kind', number], ['verify.declaration.by', organisation], ['verify.check.whom', person],
        ['declarations.start', day(c[25])],
        ['declarations.status', t('declaration.status.' + OUTCOMES[c[24] - 1]) + ', ' + moment(c[20])],
        ['receipt.prefecture', c[19]]];
    }
    const validity = c[17] !== undefined ? t('attestations.validity', day(c[16]), day(c[17])) : t('verify.from', day(c[16]));
    const lines = [['verify.kind', number + ' (' + t('verify.version', c[4]) + ')'], ['receipt.holder', person], ['verify.validity', validity]];
    if (c[2] === 4) lines.push(['attempt.at', moment(c[20]) + '. ' + t('attempt.verify_note')]);
    lines.push(['verify.request', t('kind.' + APPLICATION_KINDS[c[10] - 1]) + ' — ' + (words.grounds[c[9]] || c[9])],
      ['receipt.prefecture', c[19]]);
    return lines;
  }

  function show(outcome, claims, notes) {
    const key = answerKey(outcome, claims);
    const box = el('div', { class: 'fr-alert fr-alert--' + alertKind(key) + ' fr-mb-4w', role: 'status', 'data-outcome': outcome },
      el('h2', { class: 'fr-alert__title' }, t('verify.outcome.' + key)),
      el('p', {}, t('verify.explain.' + key)));
    notes.forEach((n) => box.append(el('p', {}, n)));
    result.replaceChildren(box);
    if (claims) {
      const dl = el('dl', { class: 'sejour-facts' });
      facts(claims).forEach(([k, v]) => dl.append(el('dt', {}, t(k)), el('dd', {}, v)));
      result.append(dl);
      if (claims[2] < 5) { // a record states the right to work among its facts
        const list = el('ul', {});
        rightsWords(claims).forEach((line) => list.append(el('li', {}, line)));
        result.append(el('h2', {}, t('verify.rights')), list);
      }
    }
    result.focus();
  }

  function notice(kind, text) {
    result.replaceChildren(el('div', { class: 'fr-alert fr-alert--' + kind + ' fr-mb-4w', role: 'status' }, el('p', {}, text)));
    result.focus();
  }

  // The verifier itself, for the browser tests (and the curious): it
  // needs no page.
  window.sejourVerify = { verifyCode, importKeys };

  // --- the page ---
  if (!('serviceWorker' in navigator) || !window.caches || !window.DecompressionStream || !window.crypto || !crypto.subtle) {
    state.textContent = t('verify_offline.state.unsupported');
    return;
  }
  let keys = null;

  async function check(code) {
    if (!keys) keys = await loadKeys(false);
    if (!keys) {
      notice('info', t('verify_offline.no_keys'));
      return;
    }
    let local = await verifyCode(code, keys);
    if (local.unknownKey) {
      // A key made since the set was saved: read the set again, if online.
      const fresh = await loadKeys(true).catch(() => null);
      if (fresh) keys = fresh;
      local = await verifyCode(code, keys);
    }
    if (!local.claims) {
      show(local.outcome, null, local.unknownKey ? [t('verify_offline.unknown_key')] : []);
      return;
    }
    const online = await askPortal(code);
    if (online && online.status !== 'forged' && online.status !== 'malformed') {
      const notes = online.status === 'valid_unchecked' ? [] : [t('verify_offline.checked_online')];
      if (online.revocation_checked === false && online.status !== 'valid_unchecked') notes.push(t('verify.unchecked'));
      show(online.status, local.claims, notes);
      return;
    }
    const outcome = local.outcome === 'valid' ? 'valid_unchecked' : local.outcome;
    show(outcome, local.claims, [t('verify_offline.checked_offline')]);
  }

  form.addEventListener('submit', (event) => {
    const code = form.elements.code.value;
    const photo = form.elements.photo;
    if (!code.trim() && photo && photo.files.length > 0) return; // a photo: the portal reads it
    event.preventDefault();
    if (!code.trim()) {
      notice('error', t('verify.error.empty'));
      return;
    }
    check(code).catch(() => show('malformed', null, []));
  });

  // prepare saves the page, its assets and the key set, and starts the
  // service worker that serves them offline.
  async function prepare() {
    state.textContent = t('verify_offline.state.preparing');
    // Offline, the browser cannot look for a newer worker: the one it has
    // goes on serving.
    await navigator.serviceWorker.register(form.dataset.worker, { scope: form.dataset.scope }).catch(() => null);
    keys = await loadKeys(false);
    if (!keys) {
      state.textContent = t('verify_offline.no_keys');
      return;
    }
    await document.fonts.ready;
    // The page, the key set, the icons of the answers (loaded only when
    // one shows), and every asset the page loaded.
    const urls = new Set([location.pathname, form.dataset.keys, ...form.dataset.precache.split(' ')]);
    performance.getEntriesByType('resource').forEach((r) => {
      const u = new URL(r.name);
      if (u.origin === location.origin && u.pathname.startsWith(form.dataset.assets)) urls.add(u.pathname);
    });
    const cache = await caches.open(CACHE);
    try {
      await cache.addAll([...urls]);
      for (const req of await cache.keys()) {
        if (!urls.has(new URL(req.url).pathname)) await cache.delete(req);
      }
    } catch (e) { /* offline: what was saved before stays */ }
    await navigator.serviceWorker.ready;
    state.textContent = t('verify_offline.state.ready');
    state.dataset.state = 'ready';
  }

  prepare().catch(() => { state.textContent = t('verify_offline.state.unsupported'); });

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let i = 0;
    parts.forEach((p) => { out.set(p, i); i += p.length; });
    return out;
  }
})();
