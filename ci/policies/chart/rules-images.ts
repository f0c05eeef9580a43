// Every image is pinned: a sha256 digest, or an explicit tag that is not `latest`.
import type { Rule } from "./context.js";
import { finding, type Finding } from "./types.js";
import { allContainers, parseImage, podTemplates } from "./workloads.js";

export const checkImagesPinned: Rule = (manifests) => {
  const out: Finding[] = [];
  for (const t of podTemplates(manifests)) {
    for (const { c, path } of allContainers(t.spec)) {
      const at = `${t.specPath}.${path}.image`;
      const name = c.name ?? path;
      if (!c.image) {
        out.push(finding(t.owner, { rule: "images/pinned", path: at, message: `container ${name} has no image`, fix: "set the image" }));
        continue;
      }
      const ref = parseImage(c.image);
      if (ref.digest !== undefined) {
        if (!/^sha256:[0-9a-f]{64}$/.test(ref.digest)) {
          out.push(finding(t.owner, { rule: "images/pinned", path: at, message: `image ${c.image} has a malformed digest`, fix: "use @sha256:<64 hex digits>" }));
        }
        continue;
      }
      if (ref.tag === undefined || ref.tag === "") {
        out.push(finding(t.owner, { rule: "images/pinned", path: at, message: `image ${c.image} has neither tag nor digest (so it means latest)`, fix: "pin a digest or an explicit version tag" }));
      } else if (/^latest$/i.test(ref.tag)) {
        out.push(finding(t.owner, { rule: "images/pinned", path: at, message: `image ${c.image} uses the latest tag`, fix: "pin a digest or an explicit version tag" }));
      }
    }
  }
  return out;
};
