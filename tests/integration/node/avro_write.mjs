// Writes an Avro object container file with avsc, an Avro implementation independent of ours,
// so tests can build Iceberg manifests the way other engines write them.
//
//   node avro_write.mjs SPEC.json OUT.avro
//
// SPEC.json: {"schema": <Avro schema, Iceberg's id attributes included>, "metadata": {key: text},
// "records": [...]}. A string value "hex:..." becomes bytes, "long:..." an exact long. Deflate, as Java writes manifests.
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
	if (typeof value === 'string' && value.startsWith('long:')) {
		return BigInt(value.slice(5));
	}
	if (Array.isArray(value)) {
		return value.map(bytesFromHex);
	}
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bytesFromHex(v)]));
	}
	return value;
}

// Longs beyond 2^53 (snapshot ids) arrive as "long:..." strings and are written exactly.
const exactLong = avro.types.LongType.__with({
	fromBuffer: (buf) => buf.readBigInt64LE(),
	toBuffer: (n) => {
		const buf = Buffer.alloc(8);
		buf.writeBigInt64LE(BigInt(n));
		return buf;
	},
	fromJSON: BigInt,
	toJSON: Number,
	isValid: (n) => typeof n === 'bigint' || Number.isSafeInteger(n),
	compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
});

const metadata = Object.fromEntries(Object.entries(spec.metadata ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]));
// The schema as given (not a parsed type), so the header keeps Iceberg's id attributes. The
// container encoder takes no type options, so records are written with a type of our own that
// takes exact longs (avsc_check.mjs works around the decoder the same way).
// The header is written even without records: an empty manifest list is still an Avro file.
const encoder = avro.createFileEncoder(outPath, spec.schema, { codec: 'deflate', metadata, writeHeader: 'always' });
encoder._type = avro.Type.forSchema(spec.schema, { registry: { long: exactLong } });
encoder.on('error', (err) => {
	console.error(`avsc: ${err.message}`);
	process.exit(1);
});
for (const record of spec.records) {
	encoder.write(bytesFromHex(record));
}
encoder.end();
