// Dev-only secrets, generated on first run into the git-ignored .data/ folder
// and reused afterwards (so sessions survive a restart). Never used in images.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface DevSecrets {
  BETTER_AUTH_SECRET: string;
}

export function loadOrCreateDevSecrets(file: string): DevSecrets {
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<DevSecrets>;
    if (typeof parsed.BETTER_AUTH_SECRET === "string" && parsed.BETTER_AUTH_SECRET.length >= 32) {
      return { BETTER_AUTH_SECRET: parsed.BETTER_AUTH_SECRET };
    }
  }
  const secrets: DevSecrets = { BETTER_AUTH_SECRET: randomBytes(32).toString("base64url") };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
