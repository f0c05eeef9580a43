// bench:api's load generator: autocannon in a worker thread, so the servers'
// event loop (the main thread) serves requests only. Run outside the main
// thread, autocannon answers its raw result, whose latency histogram the main
// thread merges across the slices of one row (autocannon.aggregateResult).
import { parentPort } from "node:worker_threads";
import autocannon from "autocannon";

parentPort.on("message", async (options) => {
  try {
    parentPort.postMessage({ result: await autocannon(options) });
  } catch (err) {
    parentPort.postMessage({ error: String(err) });
  }
});
