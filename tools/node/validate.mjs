// Validate .glb files with the Khronos glTF-Validator; print one JSON array on stdout.
// Usage: node tools/node/validate.mjs FILE...   (one process for all files)
import { readFile } from "node:fs/promises";
import validator from "gltf-validator";

const results = [];
for (const path of process.argv.slice(2)) {
  try {
    const bytes = new Uint8Array(await readFile(path));
    const report = await validator.validateBytes(bytes, { maxIssues: 200 });
    const issues = report.issues;
    results.push({
      path,
      errors: issues.numErrors,
      warnings: issues.numWarnings,
      infos: issues.numInfos,
      messages: issues.messages
        .filter((m) => m.severity <= 1)
        .map((m) => ({ severity: m.severity === 0 ? "error" : "warning", code: m.code, message: m.message, pointer: m.pointer ?? "" })),
    });
  } catch (err) {
    results.push({ path, errors: 1, warnings: 0, infos: 0, messages: [{ severity: "error", code: "UNREADABLE", message: String(err), pointer: "" }] });
  }
}
process.stdout.write(JSON.stringify(results));
