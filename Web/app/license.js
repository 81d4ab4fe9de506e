// Licenses: the server's trial/validate/generations API, and offline verification of a key
// with the server's Ed25519 public key (the key format of VitrineKit's LicenseKey.swift:
// "VTR-" + Crockford base32 of a 30-byte payload and its 64-byte signature over
// "vitrine-license-v1" + payload). Time and storage are passed in, so tests can fix them.

export const STORAGE_KEY = 'vitrine-license';
export const PUBLIC_KEY_STORAGE = 'vitrine-license-public-key';
const API = '/api/v1';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const PAYLOAD_BYTES = 30;
const SYMBOLS = Math.floor(((PAYLOAD_BYTES + 64) * 8 + 4) / 5);
const CONTEXT = new TextEncoder().encode('vitrine-license-v1');
export const TIERS = ['trial', 'monthly', 'annual', 'lifetime'];
const TIER_NAMES = { trial: 'Trial', monthly: 'Pro (monthly)', annual: 'Pro (annual)', lifetime: 'Pro (lifetime)' };

export function tierName(tier) { return TIER_NAMES[tier] ?? tier; }

/** A license problem worded for the person at the keyboard. */
export class LicenseError extends Error {
  constructor(message, code = 'invalid') {
    super(message);
    this.name = 'LicenseError';
    this.code = code;
  }
}

/** The network failed (offline, server gone), as opposed to the server answering no. */
export class OfflineError extends Error {
  constructor(cause) {
    super('the Vitrine server cannot be reached');
    this.name = 'OfflineError';
    this.cause = cause;
  }
}

function symbolValue(c) {
  const u = c.toUpperCase();
  if (u === 'O') return 0;
  if (u === 'I' || u === 'L') return 1;
  const i = ALPHABET.indexOf(u);
  return i < 0 ? null : i;
}

/**
 * Splits a typed key into payload and signature and reads the payload (no signature check).
 * Mirrors LicenseKey.split/parse, with the same wording for mistakes.
 */
export function decodeKey(text) {
  const trimmed = String(text).trim();
  if (trimmed.slice(0, 3).toUpperCase() !== 'VTR') throw new LicenseError('a license key starts with VTR-');
  const values = [];
  [...trimmed.slice(3)].forEach((c, offset) => {
    if (c === '-' || c === ' ' || c === '\n' || c === '\t') return;
    const v = symbolValue(c);
    if (v === null) throw new LicenseError(`character ${offset + 4} ('${c}') is not part of a license key (digits and letters except U)`);
    values.push(v);
  });
  if (values.length < SYMBOLS) throw new LicenseError(`the key is truncated: ${values.length} of ${SYMBOLS} characters (not counting dashes)`);
  if (values.length > SYMBOLS) throw new LicenseError(`the key is too long: ${values.length} characters, a key has ${SYMBOLS} (not counting dashes)`);
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const v of values) {
    buffer = ((buffer << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) { bits -= 8; bytes.push((buffer >> bits) & 0xff); }
  }
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) throw new LicenseError("the key's signature does not match its contents: it was mistyped or altered");
  const b = Uint8Array.from(bytes);
  const body = b.slice(0, PAYLOAD_BYTES);
  const signature = b.slice(PAYLOAD_BYTES);
  if (body[0] !== 1) throw new LicenseError(`key format version ${body[0]} is not supported`);
  const tier = TIERS[body[21]];
  if (!tier) throw new LicenseError(`the key names tier ${body[21]}, which this page does not know`);
  const u32 = (i) => ((body[i] << 24) | (body[i + 1] << 16) | (body[i + 2] << 8) | body[i + 3]) >>> 0;
  const expires = u32(26);
  return {
    body, signature, tier,
    keyId: [...body.slice(1, 5)].map((x) => x.toString(16).padStart(2, '0')).join(''),
    issuedAt: new Date(u32(22) * 1000),
    expiresAt: expires === 0 ? null : new Date(expires * 1000),
  };
}

function base64Bytes(text) {
  const raw = atob(text);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/**
 * Checks a key's signature with the server's public key, without the server.
 * @param {string} key
 * @param {{public_key: string}} publicKey as served by GET /api/v1/license/public-key
 * @param {Date} now
 * @returns {Promise<{tier: string, expiresAt: Date|null}>}
 * @throws {LicenseError}
 */
export async function verifyOffline(key, publicKey, now) {
  const decoded = decodeKey(key);
  if (!publicKey?.public_key) throw new LicenseError('this browser has not seen the server\'s public key yet, so it cannot check the key offline; connect once with the key saved', 'no-public-key');
  const raw = base64Bytes(publicKey.public_key);
  const id = new Uint8Array(await crypto.subtle.digest('SHA-256', raw)).slice(0, 4);
  const idHex = [...id].map((x) => x.toString(16).padStart(2, '0')).join('');
  if (idHex !== decoded.keyId) throw new LicenseError(`the key was issued by another Vitrine server (key id ${decoded.keyId}, this server's is ${idHex})`);
  let ok;
  try {
    const cryptoKey = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    const signed = new Uint8Array(CONTEXT.length + decoded.body.length);
    signed.set(CONTEXT);
    signed.set(decoded.body, CONTEXT.length);
    ok = await crypto.subtle.verify({ name: 'Ed25519' }, cryptoKey, decoded.signature, signed);
  } catch (error) {
    throw new LicenseError(`this browser cannot check Ed25519 signatures (${error.message}), so the key cannot be verified offline`, 'no-ed25519');
  }
  if (!ok) throw new LicenseError("the key's signature does not match its contents: it was mistyped or altered");
  if (decoded.expiresAt && decoded.expiresAt <= now) throw new LicenseError(`this license expired on ${decoded.expiresAt.toISOString().slice(0, 10)}`, 'expired');
  return { tier: decoded.tier, expiresAt: decoded.expiresAt };
}

async function call(path, { method = 'POST', body } = {}) {
  let response;
  try {
    response = await fetch(API + path, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      cache: 'no-store',
    });
  } catch (error) {
    throw new OfflineError(error);
  }
  let data = null;
  try { data = await response.json(); } catch { /* an empty or non-JSON answer */ }
  if (!response.ok) {
    // A proxy or an offline service worker can answer 502/503/504: that is "unreachable" too.
    if ([502, 503, 504].includes(response.status)) throw new OfflineError(new Error(`HTTP ${response.status}`));
    throw new LicenseError(data?.reason || `the server answered HTTP ${response.status}`, data?.error || 'http');
  }
  return data;
}

const REFUSALS = {
  exhausted: 'Your trial\'s 3 generations are used up. A Pro license makes unlimited cases without the trial mark.',
  revoked: 'This license was revoked, so it cannot generate cases.',
  expired: 'This license has expired, so it cannot generate cases. Renew it to continue.',
};

/**
 * The license flow, with its storage and clock injected.
 * @param {{storage?: Storage, now?: () => Date}} [deps]
 */
export function licenseClient({ storage = localStorage, now = () => new Date() } = {}) {
  const savedKey = () => storage.getItem(STORAGE_KEY);
  const publicKey = () => { try { return JSON.parse(storage.getItem(PUBLIC_KEY_STORAGE)); } catch { return null; } };

  async function refreshPublicKey() {
    try {
      const key = await call('/license/public-key', { method: 'GET' });
      if (key?.public_key) storage.setItem(PUBLIC_KEY_STORAGE, JSON.stringify(key));
    } catch { /* keep the one we had: it is what offline checks need */ }
  }

  return {
    savedKey,
    forget() { storage.removeItem(STORAGE_KEY); },

    /** Asks for a trial key by mail. */
    async startTrial(email) {
      const data = await call('/trial', { body: { email } });
      return data?.message || 'If this address can start a trial, its license key is on its way by email.';
    },

    /**
     * Checks and saves a key. Online: the server's answer; offline: the signature.
     * @returns {Promise<{tier, valid, generationsLeft, expiresAt, offline}>}
     */
    async save(key) {
      const canonical = key.trim();
      decodeKey(canonical);  // mistakes are named before anything is sent
      const status = await this.status(canonical);
      storage.setItem(STORAGE_KEY, canonical);
      return status;
    },

    /** What the saved (or given) key is: tier, generations left, validity. */
    async status(key = savedKey()) {
      if (!key) return null;
      try {
        const data = await call('/license/validate', { body: { key } });
        refreshPublicKey();
        return {
          tier: data.tier, valid: data.valid, status: data.status, generationsLeft: data.generations_left,
          expiresAt: data.expires_at ? new Date(data.expires_at) : null, offline: false,
        };
      } catch (error) {
        if (!(error instanceof OfflineError)) throw error;
        const decoded = decodeKey(key);
        let verified = false;
        try { await verifyOffline(key, publicKey(), now()); verified = true; } catch { /* shown as unverified */ }
        return { tier: decoded.tier, valid: verified, generationsLeft: null, expiresAt: decoded.expiresAt, offline: true };
      }
    },

    /**
     * Asks whether one more case may be generated, counting it on the server.
     * @returns {Promise<{allowed: true, mark: boolean|string, generationsLeft: number|null, offline: boolean}
     *   | {allowed: false, message: string}>}
     */
    async authorize() {
      const key = savedKey();
      if (!key) return { allowed: false, message: 'Generating a case needs a license: start a free trial with your email, or paste your key below.' };
      try {
        const data = await call('/license/generations', { body: { key } });
        if (!data.allowed) return { allowed: false, message: REFUSALS[data.reason] || `The server refused this generation (${data.reason || 'no reason given'}).` };
        return { allowed: true, mark: typeof data.mark === 'string' && data.mark ? data.mark : !!data.mark, generationsLeft: data.generations_left ?? null, offline: false };
      } catch (error) {
        if (error instanceof LicenseError) return { allowed: false, message: `The license server refused the key: ${error.message}.` };
        if (!(error instanceof OfflineError)) throw error;
      }
      // Offline: a Pro key carries its own proof; a trial is counted by the server only.
      let decoded;
      try { decoded = decodeKey(key); } catch (error) { return { allowed: false, message: `The saved key is not valid: ${error.message}.` }; }
      if (decoded.tier === 'trial') {
        return { allowed: false, message: 'You are offline. A trial counts its 3 generations on the Vitrine server, so it cannot generate until you are back online (a Pro key works offline).' };
      }
      try {
        await verifyOffline(key, publicKey(), now());
      } catch (error) {
        return { allowed: false, message: `You are offline and the key could not be checked: ${error.message}.` };
      }
      return { allowed: true, mark: false, generationsLeft: null, offline: true };
    },
  };
}
