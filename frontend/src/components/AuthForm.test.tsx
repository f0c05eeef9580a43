import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import type { ActionResult } from "@/lib/types";
import { AuthForm } from "./AuthForm";

afterEach(cleanup);

describe("AuthForm", () => {
  it("signs up with labelled fields and shows the server's refusal", async () => {
    const seen: Record<string, string>[] = [];
    const action = async (_prev: ActionResult | null, form: FormData): Promise<ActionResult> => {
      seen.push(Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v)])));
      return { ok: false, error: "User already exists. Use another email.", fields: { name: "Ada", email: "ada@example.com" } };
    };
    render(<AuthForm mode="sign-up" action={action} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Name"), "Ada");
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect((await screen.findByRole("alert")).textContent).toBe("User already exists. Use another email.");
    expect(seen).toEqual([{ name: "Ada", email: "ada@example.com", password: "correct horse" }]);
    expect(screen.getByLabelText("Password").getAttribute("autocomplete")).toBe("new-password");
    // What was typed survives the failed attempt (the password is never echoed back).
    expect((screen.getByLabelText("Email") as HTMLInputElement).value).toBe("ada@example.com");
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("Ada");
  });

  it("signs in without a name field and links to sign up", () => {
    render(<AuthForm mode="sign-in" action={async () => ({ ok: true })} />);
    expect(screen.queryByLabelText("Name")).toBeNull();
    expect(screen.getByLabelText("Password").getAttribute("autocomplete")).toBe("current-password");
    expect(screen.getByRole("link", { name: "Create an account" }).getAttribute("href")).toBe("/sign-up");
  });
});
