// app.jsx -> app.mjs with TypeScript's transpileModule (JSX as React 18's automatic runtime), so
// a component program runs in plain Node; usage: node jsx.js <folder>
const fs = require('fs')
const path = require('path')
const ts = require('typescript')

const folder = process.argv[2]
const source = fs.readFileSync(path.join(folder, 'app.jsx'), 'utf8')
const out = ts.transpileModule(source, {
  compilerOptions: { jsx: ts.JsxEmit.ReactJSX, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2020 },
  fileName: 'app.jsx',
})
fs.writeFileSync(path.join(folder, 'app.mjs'), out.outputText)
