// node run.js <the built .wasm>: calls check() and exits with its answer (a trap exits 100).
const fs = require("fs");
const wasm = fs.readFileSync(process.argv[2]);
WebAssembly.instantiate(wasm, {}).then(({ instance }) => {
  let code;
  try {
    code = instance.exports.check();
  } catch (err) {
    console.log(`hookcore trapped on wasm32: ${err.message}`);
    process.exit(100);
  }
  console.log(code === 0 ? "hookcore on wasm32: every step answered" : `hookcore on wasm32: step ${code} failed`);
  process.exit(code);
});
