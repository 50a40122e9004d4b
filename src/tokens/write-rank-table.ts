import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { encodingFromTiktoken, packedEncodingFile, packEncoding } from "./encoding.js";

/** Run by `npm run build`: packs js-tiktoken's o200k ranks into dist/tokens/ (see rank-table.ts). */
const { pattern, table } = await encodingFromTiktoken();
const file = packedEncodingFile();
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, packEncoding(pattern, table, table.count));
