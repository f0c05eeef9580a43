import { describe, expect, it } from "vitest";
import { summarizeToolCall } from "./tool-calls";

describe("summarizeToolCall", () => {
  it("says which task was added, from the tool result", () => {
    const s = summarizeToolCall({ name: "add_task", arguments: { title: "buy milk" }, result: { task_id: 4, status: "created", title: "buy milk" } });
    expect(s).toEqual({ text: "Added task #4 “buy milk”", changed: true, failed: false });
  });

  it("reads a task nested under result.task", () => {
    const s = summarizeToolCall({ name: "update_task", arguments: { task_id: 2 }, result: { task: { id: 2, title: "call mom" } } });
    expect(s.text).toBe("Updated task #2 “call mom”");
  });

  it("says what a rename changed", () => {
    const s = summarizeToolCall({
      name: "update_task",
      arguments: { task_id: 2, title: "call mom" },
      result: { task_id: 2, status: "updated", title: "call mom", previous_title: "call dad" },
    });
    expect(s.text).toBe("Renamed task #2 “call dad” to “call mom”");
  });

  it("tells completed from re-opened", () => {
    expect(summarizeToolCall({ name: "complete_task", arguments: { task_id: 3 }, result: { id: 3, title: "x", completed: true } }).text).toBe(
      "Marked task #3 “x” as completed",
    );
    expect(summarizeToolCall({ name: "complete_task", arguments: { task_id: 3 }, result: { id: 3, title: "x", completed: false } }).text).toBe(
      "Marked task #3 “x” as pending",
    );
  });

  it("falls back to the arguments when the result carries no task", () => {
    expect(summarizeToolCall({ name: "delete_task", arguments: { task_id: 9 }, result: { status: "deleted" } }).text).toBe("Deleted task #9");
  });

  it("counts listed tasks and marks listing as no change", () => {
    const s = summarizeToolCall({ name: "list_tasks", arguments: { status: "pending" }, result: [{ id: 1 }, { id: 2 }] });
    expect(s).toEqual({ text: "Listed 2 pending tasks", changed: false, failed: false });
    expect(summarizeToolCall({ name: "list_tasks", arguments: {}, result: { tasks: [{ id: 1 }] } }).text).toBe("Listed 1 task");
  });

  it("reports a failed call with the tool's message", () => {
    const s = summarizeToolCall({ name: "complete_task", arguments: { task_id: 99 }, result: { error: { code: "not_found", message: "Task 99 not found" } } });
    expect(s).toEqual({ text: "complete_task failed: Task 99 not found", changed: false, failed: true });
  });

  it("names unknown tools instead of guessing", () => {
    expect(summarizeToolCall({ name: "weather", arguments: {}, result: {} }).text).toBe("Called weather");
  });
});
