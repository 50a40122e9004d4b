// The error sqlite3 raises when its native module was never built (npm --ignore-scripts, pnpm):
// the `bindings` package lists every path it tried.
export async function resolve(specifier, context, next) {
  if (specifier === "sqlite3") {
    const tried = ["build/node_sqlite3.node", "build/Debug/node_sqlite3.node", "build/Release/node_sqlite3.node", "out/Release/node_sqlite3.node", "lib/binding/node_sqlite3.node"];
    throw new Error(`Could not locate the bindings file. Tried:\n${tried.map((t) => ` → /project/node_modules/sqlite3/${t}`).join("\n")}`);
  }
  return next(specifier, context);
}
