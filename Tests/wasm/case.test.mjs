// Case generation in wasm (`mesh.generateCase`) must make the same case as the native CLI
// (`vitrine case --layout assembled --json`): same part triangle counts, same volumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ci, close, meshPath, readMesh, root, vitrine, volume } from './support.mjs';

const MINIS = ['figures/rpgscad_wyrmling.stl', 'figures/rpgscad_mini_housecarl.stl'];

/** The native CLI's report for `file`, or { why } when there is no CLI to ask. */
function nativeCase(file) {
  const bin = [process.env.VITRINE_BIN, join(root, '.build', 'debug', 'vitrine')].filter(Boolean).find((p) => existsSync(p));
  if (!bin) return { why: 'no native vitrine: set VITRINE_BIN or build .build/debug/vitrine' };
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-case-'));
  try {
    const run = spawnSync(bin, ['case', meshPath(file), '-o', join(dir, 'case.3mf'), '--layout', 'assembled', '--json'],
      { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (run.status !== 0) return { why: `${bin} case failed (status ${run.status}): ${(run.stderr || '').trim()}` };
    return { report: JSON.parse(run.stdout), bin };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const file of MINIS) {
  test(`case of ${file} matches the native CLI`, async (t) => {
    if (!existsSync(meshPath(file))) {
      if (ci) assert.fail(`missing ${meshPath(file)}`);
      t.skip(`missing ${meshPath(file)}`);
      return;
    }
    const v = await vitrine();
    const mesh = v.parse(readMesh(file), file);
    const seen = [];
    const start = performance.now();
    const kase = mesh.generateCase({ layout: 'assembled' }, (f) => seen.push(f));
    const ms = performance.now() - start;
    mesh.release();
    assert.equal(v.liveCases, 0, 'generateCase must release its case');
    assert.equal(v.liveMeshes, 0);

    // Progress: increasing, ending at 1.
    assert.ok(seen.length >= 2, `progress called ${seen.length} times`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `progress not increasing: ${seen.join(', ')}`);
    assert.equal(seen[seen.length - 1], 1);

    // The 3MF: a zip (PK) holding the model part.
    assert.equal(kase.threeMF[0], 0x50);
    assert.equal(kase.threeMF[1], 0x4b);
    assert.ok(Buffer.from(kase.threeMF.buffer, kase.threeMF.byteOffset, Math.min(kase.threeMF.length, 4096)).includes('3D/3dmodel.model'));
    assert.ok(Buffer.from(kase.threeMF).includes('unit="millimeter"'));

    assert.deepEqual(kase.parts.map((p) => p.name), ['front', 'back']);
    const volumes = kase.parts.map((p) => volume(p.positions, p.indices));
    for (const vol of volumes) assert.ok(vol > 0, `part volume ${vol} should be positive (outward winding)`);
    t.diagnostic(`wasm: ${ms.toFixed(0)} ms, triangles ${kase.parts.map((p) => p.indices.length / 3).join(' + ')}, ` +
      `volumes ${volumes.map((x) => x.toFixed(1)).join(' + ')} mm³, 3MF ${kase.threeMF.length} bytes`);

    const native = nativeCase(file);
    if (!native.report) {
      if (ci) assert.fail(native.why);
      t.diagnostic(`SKIP native comparison: ${native.why}`);
      return;
    }
    const n = native.report.parts;
    assert.equal(kase.parts.length, n.length);
    kase.parts.forEach((part, i) => {
      assert.equal(part.name, n[i].name);
      assert.equal(part.indices.length / 3, n[i].triangles, `${part.name} triangles`);
      assert.ok(close(volumes[i], n[i].volume_mm3, 1e-5), `${part.name} volume ${volumes[i]} vs native ${n[i].volume_mm3}`);
      assert.deepEqual(part.extraction, n[i].extraction);
    });
    assert.ok(Math.abs(kase.resolution - native.report.resolution_mm) < 1e-6);
  });
}

test('generateCase reports bad options with the engine message and keeps working', async () => {
  const v = await vitrine();
  const mesh = v.parse(readMesh(MINIS[0]), MINIS[0]);
  try {
    assert.throws(() => mesh.generateCase({ clearance: 9 }), /clearance 9 mm is out of range/);
    assert.throws(() => mesh.generateCase({ scale: 100 }), /mm across, outside the 5–300 mm/);
    assert.throws(() => mesh.generateCase({ up: 'w' }), /unknown up axis/);
    const ok = mesh.generateCase({ resolution: 0.5, pins: 0, fingerNotch: false });
    assert.equal(ok.parts.length, 2);
  } finally {
    mesh.release();
  }
  assert.equal(v.liveCases, 0);
});

test('repeated case generation does not grow memory', async () => {
  const v = await vitrine();
  const mesh = v.parse(readMesh(MINIS[0]), MINIS[0]);
  const memory = [];
  for (let round = 0; round < 6; round++) {
    mesh.generateCase({ resolution: 0.2 });
    memory.push(v.memoryBytes);
  }
  mesh.release();
  assert.equal(memory[5], memory[2], `memory kept growing: ${memory.join(', ')}`);
});
