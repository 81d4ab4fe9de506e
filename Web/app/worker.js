// The engine's thread: parsing, analysis and case generation run here so the page keeps
// answering while vitrine.wasm works for seconds. Messages in: {id, type: 'open'|'generate', …};
// out: {id, type: 'progress'|'opened'|'generated'|'file'|'error', …}. Big arrays are
// transferred, never copied twice.
import { loadVitrine, CASE_OPTION_SLOTS } from '../vitrine.js';
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

async function generate({ id, options, mark, title }) {
  if (!mesh) throw new Error('open a model first');
  const started = performance.now();
  // Engraving the trial mark needs engine support (an option vitrine.js does not have yet):
  // it is passed along so it takes effect as soon as the option exists.
  const request = { ...options, layout: 'assembled' };
  if (mark && CASE_OPTION_SLOTS.includes('mark')) request.mark = 1;
  let last = -1;
  const kase = mesh.generateCase(request, (fraction) => {
    // Progress arrives hundreds of times; a message per percent is plenty for a bar.
    if (fraction - last >= 0.01 || fraction === 1) {
      last = fraction;
      postMessage({ id, type: 'progress', fraction });
    }
  });
  const engineMs = performance.now() - started;
  const parts = kase.parts.map((p) => ({ ...p, bounds: boundsOf(p.positions) }));
  const placements = plateTransforms(parts, options.up ?? 'z');
  lastCase = { threeMF: kase.threeMF, placements, mark, title };
  return {
    reply: {
      type: 'generated', parts, placements, resolution: kase.resolution, warnings: kase.warnings, engineMs,
      markEngraved: mark && CASE_OPTION_SLOTS.includes('mark'),
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
