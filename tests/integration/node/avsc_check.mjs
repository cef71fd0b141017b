// Decodes an Avro object container file with avsc, an Avro implementation independent of
// ours, and prints one JSON document: the codec, the header metadata, the writer schema
// exactly as the file declares it, and every record.
//
//   node avsc_check.mjs FILE
//
// Longs are decoded as BigInt (snapshot ids do not fit a double) and printed as exact JSON
// integers; bytes and fixed values are printed as lowercase hex strings.
import avro from 'avsc';
import process from 'node:process';

const bigLong = avro.types.LongType.__with({
	fromBuffer: (buf) => buf.readBigInt64LE(),
	toBuffer: (n) => {
		const buf = Buffer.alloc(8);
		buf.writeBigInt64LE(BigInt(n));
		return buf;
	},
	fromJSON: BigInt,
	toJSON: Number,
	isValid: (n) => typeof n === 'bigint',
	compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
});

function toJsonText(value) {
	if (value === null || value === undefined) {
		return 'null';
	}
	if (typeof value === 'bigint') {
		return value.toString();
	}
	if (Buffer.isBuffer(value)) {
		return JSON.stringify(value.toString('hex'));
	}
	if (Array.isArray(value)) {
		return '[' + value.map(toJsonText).join(',') + ']';
	}
	if (typeof value === 'object') {
		const members = Object.keys(value).map((key) => JSON.stringify(key) + ':' + toJsonText(value[key]));
		return '{' + members.join(',') + '}';
	}
	return JSON.stringify(value);
}

const path = process.argv[2];
if (!path) {
	console.error('usage: node avsc_check.mjs FILE');
	process.exit(2);
}

let header = null;
let codec = null;
const raw = [];
// noDecode hands us each record's bytes, so the records can be decoded with a type that
// reads longs as BigInt (the container decoder itself takes no type options).
avro.createFileDecoder(path, { noDecode: true })
	.on('metadata', (_type, codec_p, header_p) => {
		codec = codec_p;
		header = header_p;
	})
	.on('data', (buf) => raw.push(buf))
	.on('error', (err) => {
		console.error(`avsc: ${err.message}`);
		process.exit(1);
	})
	.on('end', () => {
		const schema = JSON.parse(header.meta['avro.schema'].toString());
		const type = avro.Type.forSchema(schema, { registry: { long: bigLong } });
		const metadata = {};
		for (const [key, value] of Object.entries(header.meta)) {
			metadata[key] = value.toString();
		}
		const records = raw.map((buf) => type.fromBuffer(buf));
		process.stdout.write('{"codec":' + JSON.stringify(codec) + ',"metadata":' + JSON.stringify(metadata) +
			',"schema":' + JSON.stringify(schema) + ',"records":' + toJsonText(records) + '}\n');
	});
