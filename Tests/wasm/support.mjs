// Shared helpers for the wasm node tests: where things are, loading the module once, and
// the native reference (the `vitrine inspect --json` output) the wasm results must match.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Package root: walk up from this file until Package.swift. */
export const root = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'Package.swift'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('Package.swift not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

/** The shared real meshes (never copied into the repo). */
export const meshesDir = resolve(root, '..', 'shared', 'meshes', 'public');
export const wasmPath = join(root, 'Web', 'vitrine.wasm');
export const ci = process.env.CI === 'true';

export function meshPath(relative) { return join(meshesDir, ...relative.split('/')); }
export function readMesh(relative) { return new Uint8Array(readFileSync(meshPath(relative))); }

let loaded;
/** One Vitrine instance shared by a test file (each test file runs in its own process). */
export async function vitrine() {
  if (!existsSync(wasmPath)) throw new Error(`${wasmPath} is missing: run scripts/build-wasm.sh first`);
  if (!loaded) {
    const { loadVitrine } = await import(join(root, 'Web', 'vitrine.js'));
    loaded = await loadVitrine(new Uint8Array(readFileSync(wasmPath)));
  }
  return loaded;
}

/** A fresh instance (for tests that watch memory growth from the start). */
export async function freshVitrine() {
  const { loadVitrine } = await import(join(root, 'Web', 'vitrine.js'));
  return loadVitrine(new Uint8Array(readFileSync(wasmPath)));
}

/** Key for matching a CLI report to a mesh: its path below meshes/public, with '/'. */
export function meshKey(file) {
  const normal = resolve(root, file).split(sep).join('/');
  const marker = '/meshes/public/';
  const at = normal.lastIndexOf(marker);
  return at >= 0 ? normal.slice(at + marker.length) : normal;
}

/**
 * Native results by mesh key, from (in order) the JSON file at VITRINE_NATIVE_JSON, the
 * binary at VITRINE_BIN, or .build/debug/vitrine run over `files`. Returns
 * { reports: Map, source } or { reports: null, why } when there is no native reference.
 */
export function nativeReference(files) {
  const collect = (parsed, source) => {
    const list = Array.isArray(parsed) ? parsed : [parsed];
    const reports = new Map();
    for (const r of list) if (r && typeof r.file === 'string') reports.set(meshKey(r.file), r);
    return { reports, source };
  };
  const jsonPath = process.env.VITRINE_NATIVE_JSON;
  if (jsonPath) {
    if (!existsSync(jsonPath)) return { reports: null, why: `VITRINE_NATIVE_JSON=${jsonPath} does not exist` };
    const text = readFileSync(jsonPath, 'utf8').trim();
    if (!text) return { reports: null, why: `VITRINE_NATIVE_JSON=${jsonPath} is empty` };
    return collect(JSON.parse(text), jsonPath);
  }
  const candidates = [process.env.VITRINE_BIN, join(root, '.build', 'debug', 'vitrine')].filter(Boolean);
  const bin = candidates.find((p) => existsSync(p));
  if (!bin) return { reports: null, why: `no native reference: set VITRINE_NATIVE_JSON or VITRINE_BIN, or build .build/debug/vitrine` };
  const run = spawnSync(bin, ['inspect', '--json', ...files.map(meshPath)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (!run.stdout || !run.stdout.trim()) {
    return { reports: null, why: `${bin} inspect --json printed nothing (status ${run.status}): ${(run.stderr || '').trim().split('\n')[0]}` };
  }
  return collect(JSON.parse(run.stdout), bin);
}

/** |actual - expected| <= rel * max(|expected|, floor). */
export function close(actual, expected, rel, floor = 0) {
  return Math.abs(actual - expected) <= rel * Math.max(Math.abs(expected), floor);
}

/** Signed volume (mm³) of a closed mesh from its flat positions and indices. */
export function volume(positions, indices) {
  let v = 0;
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t] * 3, b = indices[t + 1] * 3, c = indices[t + 2] * 3;
    const ax = positions[a], ay = positions[a + 1], az = positions[a + 2];
    const bx = positions[b], by = positions[b + 1], bz = positions[b + 2];
    const cx = positions[c], cy = positions[c + 1], cz = positions[c + 2];
    v += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
  }
  return v / 6;
}

/** Asserts the wasm case `kase` (with part volumes `volumes`, mm³) matches the native CLI's JSON
 * `report` part by part: names, triangle counts, volumes to 1e-6 relative, extraction hints, and
 * the grid resolution. */
export function assertCaseMatchesNative(kase, volumes, report) {
  const n = report.parts;
  assert.equal(kase.parts.length, n.length, 'part count');
  kase.parts.forEach((part, i) => {
    assert.equal(part.name, n[i].name);
    assert.equal(part.indices.length / 3, n[i].triangles, `${part.name} triangles`);
    const rel = Math.abs(volumes[i] - n[i].volume_mm3) / Math.abs(n[i].volume_mm3);
    assert.ok(rel <= 1e-6, `${part.name} volume ${volumes[i]} vs native ${n[i].volume_mm3} (relative ${rel})`);
    assert.deepEqual(part.extraction, n[i].extraction);
  });
  assert.ok(Math.abs(kase.resolution - report.resolution_mm) < 1e-6);
}
