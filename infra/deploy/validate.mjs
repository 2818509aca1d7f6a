// Validates deployment files offline with the tools infra/env.sh installs into .data/tools (TAKEDOWNS_TOOLS).
//
//   node infra/deploy/validate.mjs kubernetes <file or directory>... [--json out.json]
//       every document of every .yaml file (kustomization.yaml aside) against the Kubernetes API's schema for its
//       apiVersion and kind (kubernetes-models); an unknown apiVersion or kind is an error too.
//   node infra/deploy/validate.mjs yaml <file> [--json out.json]
//       parses a YAML file (merge keys resolved, as Compose does) and writes it as JSON.
//
// --json writes the parsed documents, [{"file", "document"}], for checks the schemas cannot make. Exit code 0 when
// everything is valid, 1 otherwise (each problem on a line of its own on standard error), 2 on wrong usage.
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve, basename, dirname } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tools = process.env.TAKEDOWNS_TOOLS || join(root, ".data", "tools");
const modules = join(tools, "node_modules");
if (!existsSync(join(modules, "yaml")) || !existsSync(join(modules, "kubernetes-models"))) {
  console.error(`validate: the validators are not installed in ${tools}: run infra/test (or source infra/env.sh; install_tools)`);
  process.exit(2);
}
const YAML = createRequire(join(tools, "package.json"))("yaml");

const [mode, ...rest] = process.argv.slice(2);
let jsonOut = null;
const paths = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === "--json") jsonOut = rest[++i];
  else paths.push(rest[i]);
}
if (!["kubernetes", "yaml"].includes(mode) || paths.length === 0) {
  console.error("usage: validate.mjs kubernetes|yaml <path>... [--json out.json]");
  process.exit(2);
}

const files = paths.flatMap(p => statSync(p).isDirectory()
  ? readdirSync(p).filter(f => /\.ya?ml$/.test(f)).sort().map(f => join(p, f))
  : [p]);

const problems = [];
const parsed = [];
for (const file of files) {
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"), { merge: true });
  for (const doc of docs) {
    for (const e of doc.errors) problems.push(`${file}: YAML: ${e.message}`);
    const value = doc.toJS({ maxAliasCount: -1 });
    if (value !== null && value !== undefined) parsed.push({ file, document: value });
  }
}

if (mode === "kubernetes") {
  for (const { file, document } of parsed) {
    if (basename(file).startsWith("kustomization.")) continue;
    const name = `${document?.kind ?? "?"}/${document?.metadata?.name ?? "?"}`;
    if (typeof document?.apiVersion !== "string" || typeof document?.kind !== "string") {
      problems.push(`${file}: ${name}: apiVersion and kind are required`);
      continue;
    }
    const model = join(modules, "kubernetes-models", ...document.apiVersion.split("/"), `${document.kind}.js`);
    if (!existsSync(model)) {
      problems.push(`${file}: ${name}: no Kubernetes schema for apiVersion ${document.apiVersion}, kind ${document.kind}`);
      continue;
    }
    const Model = (await import(pathToFileURL(model).href))[document.kind];
    try {
      new Model(document).validate();
    } catch (e) {
      problems.push(`${file}: ${name}: ${e.message}`);
    }
  }
}

if (jsonOut) writeFileSync(jsonOut, JSON.stringify(parsed, null, 1));
for (const p of problems) console.error(p);
console.log(`${mode}: ${parsed.length} document(s) in ${files.length} file(s), ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
