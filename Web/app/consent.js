// Consent and analytics. The choice lives in one strictly necessary cookie; until it says
// "granted", `track` does nothing at all (no queue that is sent later). Events go to this
// page's own server only and carry names and small counts, never file contents or names.

export const COOKIE = 'vitrine_consent_v1';
const ENDPOINT = '/api/v1/analytics';
const HALF_YEAR = 183 * 24 * 3600;

/** 'granted', 'denied' or null (not asked yet). */
export function readConsent(cookies = document.cookie) {
  const match = cookies.split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`));
  const value = match?.slice(COOKIE.length + 1);
  return value === 'granted' || value === 'denied' ? value : null;
}

function writeConsent(value) {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${COOKIE}=${value}; Path=/; Max-Age=${HALF_YEAR}; SameSite=Lax${secure}`;
}

/**
 * Wires the banner and returns `track(event, props)`.
 * @param {{banner: HTMLElement, accept: HTMLElement, decline: HTMLElement, reopen: HTMLElement, status?: HTMLElement}} ui
 */
export function setUpConsent(ui, { send = defaultSend } = {}) {
  let pageViewSent = false;
  const granted = () => readConsent() === 'granted';
  const track = (event, props = {}) => {
    if (!granted()) return;
    send({ event, props });
  };
  const pageView = () => {
    if (pageViewSent) return;
    pageViewSent = true;
    track('page_view', { path: location.pathname });
  };
  const show = () => {
    ui.banner.hidden = false;
    ui.accept.focus();
  };
  const choose = (value) => {
    writeConsent(value);
    ui.banner.hidden = true;
    if (ui.status) ui.status.textContent = value === 'granted' ? 'Anonymous usage counts: on.' : 'Anonymous usage counts: off.';
    if (value === 'granted') pageView();
  };
  ui.accept.addEventListener('click', () => choose('granted'));
  ui.decline.addEventListener('click', () => choose('denied'));
  ui.reopen.addEventListener('click', show);
  ui.banner.addEventListener('keydown', (e) => { if (e.key === 'Escape' && readConsent()) ui.banner.hidden = true; });
  const current = readConsent();
  if (current === null) ui.banner.hidden = false;
  else if (ui.status) ui.status.textContent = current === 'granted' ? 'Anonymous usage counts: on.' : 'Anonymous usage counts: off.';
  if (current === 'granted') pageView();
  return track;
}

function defaultSend(body) {
  // keepalive lets a count sent just before leaving the page still arrive; failures are ignored
  // (analytics never gets in the way).
  fetch(ENDPOINT, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), keepalive: true })
    .catch(() => {});
}
