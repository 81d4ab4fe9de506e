// The page generates once (assembled) and places the parts on the plate itself; that placement
// must be the engine's own `plate` layout, for every up axis, or the 3MF the page writes would
// not be the case the CLI makes. Also: the page's 3MF reader reads its own 3MF writer's output.
// Run: node --test Tests/browser/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wasm = join(root, 'Web', 'vitrine.wasm');
const wyrmling = resolve(root, '..', 'shared', 'meshes', 'public', 'figures', 'rpgscad_wyrmling.stl');
const ci = process.env.CI === 'true';
const { loadVitrine } = await import(join(root, 'Web', 'vitrine.js'));
const { apply, boundsOf, plateTransforms } = await import(join(root, 'Web', 'app', 'geometry.js'));
const { place3MF, read3MF } = await import(join(root, 'Web', 'app', 'threemf.js'));

function ready(t) {
  const missing = [wasm, wyrmling].filter((p) => !existsSync(p));
  if (missing.length === 0) return true;
  if (ci) assert.fail(`missing ${missing.join(', ')}`);
  t.skip(`missing ${missing.join(', ')}`);
  return false;
}

for (const [up, style] of [['z', 'clamshell'], ['y', 'clamshell'], ['-x', 'clamshell'], ['z', 'lid'], ['-y', 'lid']]) {
  test(`plate placement equals the engine's plate layout (${style}, up ${up})`, async (t) => {
    if (!ready(t)) return;
    const v = await loadVitrine(new Uint8Array(readFileSync(wasm)));
    const mesh = v.parse(readFileSync(wyrmling), 'wyrmling.stl');
    const options = { up, resolution: 0.4, style };
    const assembled = mesh.generateCase({ ...options, layout: 'assembled' });
    const plate = mesh.generateCase({ ...options, layout: 'plate' });
    mesh.release();
    const parts = assembled.parts.map((p) => ({ ...p, bounds: boundsOf(p.positions) }));
    const placements = plateTransforms(parts, up);
    parts.forEach((part, i) => {
      const want = plate.parts[i].positions;
      let worst = 0;
      for (let j = 0; j < want.length; j += 3) {
        const got = apply(placements[i], part.positions[j], part.positions[j + 1], part.positions[j + 2]);
        for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(got[k] - want[j + k]));
      }
      assert.ok(worst < 1e-3, `${part.name}: placed ${worst} mm away from the engine's plate layout`);
    });

    // The 3MF the page offers, read back by the page's own 3MF reader: same triangles, same place.
    const blob = await place3MF(assembled.threeMF, placements, { title: 'wyrmling case', mark: true });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const read = await read3MF(bytes);
    const total = plate.parts.reduce((n, p) => n + p.indices.length / 3, 0);
    assert.equal(read.triangles, total);
    const b = boundsOf(read.soup);
    const e = boundsOf(new Float32Array([...plate.parts[0].positions, ...plate.parts[1].positions]));
    for (let k = 0; k < 3; k++) {
      assert.ok(Math.abs(b.min[k] - e.min[k]) < 1e-3 && Math.abs(b.max[k] - e.max[k]) < 1e-3, `bounds ${JSON.stringify(b)} vs ${JSON.stringify(e)}`);
    }
    assert.ok(bytes.length < assembled.threeMF.length / 2, `deflated 3MF ${bytes.length} bytes vs stored ${assembled.threeMF.length}`);
  });
}
