// The generator page: wires the file picker, the engine worker, the viewer, the license flow
// and consent together. Model bytes go to the worker (same tab) and nowhere else.
import { Viewer } from './viewer.js';
import { licenseClient, tierName, decodeKey, LicenseError, OfflineError } from './license.js';
import { setUpConsent } from './consent.js';
import { IDENTITY, binarySTL, compose, translation, transformBounds, upTransform, applyDirection } from './geometry.js';

const $ = (id) => document.getElementById(id);
const MM_PER_UNIT = { um: 0.001, mm: 1, cm: 10, m: 1000, in: 25.4, ft: 304.8 };
const COLORS = { mini: [0.78, 0.66, 0.45], parts: [[0.36, 0.55, 0.86], [0.45, 0.72, 0.58], [0.8, 0.5, 0.45], [0.6, 0.5, 0.8]] };
const fmt = new Intl.NumberFormat('en-US');
const mm = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));

const track = setUpConsent({
  banner: $('consent'), accept: $('consent-accept'), decline: $('consent-decline'),
  reopen: $('privacy-choices'), status: $('consent-status'),
});

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('sw.js').catch((error) => console.warn('offline support unavailable:', error));
}

// ---- engine worker -------------------------------------------------------------------------
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const pending = new Map();
let nextId = 1;
worker.onmessage = ({ data }) => {
  const job = pending.get(data.id);
  if (!job) return;
  if (data.type === 'progress') { job.onProgress?.(data.fraction); return; }
  pending.delete(data.id);
  if (data.type === 'error') job.reject(Object.assign(new Error(data.message), { engine: true }));
  else job.resolve(data);
};
worker.onerror = (event) => {
  showError(`The engine stopped: ${event.message || 'unknown error'}. Reload the page to continue.`);
  for (const job of pending.values()) job.reject(new Error('engine stopped'));
  pending.clear();
};
function ask(type, payload = {}, { transfer = [], onProgress } = {}) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, onProgress });
    worker.postMessage({ id, type, ...payload }, transfer);
  });
}

// ---- state ---------------------------------------------------------------------------------
const viewer = new Viewer($('viewer'), { onError: (message) => { $('viewer-empty').textContent = message; } });
// For the browser tests and for poking at the page from the console.
globalThis.vitrine = { viewer };
let model = null;      // {name, base, format, triangles, size, bounds, unitGuess}
let scale = 1;         // mm per file unit
let kase = null;       // {parts, placements}
const license = licenseClient();

function options() {
  const f = $('options').elements;
  const num = (name) => Number(f[name].value);
  const text = (name) => (f[name].disabled ? '' : f[name].value.trim());
  return {
    style: f.style.value, up: f.up.value, clearance: num('clearance'), wall: num('wall'),
    resolution: num('resolution'), pins: num('pins'), fingerNotch: f.fingerNotch.checked, scale,
    // Empty means none (vitrine.js: undefined).
    magnets: text('magnets') || undefined, label: text('label') || undefined,
  };
}

/** The lid style has no engraved face or magnet pockets in the engine: its inputs are off. */
function styleChanged() {
  const f = $('options').elements;
  const lid = f.style.value === 'lid';
  for (const name of ['magnets', 'label']) f[name].disabled = lid;
}

/**
 * The engine's own range checks (CaseGenerator.swift), made before the license server counts a
 * generation, so a typo does not cost a trial one of its three cases. Same wording as the engine.
 */
function optionProblem(o) {
  for (const name of ['clearance', 'wall', 'resolution', 'pins']) {
    if (!Number.isFinite(o[name])) return `${name} must be a number`;
  }
  const n = (v) => String(Number(v.toFixed(3)));
  if (!(o.clearance >= 0 && o.clearance <= 5)) return `clearance ${n(o.clearance)} mm is out of range: use 0 to 5 mm`;
  if (!(o.wall >= 0.8 && o.wall <= 20)) return `wall ${n(o.wall)} mm is out of range: use 0.8 to 20 mm (thinner walls break)`;
  if (!(o.resolution > 0 && o.resolution <= 1)) return `resolution ${n(o.resolution)} mm is out of range: use more than 0 and at most 1 mm`;
  if (!(Number.isInteger(o.pins) && o.pins >= 0 && o.pins <= 4)) return `pins ${o.pins} is out of range: use 0 to 4`;
  if (o.magnets !== undefined) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)\s*[x×]\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:mm)?$/i.exec(o.magnets);
    if (!m) return `magnets must look like 6x2 (diameter x height, mm), got '${o.magnets}'`;
    const [d, h] = [Number(m[1]), Number(m[2])];
    if (!(d >= 1 && d <= 20)) return `magnet diameter ${n(d)} mm is out of range: use 1 to 20 mm`;
    if (!(h >= 0.5 && h <= 10)) return `magnet height ${n(h)} mm is out of range: use 0.5 to 10 mm`;
  }
  if (o.label !== undefined) {
    const bytes = new TextEncoder().encode(o.label);
    if (bytes.length > 64) return `label is ${bytes.length} characters long; use at most 64`;
    const bad = bytes.findIndex((b) => b < 32 || b > 126);
    if (bad >= 0) return `label has a character without a glyph at position ${bad + 1} (only printable ASCII is engraved)`;
  }
  return null;
}

/** The saved key's tier, read locally ('trial', 'annual', …; null without a readable key). */
function savedTier() {
  try {
    const key = license.savedKey();
    return key ? decodeKey(key).tier : null;
  } catch {
    return null;
  }
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}
function setStatus(message) { $('status').textContent = message; }

// ---- opening a model -----------------------------------------------------------------------
async function openFile(file) {
  if (!file) return;
  showError('');
  setStatus(`Reading ${file.name}…`);
  $('generate').disabled = true;
  clearCase();
  try {
    const bytes = await file.arrayBuffer();
    const reply = await ask('open', { name: file.name, bytes }, { transfer: [bytes] });
    model = {
      name: file.name, base: file.name.replace(/\.[^.]+$/, '') || 'model', format: reply.format,
      triangles: reply.triangles, size: reply.size, bounds: reply.bounds, unitGuess: reply.unitGuess,
    };
    scale = MM_PER_UNIT[reply.unitGuess.unit] ?? 1;
    viewer.clear();
    viewer.set('mini', {
      positions: reply.positions, indices: reply.indices, proxy: reply.proxy, bounds: reply.bounds,
      color: COLORS.mini, transform: miniTransform(),
    });
    viewer.fit(true);
    $('viewer-empty').hidden = viewer.available;
    showModel();
    $('generate').disabled = false;
    setStatus(`Opened ${file.name}. Check the size, then generate.`);
    track('model_opened', { format: reply.format });
  } catch (error) {
    model = null;
    setStatus('');
    showError(`Could not read ${file.name}: ${error.message}`);
  }
}

function miniTransform() { return upTransform(options().up, scale); }

function showModel() {
  $('model-info').hidden = false;
  $('info-name').textContent = `${model.name} (${model.format})`;
  $('info-triangles').textContent = fmt.format(model.triangles);
  $('info-size').textContent = model.size.map((s) => mm(s * scale)).join(' × ') + ' mm';
  const g = model.unitGuess;
  const unit = Object.keys(MM_PER_UNIT).find((u) => MM_PER_UNIT[u] === scale) ?? `×${scale}`;
  $('info-unit').textContent = g.declared
    ? g.reason
    : `${unit}${MM_PER_UNIT[g.unit] === scale ? ' (guessed: ' + g.reason + ')' : ` (you chose it; the guess was ${g.unit ?? 'unknown'}: ${g.reason})`}`;
  for (const b of document.querySelectorAll('.rescale button')) b.setAttribute('aria-pressed', String(Number(b.dataset.scale) === scale));
}

function rescale(value) {
  if (!model) return;
  scale = value;
  clearCase();
  viewer.place({ mini: { transform: miniTransform() } });
  viewer.fit();
  showModel();
  track('rescaled', { to: Object.keys(MM_PER_UNIT).find((u) => MM_PER_UNIT[u] === value) });
}

for (const b of document.querySelectorAll('.rescale button')) b.addEventListener('click', () => rescale(Number(b.dataset.scale)));
$('file-input').addEventListener('change', (e) => openFile(e.target.files[0]));
$('options').elements.style.addEventListener('change', styleChanged);
styleChanged();
$('options').elements.up.addEventListener('change', () => {
  if (!model) return;
  clearCase();
  viewer.place({ mini: { transform: miniTransform() } });
  viewer.fit(true);
});

// Drops anywhere open the file, so a near miss does not navigate away from the page.
const zone = $('dropzone');
for (const type of ['dragenter', 'dragover']) {
  window.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add('over'); });
}
window.addEventListener('dragleave', (e) => { if (!e.relatedTarget) zone.classList.remove('over'); });
window.addEventListener('drop', (e) => {
  e.preventDefault();
  zone.classList.remove('over');
  openFile(e.dataTransfer?.files?.[0]);
});

// ---- generating ----------------------------------------------------------------------------
function clearCase() {
  kase = null;
  for (let i = 0; i < 8; i++) viewer.remove(`part-${i}`);
  viewer.remove('bed');
  viewer.place({ mini: { visible: true } });
  $('downloads').hidden = true;
  $('view-mode').disabled = true;
  $('view-mode').elements.view.value = 'assembled';
  delete $('status').dataset.shownMs;
}

$('generate').addEventListener('click', async () => {
  if (!model) return;
  const current = model;
  const clicked = performance.now();
  const button = $('generate');
  button.disabled = true;
  showError('');
  clearCase();
  try {
    const problem = optionProblem(options());
    if (problem) {
      setStatus('');
      showError(`Check the options: ${problem}.`);
      return;
    }
    if (options().style === 'lid' && savedTier() === 'trial') {
      // Asked before the server counts a generation: a trial case must carry the mark.
      setStatus('');
      showError('The base-and-lid style cannot carry the engraved trial mark, so a trial makes clamshell cases; a Pro key makes both.');
      return;
    }
    setStatus('Checking your license…');
    const auth = await license.authorize();
    if (!auth.allowed) {
      setStatus('');
      showError(auth.message);
      return;
    }
    if (auth.generationsLeft !== null && auth.generationsLeft !== undefined) showLicense({ tier: 'trial', valid: true, generationsLeft: auth.generationsLeft });
    const o = options();
    $('progress').hidden = false;
    $('progress').value = 0;
    $('progress').dataset.updates = '0';
    setStatus('Generating the case…');
    const licensed = performance.now();
    const reply = await ask('generate', { options: o, mark: auth.mark, title: `${model.base} case` }, {
      onProgress: (f) => { $('progress').value = f; $('progress').dataset.updates = String(Number($('progress').dataset.updates || 0) + 1); },
    });
    const received = performance.now();
    if (model !== current) return;  // another file was opened meanwhile: this case is for the old one
    kase = { parts: reply.parts, placements: reply.placements, up: o.up };
    reply.parts.forEach((p, i) => viewer.set(`part-${i}`, {
      positions: p.positions, indices: p.indices, bounds: p.bounds,
      color: COLORS.parts[i % COLORS.parts.length], transform: upTransform(o.up),
    }));
    $('view-mode').disabled = false;
    showView('assembled');
    await viewer.drawn();
    const shownMs = performance.now() - clicked;
    const triangles = reply.parts.map((p) => `${p.name} ${fmt.format(p.indices.length / 3)}`).join(' + ');
    let message = `Case ready in ${(shownMs / 1000).toFixed(2)} s: ${triangles} triangles, ${reply.resolution.toFixed(2)} mm grid.`;
    if (auth.mark) {
      message += reply.markEngraved
        ? ` Trial case: the back carries the engraved mark “${reply.markEngraved}”.`
        : ' Trial case: the 3MF says so in its description (this style has no engraved face).';
    }
    if (auth.offline) message += ' Made offline with your Pro key.';
    setStatus(message);
    $('status').dataset.shownMs = shownMs.toFixed(0);
    $('status').dataset.engineMs = reply.engineMs.toFixed(0);
    // Where the time went (license check, worker round trip, upload and first frame), for tuning.
    $('status').dataset.timing = JSON.stringify({
      license: Math.round(licensed - clicked), worker: Math.round(received - licensed), engine: Math.round(reply.engineMs),
      draw: Math.round(performance.now() - received),
    });
    $('status').dataset.mark = String(!!auth.mark);
    $('status').dataset.markEngraved = reply.markEngraved ?? '';
    showDownloads(reply);
    track('case_generated', { style: o.style, pins: o.pins });
  } catch (error) {
    setStatus('');
    showError(error instanceof OfflineError || error instanceof LicenseError
      ? error.message
      : `The engine could not make a case: ${error.message}`);
  } finally {
    $('progress').hidden = true;
    button.disabled = !model;
  }
});

function showView(mode) {
  if (!kase) return;
  const up = upTransform(kase.up);
  const changes = { mini: { visible: mode !== 'plate' } };
  // Exploded: each part slides away from the mini against its extraction direction, by
  // about the case's own size, so both cavities can be seen.
  const spread = Math.max(...kase.parts.map((p) => Math.max(...p.bounds.max.map((v, k) => v - p.bounds.min[k])))) * 0.55;
  kase.parts.forEach((p, i) => {
    let transform = up;
    if (mode === 'exploded') transform = compose(translation(...applyDirection(up, p.extraction).map((v) => -v * spread)), up);
    if (mode === 'plate') transform = kase.placements[i];
    changes[`part-${i}`] = { transform, visible: true };
  });
  if (mode === 'plate') {
    // A bed under the parts, a little larger than what stands on it, so the layout reads as a print plate.
    const boxes = kase.parts.map((p, i) => transformBounds(kase.placements[i], p.bounds));
    const x1 = Math.max(...boxes.map((b) => b.max[0])), y1 = Math.max(...boxes.map((b) => b.max[1]));
    const m = 6;
    viewer.set('bed', {
      positions: new Float32Array([-m, -m, -0.4, x1 + m, -m, -0.4, x1 + m, y1 + m, -0.4, -m, y1 + m, -0.4]),
      indices: new Uint32Array([0, 1, 2, 0, 2, 3]), color: [0.62, 0.64, 0.68], transform: IDENTITY,
      bounds: { min: [-m, -m, -0.4], max: [x1 + m, y1 + m, -0.4] },
    });
  }
  changes.bed = { visible: mode === 'plate' };
  viewer.place(changes);
  viewer.fit();
  $('view-mode').elements.view.value = mode;
}
$('view-mode').addEventListener('change', (e) => {
  showView(e.target.value);
  track('view_mode', { mode: e.target.value });
});
$('fit').addEventListener('click', () => viewer.fit());

// ---- downloads -----------------------------------------------------------------------------
function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel a large download that has not started reading yet.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function showDownloads(reply) {
  $('downloads').hidden = false;
  const stls = $('download-stls');
  stls.replaceChildren(...reply.parts.map((p, i) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `${p.name}.stl`;
    b.setAttribute('aria-label', `Download the ${p.name} part as STL`);
    b.addEventListener('click', () => {
      save(new Blob([binarySTL(p.positions, p.indices, kase.placements[i], `Vitrine case ${p.name} (mm)`)], { type: 'model/stl' }), `${model.base}-case-${p.name}.stl`);
      track('download', { kind: 'stl' });
    });
    return b;
  }));
  $('warnings').replaceChildren(...reply.warnings.map((w) => Object.assign(document.createElement('li'), { textContent: w })));
}

$('download-3mf').addEventListener('click', async () => {
  const button = $('download-3mf');
  const label = button.textContent;
  button.disabled = true;
  button.textContent = 'Preparing the 3MF…';
  try {
    const { blob } = await ask('threeMF');
    save(blob, `${model.base}-case.3mf`);
    track('download', { kind: '3mf' });
  } catch (error) {
    showError(`Could not write the 3MF: ${error.message}`);
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
});

// ---- license -------------------------------------------------------------------------------
function showLicense(s, note = '') {
  const el = $('license-status');
  el.dataset.tier = s?.tier ?? '';
  el.dataset.left = s?.generationsLeft ?? '';
  if (!s) { el.textContent = 'No license yet: start a free trial or paste your key.'; return; }
  let text = tierName(s.tier);
  if (s.tier === 'trial') {
    text += s.offline ? ': offline, so generations cannot be counted until you reconnect.'
      : `: ${s.generationsLeft ?? '?'} of 3 generations left.`;
  } else if (s.expiresAt) {
    text += `, valid until ${s.expiresAt.toISOString().slice(0, 10)}.`;
  } else {
    text += ', no expiry.';
  }
  if (s.status && s.status !== 'active') text = `${tierName(s.tier)}: ${s.status}.`;
  if (s.offline && s.tier !== 'trial') text += s.valid ? ' Checked offline with the server\'s public key.' : ' Not verified (offline).';
  el.textContent = text + (note ? ` ${note}` : '');
}

async function refreshLicense() {
  const key = license.savedKey();
  if (key) $('license-key').value = key;
  try { showLicense(await license.status()); } catch (error) { showLicense(null); $('license-message').textContent = error.message; }
}

$('trial-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const email = $('trial-email').value.trim();
  if (!email || !$('trial-email').checkValidity()) { $('license-message').textContent = 'Enter the email address the key should go to.'; return; }
  $('license-message').textContent = 'Asking for a trial…';
  try {
    $('license-message').textContent = `${await license.startTrial(email)} Paste it below when it arrives.`;
    track('trial_requested');
  } catch (error) {
    $('license-message').textContent = error instanceof OfflineError ? 'You are offline: a trial can be started once you are back online.' : `Could not start a trial: ${error.message}.`;
  }
});

$('key-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('license-message').textContent = 'Checking the key…';
  try {
    showLicense(await license.save($('license-key').value));
    $('license-message').textContent = 'Key saved in this browser.';
    track('key_saved');
  } catch (error) {
    $('license-message').textContent = `That key does not work: ${error.message}.`;
  }
});

$('forget-key').addEventListener('click', () => {
  license.forget();
  $('license-key').value = '';
  showLicense(null);
  $('license-message').textContent = 'Key removed from this browser.';
});

refreshLicense();
