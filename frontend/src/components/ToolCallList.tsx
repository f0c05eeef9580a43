import { summarizeToolCall } from "@/lib/tool-calls";
import type { ToolCall } from "@/lib/types";

export function ToolCallList({ calls }: { calls: ToolCall[] }) {
  if (calls.length === 0) return null;
  return (
    <details className="mt-2 rounded-md border border-slate-200 bg-slate-50 text-sm" open>
      <summary className="cursor-pointer px-3 py-1.5 font-medium text-slate-700">
        {calls.length === 1 ? "1 tool call" : `${calls.length} tool calls`}
      </summary>
      <ul className="space-y-1 px-3 pb-2" aria-label="Tool calls">
        {calls.map((call, index) => {
          const summary = summarizeToolCall(call);
          return (
            <li key={index} className="flex flex-wrap items-baseline gap-x-2">
              <code className="rounded bg-slate-200 px-1.5 py-0.5 text-xs text-slate-800">{call.name}</code>
              <span className={summary.failed ? "text-red-700" : summary.changed ? "text-green-800" : "text-slate-700"}>
                {summary.text}
              </span>
            </li>
          );
        })}
      </ul>
    </details>
  );
}
