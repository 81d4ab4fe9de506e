// The lid and tray styles in wasm must make the same case as the native CLI
// (`vitrine case … --style lid|tray --layout assembled --json`): same parts, same triangle
// counts, volumes within 1e-6 relative. These tests drive the raw exports (Web/vitrine.js's
// `generateCase({style})` and `generateTray` are checked in case-options.test.mjs): the options record's style slot
// (0 clamshell, 1 lid, 2 tray) and `vitrine_case_generate_tray(handlesPtr, count, optionsPtr)`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertCaseMatchesNative, ci, meshPath, readMesh, root, vitrine, volume } from './support.mjs';

const RESOLUTION = 0.2;
const STYLES = { clamshell: 0, lid: 1, tray: 2 };
const CASES = [
  { style: 'lid', minis: ['figures/rpgscad_monk_0.stl'] },
  { style: 'lid', minis: ['figures/rpgscad_mini_housecarl.stl'] },
  { style: 'tray', minis: ['figures/rpgscad_mini_goblin_bow0.stl', 'figures/rpgscad_mini_housecarl.stl', 'figures/rpgscad_monk_0.stl'] },
  { style: 'tray', minis: ['figures/rpgscad_wyrmling.stl', 'figures/rpgscad_mini_housecarl.stl'] },
];

/**
 * Generates a case of `style` around `meshes` through the raw exports (assembled layout, the
 * CLI's other defaults) and copies the parts out; releases the case. Throws with the engine's
 * message when it fails.
 */
function generate(v, meshes, style, onProgress) {
  const e = v.exports;
  const n = e.vitrine_case_option_slots();
  assert.ok(n >= 10, `only ${n} option slots`);
  // CaseOptionsLayout order; then no magnets (NaN, NaN), no label or mark (0, 0, 0, 0).
  const values = [STYLES[style], 0.4, 2, RESOLUTION, 4, NaN, 1, 0, 1, 0, NaN, NaN, 0, 0, 0, 0];
  const handle = v.withBuffer(n * 8, (options) => {
    const f = new Float64Array(v.memory.buffer, options, n);
    values.forEach((x, i) => { if (i < n) f[i] = x; });
    v.progressHandler = onProgress ?? null;
    try {
      if (meshes.length === 1 && style !== 'tray') return e.vitrine_case_generate(meshes[0].handle, options);
      return v.withBuffer(meshes.length * 4, (handles) => {
        new Int32Array(v.memory.buffer, handles, meshes.length).set(meshes.map((m) => m.handle));
        return e.vitrine_case_generate_tray(handles, meshes.length, options);
      });
    } finally {
      v.progressHandler = null;
    }
  });
  if (handle === 0) throw new Error(v.lastError() || 'could not generate a case');
  try {
    const text = (ptr, len) => Buffer.from(v.memory.buffer, ptr, len).toString('utf8');
    const parts = [];
    for (let i = 0; i < e.vitrine_case_part_count(handle); i++) {
      const vertices = e.vitrine_case_part_vertex_count(handle, i);
      const triangles = e.vitrine_case_part_triangle_count(handle, i);
      const extraction = v.withBuffer(12, (ptr) => {
        assert.equal(e.vitrine_case_part_extraction(handle, i, ptr), 1);
        return Array.from(new Float32Array(v.memory.buffer, ptr, 3));
      });
      const pPtr = e.vitrine_case_part_positions_ptr(handle, i) >>> 0;
      const iPtr = e.vitrine_case_part_indices_ptr(handle, i) >>> 0;
      parts.push({
        name: text(e.vitrine_case_part_name_ptr(handle, i) >>> 0, e.vitrine_case_part_name_len(handle, i)),
        positions: new Float32Array(v.memory.buffer, pPtr, vertices * 3).slice(),
        indices: new Uint32Array(v.memory.buffer, iPtr, triangles * 3).slice(),
        extraction,
      });
    }
    return { parts, resolution: e.vitrine_case_resolution(handle) };
  } finally {
    e.vitrine_case_release(handle);
  }
}

/** The native CLI's report, or { why } when there is no CLI to ask. */
function nativeCase(files, style) {
  const bin = [process.env.VITRINE_BIN, join(root, '.build', 'debug', 'vitrine')].filter(Boolean).find((p) => existsSync(p));
  if (!bin) return { why: 'no native vitrine: set VITRINE_BIN or build .build/debug/vitrine' };
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-case-'));
  try {
    const run = spawnSync(bin, ['case', ...files.map(meshPath), '-o', join(dir, 'case.stl'), '--style', style,
      '--resolution', String(RESOLUTION), '--layout', 'assembled', '--json'], { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (run.status !== 0) return { why: `${bin} case failed (status ${run.status}): ${(run.stderr || '').trim()}` };
    return { report: JSON.parse(run.stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const { style, minis } of CASES) {
  test(`${style} of ${minis.join(' + ')} matches the native CLI`, async (t) => {
    const missing = minis.filter((f) => !existsSync(meshPath(f)));
    if (missing.length) {
      if (ci) assert.fail(`missing ${missing.join(', ')}`);
      t.skip(`missing ${missing.join(', ')}`);
      return;
    }
    const v = await vitrine();
    const meshes = minis.map((f) => v.parse(readMesh(f), f));
    const seen = [];
    let kase;
    const start = performance.now();
    try {
      kase = generate(v, meshes, style, (f) => seen.push(f));
    } finally {
      for (const m of meshes) m.release();
    }
    const ms = performance.now() - start;
    assert.equal(v.liveCases, 0);
    assert.equal(v.liveMeshes, 0);
    assert.ok(seen.length >= 2 && seen[seen.length - 1] === 1, `progress ${seen.join(', ')}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `progress not increasing: ${seen.join(', ')}`);

    assert.deepEqual(kase.parts.map((p) => p.name), style === 'lid' ? ['base', 'lid'] : ['front', 'back']);
    const volumes = kase.parts.map((p) => volume(p.positions, p.indices));
    for (const vol of volumes) assert.ok(vol > 0, `part volume ${vol} should be positive (outward winding)`);
    t.diagnostic(`wasm: ${ms.toFixed(0)} ms, triangles ${kase.parts.map((p) => p.indices.length / 3).join(' + ')}, ` +
      `volumes ${volumes.map((x) => x.toFixed(1)).join(' + ')} mm³`);

    const native = nativeCase(minis, style);
    if (!native.report) {
      if (ci) assert.fail(native.why);
      t.diagnostic(`SKIP native comparison: ${native.why}`);
      return;
    }
    assertCaseMatchesNative(kase, volumes, native.report);
  });
}

test('lid and tray errors come back as messages and the module keeps working', async () => {
  const v = await vitrine();
  const a = v.parse(readMesh(CASES[0].minis[0]), CASES[0].minis[0]);
  const b = v.parse(readMesh(CASES[1].minis[0]), CASES[1].minis[0]);
  try {
    assert.throws(() => generate(v, [a, b], 'lid'), /the lid style takes one mini, got 2; use the tray style/);
    const e = v.exports;
    const bad = v.withBuffer(e.vitrine_case_option_slots() * 8, (options) => {
      new Float64Array(v.memory.buffer, options, e.vitrine_case_option_slots()).set([7, 0.4, 2, 0.5, 4, NaN, 1, 0, 1, 0, NaN, NaN, 0, 0, 0, 0]);
      return e.vitrine_case_generate(a.handle, options);
    });
    assert.equal(bad, 0);
    assert.match(v.lastError(), /unknown case style code 7: use 0 \(clamshell\), 1 \(lid\) or 2 \(tray\)/);
    const unknown = v.withBuffer(16 + 8 * e.vitrine_case_option_slots(), (ptr) => {
      new Int32Array(v.memory.buffer, ptr, 2).set([a.handle, 999]);
      return e.vitrine_case_generate_tray(ptr, 2, ptr + 16);
    });
    assert.equal(unknown, 0);
    assert.match(v.lastError(), /unknown mesh handle 999 \(mini 2\)/);
    // A one-mini tray is a clamshell-like case with one cavity; the module still works.
    assert.equal(generate(v, [a], 'tray').parts.length, 2);
  } finally {
    a.release();
    b.release();
  }
  assert.equal(v.liveCases, 0);
  assert.equal(v.liveMeshes, 0);
});
