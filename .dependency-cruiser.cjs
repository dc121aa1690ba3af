/**
 * Keeps ARCHITECTURE.md's one-way flow true: a folder imports only from folders earlier in
 *   core -> data -> matrix -> kernels -> parallel -> model -> train -> recommend -> evaluate
 *   -> index.ts / internal.ts / node.ts -> cli
 * and the browser-safe core (everything but node.ts, cli/, parallel's node pool) imports no node:* module.
 * The service (packages/server/src, package mfrec-server) imports the library only through the packages
 * mfrec, mfrec/node and mfrec/internal, never through relative paths into src/.
 */
const order = ["core", "data", "matrix", "kernels", "parallel", "model", "train", "recommend", "evaluate"];
const forbidden = [];
order.forEach((from, i) => {
  const later = order.slice(i + 1).concat(["cli"]);
  forbidden.push({
    name: `no-${from}-to-later`,
    comment: `${from}/ may import only from folders earlier in the order: ${order.slice(0, i).join(", ") || "(none)"}`,
    severity: "error",
    from: { path: `^src/${from}/` },
    to: { path: `^src/(${later.join("|")})/|^src/(index|internal|node)\\.ts$` },
  });
});
forbidden.push(
  {
    name: "browser-safe-core",
    comment: "the core runs in browsers: no node:* imports outside node.ts, cli/ and *-node.ts files",
    severity: "error",
    from: { path: "^src/", pathNot: "^src/(node\\.ts|cli/)|-node\\.ts$" },
    to: { dependencyTypes: ["core"] },
  },
  {
    name: "index-is-browser-safe",
    comment: "index.ts and internal.ts must not pull in node.ts or cli/ (internal.ts may take the seed's data file)",
    severity: "error",
    from: { path: "^src/(index|internal)\\.ts$" },
    to: { path: "^src/(node\\.ts|cli/)", pathNot: "^src/cli/seed-example\\.ts$" },
  },
  {
    name: "server-through-packages",
    comment: "mfrec-server uses the library as a package (mfrec, mfrec/node, mfrec/internal), not by relative paths into src/",
    severity: "error",
    from: { path: "^packages/server/src/" },
    to: { path: "^src/" },
  },
  {
    name: "library-without-server",
    comment: "the library and CLI never import mfrec-server statically (the CLI loads it on demand)",
    severity: "error",
    from: { path: "^src/" },
    to: { path: "^packages/server/" },
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
