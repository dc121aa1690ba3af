/**
 * Keeps ARCHITECTURE.md's one-way flow true: a folder imports only from folders earlier in
 *   core -> data -> matrix -> kernels -> parallel -> model -> train -> recommend -> evaluate
 *   -> index.ts / node.ts -> cli, server
 * and the browser-safe core (everything but node.ts, cli/, server/, parallel's node pool) imports no node:* module.
 */
const order = ["core", "data", "matrix", "kernels", "parallel", "model", "train", "recommend", "evaluate"];
const forbidden = [];
order.forEach((from, i) => {
  const later = order.slice(i + 1).concat(["cli", "server"]);
  forbidden.push({
    name: `no-${from}-to-later`,
    comment: `${from}/ may import only from folders earlier in the order: ${order.slice(0, i).join(", ") || "(none)"}`,
    severity: "error",
    from: { path: `^src/${from}/` },
    to: { path: `^src/(${later.join("|")})/|^src/(index|node)\\.ts$` },
  });
});
forbidden.push(
  {
    name: "browser-safe-core",
    comment: "the core runs in browsers: no node:* imports outside node.ts, cli/, server/ and *-node.ts files",
    severity: "error",
    from: { path: "^src/", pathNot: "^src/(node\\.ts|cli/|server/)|-node\\.ts$" },
    to: { dependencyTypes: ["core"] },
  },
  {
    name: "index-is-browser-safe",
    comment: "index.ts must not pull in node.ts, cli/ or server/",
    severity: "error",
    from: { path: "^src/index\\.ts$" },
    to: { path: "^src/(node\\.ts|cli/|server/)" },
  },
  {
    name: "cli-server-apart",
    comment: "cli/ may start the server, but server/ never imports cli/",
    severity: "error",
    from: { path: "^src/server/" },
    to: { path: "^src/cli/" },
  },
  { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
);
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
  },
};
