// Bad input gives handle 0 and one readable message, never a trap, and never memory in
// proportion to what the file merely claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { ci, freshVitrine, meshPath, readMesh } from './support.mjs';

const BINARY = 'figures/rpgscad_wyrmling.stl';

const expectFailure = (v, bytes, name) => {
  let error;
  try {
    v.parse(bytes, name).release();
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${name}: parsing should fail`);
  assert.equal(error.name, 'VitrineError', `${name}: ${error}`);
  assert.ok(error.message.length > 10, `${name}: message too short: "${error.message}"`);
  assert.ok(!error.message.includes('\n'), `${name}: one line: "${error.message}"`);
  assert.ok(!/trap|unreachable|RuntimeError/.test(error.message), `${name}: not a trap: "${error.message}"`);
  return error.message;
};

test('bad input returns 0 with a readable error, and the instance keeps working', async (t) => {
  if (!existsSync(meshPath(BINARY))) {
    if (ci) assert.fail(`missing ${meshPath(BINARY)}`);
    t.skip(`missing ${meshPath(BINARY)}`);
    return;
  }
  const v = await freshVitrine();
  const good = readMesh(BINARY);

  // The raw ABI: handle 0 and a message.
  const ptr = v.exports.vitrine_alloc(100) >>> 0;
  new Uint8Array(v.memory.buffer, ptr, 100).fill(0x41);
  assert.equal(v.exports.vitrine_parse(ptr, 100, 0, 0), 0);
  assert.ok(v.exports.vitrine_last_error_len() > 0);
  v.exports.vitrine_free(ptr);

  const truncated = good.slice(0, 84 + 50 * 1000 + 17);
  const message = expectFailure(v, truncated, 'truncated.stl');
  t.diagnostic(`truncated STL: ${message}`);
  assert.match(message, /5,?838/, 'names the claimed triangle count');

  expectFailure(v, new Uint8Array(0), 'empty.stl');
  expectFailure(v, good.slice(0, 50), 'short.stl');
  const garbage = new Uint8Array(4096);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
  expectFailure(v, garbage, 'garbage.bin');

  // A header claiming 4 billion triangles over a tiny file must not reserve memory for them.
  const liar = good.slice(0, 84 + 50 * 10);
  new DataView(liar.buffer).setUint32(80, 0xfffffff0, true);
  const before = v.memoryBytes;
  const liarMessage = expectFailure(v, liar, 'liar.stl');
  t.diagnostic(`lying header: ${liarMessage}`);
  assert.ok(v.memoryBytes - before < 16 << 20, `memory grew by ${v.memoryBytes - before} bytes for a lying header`);

  const mesh = v.parse(good, BINARY);
  assert.equal(mesh.triangleCount, 5838);
  mesh.release();
  assert.equal(v.liveMeshes, 0);
  assert.equal(v.exports.vitrine_mesh_release(9999), 0, 'unknown handle');
  assert.equal(v.exports.vitrine_mesh_triangle_count(9999), -1, 'unknown handle');
});
