// `parse(bytes, name, { weld: false })` (vitrine_parse_triangles) keeps a binary STL's facets
// as they are — three vertices each — and the case engine, which needs only the triangles'
// extents, makes exactly the same case from it as from the welded mesh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { ci, meshPath, readMesh, vitrine } from './support.mjs';

const MINI = 'figures/rpgscad_wyrmling.stl';

test('unwelded parse keeps every facet and gives the same case as the welded one', async (t) => {
  if (!existsSync(meshPath(MINI))) {
    if (ci) assert.fail(`missing ${meshPath(MINI)}`);
    t.skip(`missing ${meshPath(MINI)}`);
    return;
  }
  const v = await vitrine();
  const bytes = readMesh(MINI);
  const welded = v.parse(bytes, MINI);
  const soup = v.parse(bytes, MINI, { weld: false });
  try {
    const triangles = soup.indices().length / 3;
    assert.equal(triangles, welded.indices().length / 3);
    assert.equal(soup.positions().length, 9 * triangles, 'three fresh vertices per facet');
    assert.ok(welded.positions().length < soup.positions().length / 2, 'the welded mesh shares vertices');
    // Same corners, facet by facet (the weld snaps -0 and |x| < 1e-12 to +0).
    const wp = welded.positions(), wi = welded.indices(), sp = soup.positions();
    for (let c = 0; c < 3 * triangles; c += 97) {
      for (let k = 0; k < 3; k++) {
        const s = sp[3 * c + k], w = wp[3 * wi[c] + k];
        assert.ok(s === w || (w === 0 && Math.abs(s) < 1e-12), `corner ${c} axis ${k}: ${s} vs ${w}`);
      }
    }
    const a = welded.generateCase({ resolution: 0.3 });
    const b = soup.generateCase({ resolution: 0.3 });
    assert.deepEqual(b.parts.map((p) => p.indices.length), a.parts.map((p) => p.indices.length));
    b.parts.forEach((part, i) => assert.deepEqual(Array.from(part.positions), Array.from(a.parts[i].positions)));
  } finally {
    welded.release();
    soup.release();
  }
  assert.equal(v.liveMeshes, 0);
});

test('unwelded parse rejects what the welded one rejects', async () => {
  const v = await vitrine();
  const bad = new Uint8Array(84 + 50);
  new DataView(bad.buffer).setUint32(80, 1, true);
  new DataView(bad.buffer).setFloat32(84 + 12, NaN, true);
  assert.throws(() => v.parse(bad, 'x.stl', { weld: false }), /NaN or infinite/);
  assert.throws(() => v.parse(bad, 'x.stl'), /NaN or infinite/);
  assert.equal(v.liveMeshes, 0);
});
