// Compile every contracts/*.sol with the pinned solcjs into <out>/<Name>.abi.json and
// <Name>.bin (hex, no 0x). Settings are fixed so the output is byte-for-byte reproducible:
// optimizer on (200 runs), EVM version "cancun", no metadata hash in the bytecode.
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const out = path.resolve(process.argv[2] || "build");
const sources = {};
for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith(".sol")).sort()) {
  sources[f] = { content: fs.readFileSync(path.join(__dirname, f), "utf8") };
}
const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    metadata: { bytecodeHash: "none", appendCBOR: false },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const result = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (result.errors || []).filter((e) => e.severity === "error");
for (const e of result.errors || []) console.error(e.formattedMessage);
if (errors.length) process.exit(1);
fs.mkdirSync(out, { recursive: true });
for (const file of Object.keys(result.contracts).sort()) {
  for (const [name, c] of Object.entries(result.contracts[file])) {
    fs.writeFileSync(path.join(out, `${name}.abi.json`), JSON.stringify(c.abi, null, 2) + "\n");
    fs.writeFileSync(path.join(out, `${name}.bin`), c.evm.bytecode.object + "\n");
    console.log(`${name}: ${c.evm.bytecode.object.length / 2} bytes -> ${path.relative(process.cwd(), out)}`);
  }
}
console.log(`solc ${solc.version()}`);
