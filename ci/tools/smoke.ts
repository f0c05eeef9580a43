// The HTTP smoke test of a deployed release: sign up through the frontend's
// Better Auth, take the JWT it issues, then add a task and chat with the
// backend as that user. Nothing here knows about the cluster: the caller
// provides reachable URLs (a NodePort, or a port-forward).
export interface SmokeStep {
  name: string;
  ok: boolean;
  detail: string;
}

async function call(url: string, init: RequestInit & { expect: number }): Promise<{ res: Response; body: any }> {
  // The first request to a pod that just rolled out compiles its route and, for sign-up, hashes a
  // password and loads the strength estimator's dictionaries: seconds on a small CPU limit.
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  if (res.status !== init.expect) throw new Error(`${init.method ?? "GET"} ${url} answered ${res.status}, expected ${init.expect}: ${text.slice(0, 200)}`);
  return { res, body };
}

/**
 * Signs a new user up with Better Auth (email + password) and returns the user
 * id and a JWT for the backend. `origin` is the app's public URL
 * (BETTER_AUTH_URL): Better Auth refuses a POST without an Origin it trusts
 * (403 MISSING_OR_NULL_ORIGIN), and a port-forward's address is not one.
 */
export async function signUpAndGetToken(frontendUrl: string, email: string, password: string, origin?: string): Promise<{ userId: string; token: string }> {
  const signUp = await call(`${frontendUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
    body: JSON.stringify({ email, password, name: "Smoke Test" }),
    expect: 200,
  });
  const cookie = signUp.res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const token = await call(`${frontendUrl}/api/auth/token`, { headers: { cookie }, expect: 200 });
  return { userId: signUp.body.user.id as string, token: token.body.token as string };
}

export async function smokeBackend(backendUrl: string, userId: string, token: string): Promise<SmokeStep[]> {
  const steps: SmokeStep[] = [];
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const step = async (name: string, fn: () => Promise<string>) => {
    try {
      steps.push({ name, ok: true, detail: await fn() });
    } catch (err) {
      steps.push({ name, ok: false, detail: (err as Error).message });
    }
  };
  await step("backend ready", async () => (await call(`${backendUrl}/ready`, { expect: 200 })).body.status);
  await step("add a task", async () => {
    const { body } = await call(`${backendUrl}/api/${userId}/tasks`, { method: "POST", headers: auth, body: JSON.stringify({ title: "smoke: buy milk" }), expect: 201 });
    return `task ${body.id} "${body.title}"`;
  });
  await step("chat", async () => {
    const { body } = await call(`${backendUrl}/api/${userId}/chat`, { method: "POST", headers: auth, body: JSON.stringify({ message: "what's pending?" }), expect: 200 });
    if (!String(body.response).includes("smoke: buy milk")) throw new Error(`the agent's answer does not list the task: ${body.response}`);
    return body.response.split("\n")[0];
  });
  return steps;
}
