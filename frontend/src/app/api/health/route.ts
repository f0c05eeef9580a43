// Liveness/readiness probe target: answers without touching the database or
// the backend, so a slow dependency never gets this pod restarted.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
