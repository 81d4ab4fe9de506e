// A small WebGL2 viewer for minis and their cases. Each mesh is one position buffer plus one
// 32-bit index buffer (2M triangles fit, no normal buffer: the fragment shader takes the face
// normal from screen-space derivatives), and a frame is drawn only when something changed,
// so an idle page costs nothing however big the model.
//
// Controls: drag orbits; right-drag, shift-drag or two fingers pan; wheel or pinch zooms;
// arrows orbit (shift+arrows pan), + and - zoom, 0 resets the view.

const VERTEX = `#version 300 es
in vec3 aPos;
uniform mat4 uModel, uView, uProj;
out vec3 vView;
void main() {
  vec4 v = uView * uModel * vec4(aPos, 1.0);
  vView = v.xyz;
  gl_Position = uProj * v;
}`;

const FRAGMENT = `#version 300 es
precision highp float;
in vec3 vView;
uniform vec3 uColor;
out vec4 outColor;
void main() {
  vec3 n = normalize(cross(dFdx(vView), dFdy(vView)));
  vec3 toEye = normalize(-vView);
  // Broken input meshes have flipped faces; light whichever side is seen.
  if (dot(n, toEye) < 0.0) n = -n;
  // Lights are fixed to the camera (key from the upper right, fill from the lower left), so
  // the side you turn towards you is always lit.
  vec3 key = normalize(vec3(0.55, 0.65, 0.55));
  vec3 fill = normalize(vec3(-0.7, -0.25, 0.45));
  float diffuse = 0.72 * max(dot(n, key), 0.0) + 0.28 * max(dot(n, fill), 0.0) + 0.16;
  float spec = 0.18 * pow(max(dot(n, normalize(key + toEye)), 0.0), 40.0);
  outColor = vec4(pow(uColor * diffuse + spec, vec3(1.0 / 1.15)), 1.0);
}`;

const FOV = (35 * Math.PI) / 180;

// Column-major 4x4 helpers.
function perspective(fovy, aspect, near, far) {
  const f = 1 / Math.tan(fovy / 2);
  const nf = 1 / (near - far);
  return new Float32Array([f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1, 0, 0, 2 * far * near * nf, 0]);
}
function sub(a, b) { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
function cross(a, b) { return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]; }
function normalize(a) { const l = Math.hypot(...a) || 1; return [a[0] / l, a[1] / l, a[2] / l]; }
function dot(a, b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
function lookAt(eye, target, up) {
  const z = normalize(sub(eye, target));
  const x = normalize(cross(up, z));
  const y = cross(z, x);
  return new Float32Array([x[0], y[0], z[0], 0, x[1], y[1], z[1], 0, x[2], y[2], z[2], 0, -dot(x, eye), -dot(y, eye), -dot(z, eye), 1]);
}
/** geometry.js's 12-number transform as a mat4. */
function mat4(m) {
  return new Float32Array([m[0], m[1], m[2], 0, m[3], m[4], m[5], 0, m[6], m[7], m[8], 0, m[9], m[10], m[11], 1]);
}
function transformPoint(m, p) {
  return [m[0] * p[0] + m[3] * p[1] + m[6] * p[2] + m[9], m[1] * p[0] + m[4] * p[1] + m[7] * p[2] + m[10], m[2] * p[0] + m[5] * p[1] + m[8] * p[2] + m[11]];
}

/**
 * Whether WebGL is rasterized on the CPU (SwiftShader, llvmpipe: no GPU, or a blocklisted
 * one). There multisampling triples the cost of a frame, so the viewer goes without it.
 */
function softwareRenderer() {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return false;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software/i.test(String(renderer));
}

export class Viewer {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{onError?: (message: string) => void}} [hooks]
   */
  constructor(canvas, hooks = {}) {
    this.canvas = canvas;
    this.objects = new Map();
    this.camera = { yaw: -Math.PI / 3, pitch: 0.35, distance: 100, target: [0, 0, 0] };
    this.home = null;
    this.pending = false;
    this.waiters = [];
    this.gl = canvas.getContext('webgl2', { antialias: !softwareRenderer(), powerPreference: 'high-performance' });
    if (!this.gl) {
      hooks.onError?.('This browser has no WebGL2, so the 3D view is off; generating and downloading still work.');
      return;
    }
    this.program = this.makeProgram();
    this.attachControls();
    new ResizeObserver(() => this.requestRender()).observe(canvas);
    canvas.addEventListener('webglcontextlost', (e) => { e.preventDefault(); hooks.onError?.('The 3D view lost its graphics context; reload the page to get it back.'); });
  }

  get available() { return !!this.gl; }

  makeProgram() {
    const gl = this.gl;
    const compile = (type, source) => {
      const s = gl.createShader(type);
      gl.shaderSource(s, source);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
      return s;
    };
    const p = gl.createProgram();
    gl.attachShader(p, compile(gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(p, compile(gl.FRAGMENT_SHADER, FRAGMENT));
    gl.bindAttribLocation(p, 0, 'aPos');
    gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(p));
    this.uniforms = Object.fromEntries(['uModel', 'uView', 'uProj', 'uColor'].map((n) => [n, gl.getUniformLocation(p, n)]));
    return p;
  }

  /**
   * Adds or replaces a mesh. The arrays are uploaded and may be dropped by the caller.
   * @param {string} id
   * @param {{positions: Float32Array, indices: Uint32Array, color: number[], transform: number[],
   *   bounds: {min: number[], max: number[]}, visible?: boolean}} mesh
   */
  set(id, mesh) {
    this.remove(id);
    if (!this.gl) return;
    const gl = this.gl;
    const vao = gl.createVertexArray();
    gl.bindVertexArray(vao);
    const vbo = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, vbo);
    gl.bufferData(gl.ARRAY_BUFFER, mesh.positions, gl.STATIC_DRAW);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 3, gl.FLOAT, false, 0, 0);
    const ibo = gl.createBuffer();
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, ibo);
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, mesh.indices, gl.STATIC_DRAW);
    gl.bindVertexArray(null);
    let proxy = null;
    if (mesh.proxy?.length) {
      proxy = gl.createBuffer();
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, proxy);
      gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, mesh.proxy, gl.STATIC_DRAW);
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, null);
    }
    this.objects.set(id, {
      vao, vbo, ibo, count: mesh.indices.length, proxy, proxyCount: mesh.proxy?.length ?? 0,
      color: mesh.color, bounds: mesh.bounds, transform: mesh.transform, visible: mesh.visible ?? true,
    });
    this.requestRender();
  }

  remove(id) {
    const o = this.objects.get(id);
    if (!o) return;
    this.gl.deleteBuffer(o.vbo);
    this.gl.deleteBuffer(o.ibo);
    if (o.proxy) this.gl.deleteBuffer(o.proxy);
    this.gl.deleteVertexArray(o.vao);
    this.objects.delete(id);
    this.requestRender();
  }

  clear() { for (const id of [...this.objects.keys()]) this.remove(id); }

  /** Moves and shows or hides meshes: {id: {transform?, visible?}}. */
  place(changes) {
    for (const [id, c] of Object.entries(changes)) {
      const o = this.objects.get(id);
      if (!o) continue;
      if (c.transform) o.transform = c.transform;
      if (c.visible !== undefined) o.visible = c.visible;
    }
    this.requestRender();
  }

  /** Triangles currently drawn (for the page's status line and the tests). */
  get visibleTriangles() {
    let n = 0;
    for (const o of this.objects.values()) if (o.visible) n += o.count / 3;
    return n;
  }

  /** Frames the visible meshes, keeping the viewing direction unless `resetAngles`. */
  fit(resetAngles = false) {
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (const o of this.objects.values()) {
      if (!o.visible) continue;
      for (let i = 0; i < 8; i++) {
        const p = transformPoint(o.transform, [i & 1 ? o.bounds.max[0] : o.bounds.min[0], i & 2 ? o.bounds.max[1] : o.bounds.min[1], i & 4 ? o.bounds.max[2] : o.bounds.min[2]]);
        for (let k = 0; k < 3; k++) { lo[k] = Math.min(lo[k], p[k]); hi[k] = Math.max(hi[k], p[k]); }
      }
    }
    if (!Number.isFinite(lo[0])) return;
    const radius = Math.max(Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) / 2, 1e-3);
    this.camera.target = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
    this.camera.distance = (radius / Math.sin(FOV / 2)) * 1.05;
    this.radius = radius;
    if (resetAngles) { this.camera.yaw = -Math.PI / 3; this.camera.pitch = 0.35; }
    this.home = structuredClone(this.camera);
    this.requestRender();
  }

  resetView() {
    if (this.home) this.camera = structuredClone(this.home);
    this.requestRender();
  }

  /** Resolves after the next frame has been drawn and the GPU has finished it. */
  drawn() {
    return new Promise((resolve) => { this.waiters.push(resolve); this.requestRender(); });
  }

  requestRender() {
    if (this.pending || !this.gl) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.draw(); });
  }

  eye() {
    const { yaw, pitch, distance, target } = this.camera;
    return [target[0] + distance * Math.cos(pitch) * Math.cos(yaw), target[1] + distance * Math.cos(pitch) * Math.sin(yaw), target[2] + distance * Math.sin(pitch)];
  }

  draw() {
    const started = performance.now();
    const gl = this.gl;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) { this.canvas.width = w; this.canvas.height = h; }
    gl.viewport(0, 0, w, h);
    gl.clearColor(0.93, 0.94, 0.96, 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    gl.useProgram(this.program);
    const radius = this.radius ?? 50;
    const near = Math.max(this.camera.distance - radius * 3, this.camera.distance * 0.01, 0.01);
    const far = this.camera.distance + radius * 3;
    gl.uniformMatrix4fv(this.uniforms.uProj, false, perspective(FOV, w / h, near, far));
    // Z is up; looking straight down, the up hint would be parallel to the view, so pitch is clamped.
    gl.uniformMatrix4fv(this.uniforms.uView, false, lookAt(this.eye(), this.camera.target, [0, 0, 1]));
    for (const o of this.objects.values()) {
      if (!o.visible) continue;
      gl.uniformMatrix4fv(this.uniforms.uModel, false, mat4(o.transform));
      gl.uniform3fv(this.uniforms.uColor, o.color);
      gl.bindVertexArray(o.vao);
      // While the view moves, a huge mesh is drawn as its clustered stand-in (same vertices).
      const coarse = this.moving && o.proxy;
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, coarse ? o.proxy : o.ibo);
      gl.drawElements(gl.TRIANGLES, coarse ? o.proxyCount : o.count, gl.UNSIGNED_INT, 0);
    }
    gl.bindVertexArray(null);
    this.lastFrameCoarse = [...this.objects.values()].some((o) => o.visible && o.proxy && this.moving);
    if (this.moving) {
      clearTimeout(this.restTimer);
      this.restTimer = setTimeout(() => { this.moving = false; this.requestRender(); }, 200);
    }
    if (this.waiters.length) {
      // "Drawn" means the GPU has finished the frame, not merely that it was queued. A fence
      // polled from the event loop tells without stalling the page the way reading a pixel would.
      const waiters = this.waiters.splice(0);
      const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
      gl.flush();
      const poll = () => {
        if (gl.clientWaitSync(fence, 0, 0) === gl.TIMEOUT_EXPIRED) { setTimeout(poll, 2); return; }
        gl.deleteSync(fence);
        this.lastFrameMs = performance.now() - started;
        for (const resolve of waiters) resolve();
      };
      poll();
    }
  }

  /**
   * Notes that the view is moving. The full-detail frame follows 200 ms after the last moving
   * frame was drawn (counted from the draw, not the input, so a slow frame cannot let the
   * timer expire between an input and its frame).
   */
  moved() {
    this.moving = true;
    clearTimeout(this.restTimer);
  }

  orbit(dYaw, dPitch) {
    this.moved();
    this.camera.yaw += dYaw;
    this.camera.pitch = Math.max(-1.55, Math.min(1.55, this.camera.pitch + dPitch));
    this.requestRender();
  }

  zoom(factor) {
    this.moved();
    const r = this.radius ?? 50;
    this.camera.distance = Math.max(r * 0.05, Math.min(r * 40, this.camera.distance * factor));
    this.requestRender();
  }

  /** Pans by a screen-space offset in CSS pixels. */
  pan(dx, dy) {
    this.moved();
    const eye = this.eye();
    const forward = normalize(sub(this.camera.target, eye));
    const right = normalize(cross(forward, [0, 0, 1]));
    const up = cross(right, forward);
    const perPixel = (2 * this.camera.distance * Math.tan(FOV / 2)) / Math.max(this.canvas.clientHeight, 1);
    const t = this.camera.target;
    this.camera.target = [0, 1, 2].map((k) => t[k] - right[k] * dx * perPixel + up[k] * dy * perPixel);
    this.requestRender();
  }

  attachControls() {
    const c = this.canvas;
    const pointers = new Map();
    let panning = false;
    let pinch = null;
    c.addEventListener('contextmenu', (e) => e.preventDefault());
    c.addEventListener('pointerdown', (e) => {
      c.setPointerCapture(e.pointerId);
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      panning = e.button === 2 || e.button === 1 || e.shiftKey;
      pinch = null;
    });
    const end = (e) => { pointers.delete(e.pointerId); pinch = null; };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('pointermove', (e) => {
      const p = pointers.get(e.pointerId);
      if (!p) return;
      const dx = e.clientX - p.x;
      const dy = e.clientY - p.y;
      p.x = e.clientX;
      p.y = e.clientY;
      if (pointers.size === 2) {
        // Two fingers: the distance between them zooms, their midpoint pans.
        const [a, b] = [...pointers.values()];
        const spread = Math.hypot(a.x - b.x, a.y - b.y);
        const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
        if (pinch) {
          if (spread > 0 && pinch.spread > 0) this.zoom(pinch.spread / spread);
          this.pan(mid.x - pinch.mid.x, mid.y - pinch.mid.y);
        }
        pinch = { spread, mid };
      } else if (panning || e.shiftKey) {
        this.pan(dx, dy);
      } else {
        this.orbit(-dx * 0.008, dy * 0.008);
      }
    });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const lines = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      this.zoom(Math.exp(e.deltaY * lines * 0.0015));
    }, { passive: false });
    c.addEventListener('keydown', (e) => {
      const step = Math.PI / 24;
      const keys = {
        ArrowLeft: () => (e.shiftKey ? this.pan(20, 0) : this.orbit(step, 0)),
        ArrowRight: () => (e.shiftKey ? this.pan(-20, 0) : this.orbit(-step, 0)),
        ArrowUp: () => (e.shiftKey ? this.pan(0, 20) : this.orbit(0, -step)),
        ArrowDown: () => (e.shiftKey ? this.pan(0, -20) : this.orbit(0, step)),
        '+': () => this.zoom(1 / 1.15), '=': () => this.zoom(1 / 1.15),
        '-': () => this.zoom(1.15), _: () => this.zoom(1.15),
        0: () => this.resetView(),
      };
      const action = keys[e.key];
      if (action) { e.preventDefault(); action(); }
    });
  }
}
