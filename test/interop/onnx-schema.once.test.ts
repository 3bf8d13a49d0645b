// The ONNX encoder's schema is generated from the vendored onnx.proto; this fails when someone
// updates the .proto without regenerating (npm run gen:onnx), and checks what the file says it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

test('onnx-schema.generated.ts is up to date with the vendored onnx.proto, whose license header is kept', async () => {
  const proto = readFileSync('src/interop/onnx/onnx.proto', 'utf8');
  assert.match(proto, /SPDX-License-Identifier: Apache-2\.0/);
  assert.match(proto, /^package onnx;$/m);
  const { onnxSchemaSource } = await import(pathToFileURL(join(process.cwd(), 'scripts/gen-onnx-schema.mjs')).href) as { onnxSchemaSource: (p: string) => string };
  assert.equal(readFileSync('src/interop/onnx/onnx-schema.generated.ts', 'utf8'), onnxSchemaSource(proto), 'run npm run gen:onnx');
});

test('the package ships onnx.proto (its license and the source of the generated schema)', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('src/interop/onnx/onnx.proto'));
});
