// ruff_check.cjs: ruff's WebAssembly build (npm @astral-sh/ruff-wasm-nodejs)
// over a list of Python files, for bench/scan_speed.sh. Reads file paths
// from stdin, one per line; checks each with the rules given in argv[2]
// (comma-separated, default PERF); prints one JSON line:
// {"files": N, "lines": N, "diagnostics": N, "ms": N, "by_rule": {...}}.
// The time counted is the checking only, not Node's start-up.
const fs = require('fs');
const { Workspace, PositionEncoding } = require(process.env.RUFF_WASM || '@astral-sh/ruff-wasm-nodejs');
const select = (process.argv[2] || 'PERF').split(',');
const ws = new Workspace({ lint: { select } }, PositionEncoding.Utf8);
const paths = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
const texts = paths.map((p) => fs.readFileSync(p, 'utf8'));
let lines = 0, diags = 0;
const byRule = {};
const t0 = process.hrtime.bigint();
for (const t of texts) {
	for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) === 10) lines++;
	let d = [];
	try { d = ws.check(t); } catch (e) { continue; }
	diags += d.length;
	for (const x of d) byRule[x.code] = (byRule[x.code] || 0) + 1;
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(JSON.stringify({ files: texts.length, lines, diagnostics: diags, ms, by_rule: byRule }));
