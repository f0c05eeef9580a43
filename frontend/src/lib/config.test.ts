import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "./config";

const good = {
  NODE_ENV: "production",
  BACKEND_URL: "http://todo-backend:8000/",
  DATABASE_URL: "postgres://u:p@db:5432/todo",
  BETTER_AUTH_SECRET: "x".repeat(32),
  BETTER_AUTH_URL: "https://todo.example.com/some/path",
};

describe("readConfig", () => {
  it("reads a complete production environment", () => {
    expect(readConfig(good)).toEqual({
      backendUrl: "http://todo-backend:8000",
      databaseUrl: "postgres://u:p@db:5432/todo",
      authSecret: "x".repeat(32),
      authUrl: "https://todo.example.com",
      jwtAudience: "https://todo.example.com",
    });
  });

  it("lets JWT_AUDIENCE override the audience", () => {
    expect(readConfig({ ...good, JWT_AUDIENCE: "todo-api" }).jwtAudience).toBe("todo-api");
  });

  it("defaults the URLs outside production only", () => {
    const dev = readConfig({ DATABASE_URL: good.DATABASE_URL, BETTER_AUTH_SECRET: good.BETTER_AUTH_SECRET });
    expect(dev.backendUrl).toBe("http://localhost:8000");
    expect(dev.authUrl).toBe("http://localhost:3000");
    expect(() => readConfig({ ...good, BACKEND_URL: undefined })).toThrow(/BACKEND_URL is not set/);
    expect(() => readConfig({ ...good, BETTER_AUTH_URL: "" })).toThrow(/BETTER_AUTH_URL is not set/);
  });

  it.each([
    ["DATABASE_URL", undefined, /DATABASE_URL is not set.*npm run dev/],
    ["DATABASE_URL", "mysql://x", /must start with "postgres:\/\/"/],
    ["BETTER_AUTH_SECRET", undefined, /BETTER_AUTH_SECRET is not set.*openssl rand/],
    ["BETTER_AUTH_SECRET", "short", /shorter than 32/],
    ["BACKEND_URL", "todo-backend:8000", /BACKEND_URL must be an http\(s\) URL/],
    ["BETTER_AUTH_URL", "ftp://x", /BETTER_AUTH_URL must be an http\(s\) URL/],
  ])("rejects %s=%s with a fix", (name, value, message) => {
    const run = () => readConfig({ ...good, [name]: value });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });
});
