import { describe, expect, it } from "vitest";
import { debianMirror, parseAptSources } from "./apt-sources.js";

const deb822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example.com/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.com/debian-security
Suites: bookworm-security
Components: main
`;

describe("debianMirror", () => {
  it("takes the deb822 source that carries the suite's main component", () => {
    expect(debianMirror({ "/etc/apt/sources.list.d/debian.sources": deb822 }, "bookworm")).toBe("http://mirror.example.com/debian");
  });

  it("reads one-line sources.list, skipping comments, deb-src and options", () => {
    const list = "# deb http://old.example.com/debian bookworm main\ndeb-src http://src.example.com/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://apt.example.com/debian bookworm main contrib\n";
    expect(debianMirror({ "/etc/apt/sources.list": list }, "bookworm")).toBe("http://apt.example.com/debian");
  });

  it("skips disabled stanzas and sources of other suites or components", () => {
    const files = {
      "/etc/apt/sources.list.d/a.sources": "Enabled: no\nTypes: deb\nURIs: http://off.example.com/debian\nSuites: bookworm\nComponents: main\n",
      "/etc/apt/sources.list.d/b.list": "deb https://vendor.example.com/apt nodistro main\n",
      "/etc/apt/sources.list.d/c.sources": deb822,
    };
    expect(parseAptSources(files)).toHaveLength(4);
    expect(debianMirror(files, "bookworm")).toBe("http://mirror.example.com/debian");
  });

  it("names the files it read and the fix when no source carries the suite", () => {
    expect(() => debianMirror({ "/etc/apt/sources.list": "" }, "trixie")).toThrow(/no apt source for Debian trixie main in \/etc\/apt\/sources\.list: add one/);
  });
});
