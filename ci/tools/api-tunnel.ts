// Reaching a cluster whose kubeconfig names a loopback API server (Minikube,
// kind, the local cluster of scripts/cluster) from a container in the engine:
// the engine tunnels the host's port in as a service bound to API_TUNNEL_HOST
// (`dagger call deploy --kube-api tcp://127.0.0.1:PORT`), and this forwarder
// listens on the kubeconfig's own address inside the container. The kubeconfig
// is not rewritten, so the server certificate's 127.0.0.1 still matches.
//   tsx ci/tools/api-tunnel.ts   (reads KUBECONFIG, KUBE_CONTEXT, API_TUNNEL_HOST; touches READY_FILE when listening)
import { readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { loopbackApiServer } from "./kubeconfig.js";

const kubeconfig = process.env.KUBECONFIG ?? `${process.env.HOME}/.kube/config`;
const server = loopbackApiServer(readFileSync(kubeconfig, "utf8"), process.env.KUBE_CONTEXT || undefined);
const target = process.env.API_TUNNEL_HOST ?? "kube-api";
if (!server) {
  console.error(`api-tunnel: ${kubeconfig} names no loopback API server; nothing to forward`);
  if (process.env.READY_FILE) writeFileSync(process.env.READY_FILE, "");
} else {
  createServer((client) => {
    const upstream = connect(server.port, target);
    client.pipe(upstream).pipe(client);
    const close = () => (client.destroy(), upstream.destroy());
    client.on("error", close);
    upstream.on("error", (err) => (console.error(`api-tunnel: ${target}:${server.port}: ${err.message}`), close()));
  }).listen(server.port, server.host, () => {
    console.error(`api-tunnel: ${server.host}:${server.port} → ${target}:${server.port}`);
    if (process.env.READY_FILE) writeFileSync(process.env.READY_FILE, "");
  });
}
