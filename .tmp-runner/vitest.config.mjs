export default { test: { include: ["test/**/*.test.mjs"] } };
