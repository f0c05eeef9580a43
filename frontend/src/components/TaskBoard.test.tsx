import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import type { ActionResult, Task } from "@/lib/types";
import { TaskBoard, type FormAction, type TaskActions } from "./TaskBoard";

afterEach(cleanup);

function task(id: number, title: string, completed = false, description: string | null = null): Task {
  return { id, user_id: "u1", title, description, completed, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" };
}

/** A recording action: remembers each FormData it got and answers `reply`. */
function recorder(reply: ActionResult = { ok: true }) {
  const calls: Record<string, string>[] = [];
  const action: FormAction = async (_prev, form) => {
    calls.push(Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v)])));
    return reply;
  };
  return { calls, action };
}

function actions(overrides: Partial<TaskActions> = {}): TaskActions {
  return {
    create: recorder().action,
    update: recorder().action,
    setCompleted: recorder().action,
    remove: recorder().action,
    ...overrides,
  };
}

describe("TaskBoard", () => {
  it("shows an empty state that fits the filter", () => {
    const { rerender } = render(<TaskBoard tasks={[]} status="all" actions={actions()} />);
    expect(screen.getByText(/No tasks yet/)).toBeTruthy();
    rerender(<TaskBoard tasks={[]} status="pending" actions={actions()} />);
    expect(screen.getByText(/Nothing pending/)).toBeTruthy();
  });

  it("marks the active filter for assistive technology", () => {
    render(<TaskBoard tasks={[]} status="completed" actions={actions()} />);
    const filters = screen.getByRole("navigation", { name: "Filter tasks" });
    expect(within(filters).getByRole("link", { name: "Completed" }).getAttribute("aria-current")).toBe("page");
    expect(within(filters).getByRole("link", { name: "Pending" }).getAttribute("href")).toBe("/tasks?status=pending");
  });

  it("shows a load error where the list would be", () => {
    render(<TaskBoard tasks={[]} status="all" actions={actions()} loadError="The task service is unreachable." />);
    expect(screen.getByRole("alert").textContent).toBe("The task service is unreachable.");
  });

  it("links to older tasks when the backend says more follow, and back to the newest from a later page", () => {
    const { rerender } = render(<TaskBoard tasks={[task(1, "a")]} status="pending" actions={actions()} page={{ nextCursor: "c2" }} />);
    const pages = screen.getByRole("navigation", { name: "Task pages" });
    expect(within(pages).getByRole("link", { name: /older tasks/i }).getAttribute("href")).toBe("/tasks?status=pending&cursor=c2");
    expect(within(pages).queryByRole("link", { name: /newest tasks/i })).toBeNull();

    rerender(<TaskBoard tasks={[task(2, "b")]} status="all" actions={actions()} page={{ cursor: "c2" }} />);
    expect(screen.getByRole("link", { name: /newest tasks/i }).getAttribute("href")).toBe("/tasks");
    expect(screen.queryByRole("link", { name: /older tasks/i })).toBeNull();

    rerender(<TaskBoard tasks={[task(3, "c")]} status="all" actions={actions()} />);
    expect(screen.queryByRole("navigation", { name: "Task pages" })).toBeNull();
  });

  it("lists tasks with their descriptions and completion state", () => {
    render(<TaskBoard tasks={[task(1, "buy milk", false, "2 litres"), task(2, "call mom", true)]} status="all" actions={actions()} />);
    const items = screen.getAllByRole("listitem").filter((li) => li.textContent?.includes("#"));
    expect(items).toHaveLength(2);
    expect(screen.getByText("2 litres")).toBeTruthy();
    expect((screen.getByRole("checkbox", { name: "Mark “call mom” as pending" }) as HTMLInputElement).checked).toBe(true);
  });

  it("adds a task through the labelled form and reports the result", async () => {
    const create = recorder({ ok: true, message: "Added “buy milk”." });
    render(<TaskBoard tasks={[]} status="all" actions={actions({ create: create.action })} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Title"), "buy milk");
    await user.type(screen.getByLabelText(/Description/), "2 litres");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    await screen.findByText("Added “buy milk”.");
    expect(create.calls).toEqual([{ title: "buy milk", description: "2 litres" }]);
  });

  it("shows the action's error next to the add form", async () => {
    const create = recorder({ ok: false, error: "The task service is unreachable." });
    render(<TaskBoard tasks={[]} status="all" actions={actions({ create: create.action })} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Title"), "buy milk{Enter}");
    expect((await screen.findByRole("alert")).textContent).toBe("The task service is unreachable.");
    expect(create.calls).toEqual([{ title: "buy milk", description: "" }]);
  });

  it("keeps what was typed when adding fails", async () => {
    const create = recorder({ ok: false, error: "The task service is unreachable.", fields: { title: "buy milk", description: "2 litres" } });
    render(<TaskBoard tasks={[]} status="all" actions={actions({ create: create.action })} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Description/), "2 litres");
    await user.type(screen.getByLabelText("Title"), "buy milk{Enter}");
    await screen.findByRole("alert");
    expect((screen.getByLabelText("Title") as HTMLInputElement).value).toBe("buy milk");
    expect((screen.getByLabelText(/Description/) as HTMLInputElement).value).toBe("2 litres");
  });

  it("shows a toggled task as done at once, while the action runs", async () => {
    let finish: (r: ActionResult) => void = () => undefined;
    const setCompleted: FormAction = () => new Promise((resolve) => (finish = resolve));
    render(<TaskBoard tasks={[task(3, "buy milk")]} status="all" actions={actions({ setCompleted })} />);
    await userEvent.setup().click(screen.getByRole("checkbox", { name: "Mark “buy milk” as completed" }));
    const box = (await screen.findByRole("checkbox", { name: "Mark “buy milk” as pending" })) as HTMLInputElement;
    expect(box.checked).toBe(true);
    finish({ ok: false, error: "Task 3 not found" });
    // The server said no and the task list did not change: the checkbox goes back.
    expect((await screen.findByRole("alert")).textContent).toBe("Task 3 not found");
    expect((screen.getByRole("checkbox", { name: "Mark “buy milk” as completed" }) as HTMLInputElement).checked).toBe(false);
  });

  it("completes a task from the keyboard", async () => {
    const setCompleted = recorder();
    render(<TaskBoard tasks={[task(3, "buy milk")]} status="all" actions={actions({ setCompleted: setCompleted.action })} />);
    const user = userEvent.setup();
    const box = screen.getByRole("checkbox", { name: "Mark “buy milk” as completed" });
    box.focus();
    await user.keyboard(" ");
    await waitFor(() => expect(setCompleted.calls).toEqual([{ id: "3", completed: "true" }]));
  });

  it("deletes a task and shows a failure in its row", async () => {
    const remove = recorder({ ok: false, error: "Task 3 not found" });
    render(<TaskBoard tasks={[task(3, "buy milk")]} status="all" actions={actions({ remove: remove.action })} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Delete “buy milk”" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Task 3 not found");
    expect(remove.calls).toEqual([{ id: "3" }]);
  });

  it("edits a task inline, focusing the title and closing on save", async () => {
    const update = recorder({ ok: true, message: "Saved." });
    render(<TaskBoard tasks={[task(5, "buy milk")]} status="all" actions={actions({ update: update.action })} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Edit “buy milk”" }));
    const form = screen.getByRole("form", { name: "Edit task #5" });
    const title = within(form).getByLabelText("Title");
    expect(document.activeElement).toBe(title);
    await user.clear(title);
    await user.type(title, "buy oat milk");
    await user.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("form", { name: "Edit task #5" })).toBeNull());
    expect(update.calls).toEqual([{ id: "5", title: "buy oat milk", description: "" }]);
  });

  it("cancels editing with Escape without saving", async () => {
    const update = recorder();
    render(<TaskBoard tasks={[task(5, "buy milk")]} status="all" actions={actions({ update: update.action })} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Edit “buy milk”" }));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("form", { name: "Edit task #5" })).toBeNull();
    expect(update.calls).toEqual([]);
  });

  it("keeps the edit form open and shows why when saving fails", async () => {
    const update = recorder({ ok: false, error: "Keep the title under 200 characters." });
    render(<TaskBoard tasks={[task(5, "buy milk")]} status="all" actions={actions({ update: update.action })} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Edit “buy milk”" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Keep the title under 200 characters.");
    expect(screen.getByRole("form", { name: "Edit task #5" })).toBeTruthy();
  });
});
