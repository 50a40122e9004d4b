// Loaded with `node --import` by an end-to-end test: makes the sqlite3 native module fail to
// load, as it would on a machine where it could not be built, to check the in-memory fallback.
import { register } from "node:module";

register("./no-sqlite-hooks.mjs", import.meta.url);
