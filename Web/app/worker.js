// The engine's thread: parsing, analysis and case generation run here so the page keeps
// answering while vitrine.wasm works for seconds. Messages in: {id, type: 'open'|'generate', …};
// out: {id, type: 'progress'|'opened'|'generated'|'file'|'error', …}. Big arrays are
// transferred, never copied twice.
import { loadVitrine } from '../vitrine.js';
import { read3MF, place3MF, UNIT_MM } from './threemf.js';
import { boundsOf, clusterProxy, plateTransforms, soupSTL } from './geometry.js';

let vitrinePromise = null;
let mesh = null;
let lastCase = null;

function engine() {
  vitrinePromise ??= loadVitrine(new URL('../vitrine.wasm', import.meta.url));
  return vitrinePromise;
}

const PROXY_ABOVE = 400_000;
const UNIT_NAMES = { micron: 'µm', millimeter: 'mm', centimeter: 'cm', inch: 'in', foot: 'ft', meter: 'm' };

async function open({ name, bytes }) {
  const v = await engine();
  mesh?.release();
  mesh = null;
  lastCase = null;
  let data = new Uint8Array(bytes);
  let declared = null;
  if (/\.3mf$/i.test(name)) {
    // The engine reads STL/OBJ/PLY; a 3MF is unzipped here and handed over as a binary STL.
    const model = await read3MF(data);
    data = soupSTL(model.soup);
    declared = { unit: model.unit, items: model.items };
  }
  mesh = v.parse(data, declared ? 'model.stl' : name);
  const info = mesh.analyze();
  let unitGuess = info.unitGuess;
  if (declared) {
    unitGuess = {
      unit: 'mm',
      reason: declared.unit === 'millimeter'
        ? 'the 3MF file declares millimetres'
        : `the 3MF file declares ${declared.unit}; converted to millimetres (×${UNIT_MM[declared.unit]})`,
      declared: UNIT_NAMES[declared.unit],
    };
  }
  const positions = mesh.positions().slice();
  const indices = mesh.indices().slice();
  // Past a few hundred thousand triangles a slow GPU (or none) cannot redraw every frame of a
  // drag; the viewer then moves a clustered stand-in and redraws in full when the view rests.
  const proxy = mesh.triangleCount > PROXY_ABOVE ? clusterProxy(positions, indices, info.bounds) : null;
  return {
    reply: {
      type: 'opened', name, format: declared ? '3mf' : mesh.format, triangles: mesh.triangleCount,
      vertices: mesh.vertexCount, bounds: info.bounds, size: info.size, watertight: info.watertight,
      unitGuess, positions, indices, proxy,
    },
    transfer: [positions.buffer, indices.buffer, ...(proxy ? [proxy.buffer] : [])],
  };
}

/**
 * Texts tried for the engraved trial mark, longest first: a mini whose case back is too narrow
 * for the word (about 13 mm at 0.1 mm, 3.6 mm a letter at 0.3 mm) still gets a mark rather
 * than a failure after the server counted the generation.
 */
const TRIAL_MARKS = ['TRIAL', 'T'];

async function generate({ id, options, mark, title }) {
  if (!mesh) throw new Error('open a model first');
  const started = performance.now();
  const request = { ...options, layout: 'assembled' };
  // The server answers `mark: true` for a trial (or, should it ever, the text to engrave).
  // The lid style has no engraved face in the engine, so its trial cases are marked in the
  // 3MF's description only (the page keeps trial keys off the lid style).
  const engraves = !!mark && request.style !== 'lid';
  const marks = !engraves ? [null] : typeof mark === 'string' ? [mark] : TRIAL_MARKS;
  let last = -1;
  const onProgress = (fraction) => {
    // Progress arrives hundreds of times; a message per percent is plenty for a bar.
    if (fraction - last >= 0.01 || fraction === 1) {
      last = fraction;
      postMessage({ id, type: 'progress', fraction });
    }
  };
  let kase = null;
  let engraved = null;
  for (const [i, text] of marks.entries()) {
    try {
      kase = mesh.generateCase(text ? { ...request, mark: text } : request, onProgress);
      engraved = text;
      break;
    } catch (error) {
      // Only "mark '…' needs W x H mm but the back face … leaves …" earns a shorter try.
      if (i === marks.length - 1 || !/^mark '/.test(error.message)) throw error;
      last = -1;
    }
  }
  const engineMs = performance.now() - started;
  const parts = kase.parts.map((p) => ({ ...p, bounds: boundsOf(p.positions) }));
  const placements = plateTransforms(parts, options.up ?? 'z');
  lastCase = { threeMF: kase.threeMF, placements, mark, title };
  return {
    reply: {
      type: 'generated', parts, placements, resolution: kase.resolution, warnings: kase.warnings, engineMs,
      markEngraved: engraved,
    },
    // Copies of the parts stay with the page (for STL downloads); the 3MF stays here.
    transfer: parts.flatMap((p) => [p.positions.buffer, p.indices.buffer]),
  };
}

async function threeMF() {
  if (!lastCase) throw new Error('generate a case first');
  const { threeMF: bytes, placements, mark, title } = lastCase;
  const blob = await place3MF(bytes, placements, { title, mark });
  return { reply: { type: 'file', blob }, transfer: [] };
}

const handlers = { open, generate, threeMF };

// Compile the engine while the person is still picking a file.
engine().catch(() => { /* reported by the first request that needs it */ });

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  try {
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request ${type}`);
    const { reply, transfer } = await handler(data);
    postMessage({ id, ...reply }, transfer);
  } catch (error) {
    postMessage({ id, type: 'error', message: error?.message || String(error), name: error?.name });
  }
};
