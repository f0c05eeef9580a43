// helm test: every URL in SMOKE_URLS must answer 2xx; retried SMOKE_ATTEMPTS times, SMOKE_DELAY_MS apart.
const urls = (process.env.SMOKE_URLS || "").split(/\s+/).filter(Boolean);
const attempts = Number(process.env.SMOKE_ATTEMPTS || "5");
const delay = Number(process.env.SMOKE_DELAY_MS || "2000");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function check(url) {
  let last = "no attempt";
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return { url, ok: true, detail: `HTTP ${res.status} after ${i} attempt(s)` };
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err && err.cause && err.cause.code ? err.cause.code : String(err && err.message);
    }
    if (i < attempts) await sleep(delay);
  }
  return { url, ok: false, detail: `${last} after ${attempts} attempt(s)` };
}
(async () => {
  if (urls.length === 0) {
    console.error("SMOKE_URLS is empty: nothing to check");
    process.exit(2);
  }
  const results = await Promise.all(urls.map(check));
  for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"} ${r.url}: ${r.detail}`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
})();
