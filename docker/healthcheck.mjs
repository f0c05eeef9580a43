// HEALTHCHECK of both images, run by the image's own node (no shell or curl in
// a distroless image): exit 0 when GET http://127.0.0.1:$PORT$HEALTH_PATH
// answers 2xx within the timeout, 1 otherwise.
const port = process.env.PORT;
const path = process.env.HEALTH_PATH ?? "/";
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 3000);
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) console.error(`health ${path}: HTTP ${res.status}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`health ${path}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
