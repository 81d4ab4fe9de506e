// The case options the browser gained (magnets, label, mark; the lid and tray styles through
// Web/vitrine.js) must make the same case as the native CLI (`vitrine case … --magnets DxH
// --label TEXT --mark TEXT --style lid|tray --layout assembled --json`): same parts, same
// triangle counts, volumes within 1e-6 relative. Bad values come back as the engine's own
// messages, never as a trap, and the module keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertCaseMatchesNative, ci, meshPath, readMesh, root, vitrine, volume } from './support.mjs';

const RESOLUTION = 0.3;
const MONK = 'figures/rpgscad_monk_0.stl';
const WYRMLING = 'figures/rpgscad_wyrmling.stl';
const GOBLIN = 'figures/rpgscad_mini_goblin_bow0.stl';

// Each: the vitrine.js options, the CLI arguments that mean the same.
const CASES = [
  { name: 'magnets 6x2', minis: [MONK], options: { magnets: '6x2' }, args: ['--magnets', '6x2'] },
  { name: 'label', minis: [MONK], options: { label: 'Monk' }, args: ['--label', 'Monk'] },
  { name: 'trial mark', minis: [MONK], options: { mark: 'TRIAL' }, args: ['--mark', 'TRIAL'] },
  {
    name: 'magnets {diameter, height} + label + mark', minis: [WYRMLING],
    options: { magnets: { diameter: 5, height: 1.5 }, label: 'Wyrmling #3', mark: 'TRIAL' },
    args: ['--magnets', '5x1.5', '--label', 'Wyrmling #3', '--mark', 'TRIAL'],
  },
  { name: 'lid style', minis: [MONK], options: { style: 'lid' }, args: ['--style', 'lid'] },
  {
    name: 'tray of two with magnets and a label (generateTray)', minis: [GOBLIN, MONK], tray: true,
    options: { magnets: '6x2', label: 'Goblin and monk' }, args: ['--style', 'tray', '--magnets', '6x2', '--label', 'Goblin and monk'],
  },
];

function nativeBin() {
  return [process.env.VITRINE_BIN, join(root, '.build', 'debug', 'vitrine')].filter(Boolean).find((p) => existsSync(p));
}

/** Runs the native CLI; { report } on success, { stderr, status } on failure, { why } without a CLI. */
function nativeCase(files, args) {
  const bin = nativeBin();
  if (!bin) return { why: 'no native vitrine: set VITRINE_BIN or build .build/debug/vitrine' };
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-caseopt-'));
  try {
    const run = spawnSync(bin, ['case', ...files.map(meshPath), '-o', join(dir, 'case.stl'),
      '--resolution', String(RESOLUTION), '--layout', 'assembled', '--json', ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (run.status !== 0) return { status: run.status, stderr: (run.stderr || '').trim() };
    return { report: JSON.parse(run.stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function present(t, files) {
  const missing = files.filter((f) => !existsSync(meshPath(f)));
  if (missing.length === 0) return true;
  if (ci) assert.fail(`missing ${missing.join(', ')}`);
  t.skip(`missing ${missing.join(', ')}`);
  return false;
}

/** The wasm case of `minis` with vitrine.js options (assembled, RESOLUTION), meshes released. */
async function wasmCase(minis, options, { tray = false } = {}) {
  const v = await vitrine();
  const meshes = minis.map((f) => v.parse(readMesh(f), f));
  const seen = [];
  try {
    const all = { resolution: RESOLUTION, layout: 'assembled', ...options };
    const kase = tray ? v.generateTray(meshes, all, (f) => seen.push(f)) : meshes[0].generateCase(all, (f) => seen.push(f));
    return { kase, seen };
  } finally {
    for (const m of meshes) m.release();
  }
}

const plain = new Map();
/** Triangle counts and volumes of the same minis without the new options, to see they took effect. */
async function plainCase(minis, tray) {
  const key = minis.join('+');
  if (!plain.has(key)) {
    const { kase } = await wasmCase(minis, {}, { tray });
    plain.set(key, kase.parts.map((p) => [p.indices.length / 3, volume(p.positions, p.indices)]));
  }
  return plain.get(key);
}

for (const c of CASES) {
  test(`${c.name} (${c.minis.join(' + ')}) matches the native CLI`, async (t) => {
    if (!present(t, c.minis)) return;
    const start = performance.now();
    const { kase, seen } = await wasmCase(c.minis, c.options, { tray: c.tray });
    const ms = performance.now() - start;
    const v = await vitrine();
    assert.equal(v.liveCases, 0);
    assert.equal(v.liveMeshes, 0);
    assert.ok(seen.length >= 2 && seen[seen.length - 1] === 1, `progress ${seen.join(', ')}`);
    assert.deepEqual(kase.parts.map((p) => p.name), c.options.style === 'lid' ? ['base', 'lid'] : ['front', 'back']);
    assert.ok(kase.threeMF.length > 1000, '3MF present');
    const volumes = kase.parts.map((p) => volume(p.positions, p.indices));
    for (const vol of volumes) assert.ok(vol > 0, `part volume ${vol} should be positive (outward winding)`);
    t.diagnostic(`wasm: ${ms.toFixed(0)} ms, triangles ${kase.parts.map((p) => p.indices.length / 3).join(' + ')}, ` +
      `volumes ${volumes.map((x) => x.toFixed(1)).join(' + ')} mm³; warnings: ${kase.warnings.join(' | ') || 'none'}`);

    if (c.options.style !== 'lid') {
      // The options changed the case (the lid style has no magnets or engraving to compare).
      const base = await plainCase(c.minis, c.tray);
      assert.ok(kase.parts.some((p, i) => p.indices.length / 3 !== base[i][0] || Math.abs(volumes[i] - base[i][1]) > 1e-3),
        `${c.name}: the case equals the one without these options`);
    }

    const native = nativeCase(c.minis, c.args);
    if (!native.report) {
      const why = native.why ?? `native CLI failed (status ${native.status}): ${native.stderr}`;
      if (ci || !native.why) assert.fail(why);
      t.diagnostic(`SKIP native comparison: ${why}`);
      return;
    }
    assertCaseMatchesNative(kase, volumes, native.report);
    assert.deepEqual(kase.warnings, native.report.warnings);
  });
}

test('bad magnets, labels and marks come back as the engine\'s messages; the module keeps working', async (t) => {
  if (!present(t, [MONK])) return;
  const v = await vitrine();
  const mesh = v.parse(readMesh(MONK), MONK);
  const fails = (options) => {
    try {
      mesh.generateCase({ resolution: 1, ...options });
    } catch (error) {
      assert.equal(error.name, 'VitrineError', `${JSON.stringify(options)}: ${error}`);
      return error.message;
    }
    assert.fail(`${JSON.stringify(options)} made a case`);
  };
  try {
    // Named by vitrine.js before the engine runs.
    assert.match(fails({ magnets: '6x' }), /magnets must look like '6x2' \(diameter x height, mm\) or \{diameter, height\}, got '6x'/);
    assert.match(fails({ magnets: { diameter: 6 } }), /magnets must look like/);
    assert.match(fails({ label: 42 }), /label must be a string, got number/);
    assert.match(fails({ style: 'box' }), /unknown case style 'box': use 'clamshell', 'lid', 'tray'/);
    // The engine's own messages (CaseGen's MagnetSize.validate and Engraving.validate).
    const engine = {
      magnetDiameter: fails({ magnets: '30x2' }),
      magnetHeight: fails({ magnets: { diameter: 6, height: 0.1 } }),
      infinite: fails({ magnets: { diameter: Infinity, height: 2 } }),
      long: fails({ label: 'L'.repeat(65) }),
    };
    assert.equal(engine.magnetDiameter, 'magnet diameter 30 mm is out of range: use 1 to 20 mm');
    assert.equal(engine.magnetHeight, 'magnet height 0.1 mm is out of range: use 0.5 to 10 mm');
    assert.equal(engine.infinite, 'magnet diameter inf mm is out of range: use 1 to 20 mm');
    assert.equal(engine.long, 'label is 65 characters long; use at most 64');
    assert.equal(fails({ label: '' }), 'label is empty');
    assert.equal(fails({ mark: 'ok\tno' }), 'mark has a character without a glyph at position 3 (only printable ASCII is engraved)');
    assert.equal(fails({ label: 'Café' }), 'label has a character without a glyph at position 4 (only printable ASCII is engraved)');
    assert.equal(fails({ mark: 'x'.repeat(1000) }), 'mark is 1000 characters long; use at most 64');
    // The same words as the native CLI, which hands these values to the engine unchanged.
    for (const [args, message] of [[['--magnets', '30x2'], engine.magnetDiameter], [['--label', 'L'.repeat(65)], engine.long]]) {
      const native = nativeCase([MONK], args);
      if (native.why) { t.diagnostic(`SKIP native message: ${native.why}`); continue; }
      assert.equal(native.status, 1);
      assert.equal(native.stderr, `vitrine case: ${message}`);
    }

    // The raw record: claims the exports must survive without reading what is not there.
    const e = v.exports;
    const n = e.vitrine_case_option_slots();
    assert.equal(n, 16);
    const raw = (changes) => {
      const text = v.alloc(8);
      new Uint8Array(v.memory.buffer, text, 8).set(new TextEncoder().encode('MONK\u0001ABC'));
      try {
        return v.withBuffer(n * 8, (ptr) => {
          const f = new Float64Array(v.memory.buffer, ptr, n);
          f.set([0, 0.4, 2, 0.3, 4, NaN, 1, 0, 1, 0, NaN, NaN, 0, 0, 0, 0]);
          for (const [slot, value] of Object.entries(changes)) f[slot] = value === 'text' ? text : value;
          const handle = e.vitrine_case_generate(mesh.handle, ptr);
          if (handle) e.vitrine_case_release(handle);
          return handle ? '' : v.lastError();
        });
      } finally {
        e.vitrine_free(text);
      }
    };
    assert.equal(raw({ 10: 6 }), 'magnets need both a diameter and a height in mm (like 6x2), or neither');
    assert.equal(raw({ 11: 2 }), 'magnets need both a diameter and a height in mm (like 6x2), or neither');
    assert.equal(raw({ 12: 0, 13: 5 }), 'label of 5 bytes has no address');
    assert.equal(raw({ 12: 'text', 13: 2.5 }), 'label must be given as a whole address and byte length in wasm memory');
    assert.equal(raw({ 14: 'text', 15: -1 }), 'mark must be given as a whole address and byte length in wasm memory');
    assert.equal(raw({ 14: 2 ** 40, 15: 3 }), 'mark must be given as a whole address and byte length in wasm memory');
    assert.equal(raw({ 12: 'text', 13: 2 ** 31 }), 'label is 2147483648 characters long; use at most 64');
    assert.equal(raw({ 12: 0, 13: 2 ** 32 - 1 }), 'label of 4294967295 bytes has no address');
    assert.equal(raw({ 12: 'text', 13: 8 }), 'label has a character without a glyph at position 5 (only printable ASCII is engraved)');
    assert.equal(raw({ 12: 'text', 13: 4, 14: 'text', 15: 4 }), '');
    assert.equal(raw({}), '');

    // Still working: a case with every new option.
    const kase = mesh.generateCase({ resolution: 0.5, magnets: '6x2', label: 'Monk', mark: 'TRIAL' });
    assert.equal(kase.parts.length, 2);
  } finally {
    mesh.release();
  }
  assert.equal(v.liveCases, 0);
  assert.equal(v.liveMeshes, 0);
  assert.ok(!v.broken);
});

test('generateTray checks its meshes; a one-mini tray works through generateCase too', async (t) => {
  if (!present(t, [MONK])) return;
  const v = await vitrine();
  const mesh = v.parse(readMesh(MONK), MONK);
  try {
    assert.throws(() => v.generateTray([], {}), /a tray needs at least one mesh/);
    assert.throws(() => v.generateTray([mesh, {}], {}), /mini 2 is not a mesh parsed by this Vitrine instance/);
    assert.throws(() => v.generateTray([mesh], { style: 'lid' }), /generateTray makes the tray style, not 'lid'/);
    const a = mesh.generateCase({ style: 'tray', resolution: 0.5, layout: 'assembled' });
    const b = v.generateTray([mesh], { resolution: 0.5, layout: 'assembled' });
    assert.deepEqual(a.parts.map((p) => p.indices.length), b.parts.map((p) => p.indices.length));
  } finally {
    mesh.release();
  }
  assert.throws(() => v.generateTray([mesh], {}), /mesh already released/);
  assert.equal(v.liveCases, 0);
});
