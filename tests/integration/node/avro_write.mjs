// Writes an Avro object container file with avsc, an Avro implementation independent of ours,
// so tests can build Iceberg manifests the way other engines write them.
//
//   node avro_write.mjs SPEC.json OUT.avro
//
// SPEC.json: {"schema": <Avro schema, Iceberg's id attributes included>, "metadata": {key: text},
// "records": [...]}. A string value "hex:..." becomes bytes. Deflate, as Java writes manifests.
import avro from 'avsc';
import { readFileSync } from 'node:fs';
import process from 'node:process';

const [specPath, outPath] = process.argv.slice(2);
if (!specPath || !outPath) {
	console.error('usage: node avro_write.mjs SPEC.json OUT.avro');
	process.exit(2);
}
const spec = JSON.parse(readFileSync(specPath, 'utf8'));

function bytesFromHex(value) {
	if (typeof value === 'string' && value.startsWith('hex:')) {
		return Buffer.from(value.slice(4), 'hex');
	}
	if (Array.isArray(value)) {
		return value.map(bytesFromHex);
	}
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bytesFromHex(v)]));
	}
	return value;
}

const metadata = Object.fromEntries(Object.entries(spec.metadata ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]));
// The schema as given (not a parsed type), so the header keeps Iceberg's id attributes.
const encoder = avro.createFileEncoder(outPath, spec.schema, { codec: 'deflate', metadata });
encoder.on('error', (err) => {
	console.error(`avsc: ${err.message}`);
	process.exit(1);
});
for (const record of spec.records) {
	encoder.write(bytesFromHex(record));
}
encoder.end();
