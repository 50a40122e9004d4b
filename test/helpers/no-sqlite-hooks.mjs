export async function resolve(specifier, context, next) {
  if (specifier === "sqlite3") throw new Error("simulated: the sqlite3 native module cannot be loaded");
  return next(specifier, context);
}
