// Drives akko's Iceberg REST catalog with iceberg-js (npm), a client we did not write, and prints
// one JSON document of what each step returned; tests/integration/test_iceberg_rest_js.py checks it.
//
//   node iceberg_js_check.mjs BASE_URL CLIENT_ID CLIENT_SECRET NAMESPACE
//
// BASE_URL is the catalog root without /v1 (e.g. http://127.0.0.1:8080/iceberg). The token comes
// from the OAuth2 client-credentials flow, fetched on first use as Spark's client does.
// iceberg-js has no rename: that step goes through the same fetch with the same token.
import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import process from 'node:process';

const [baseUrl, clientId, clientSecret, namespace] = process.argv.slice(2);
if (!namespace) {
	console.error('usage: node iceberg_js_check.mjs BASE_URL CLIENT_ID CLIENT_SECRET NAMESPACE');
	process.exit(2);
}

let token;
async function authHeaders() {
	if (!token) {
		const response = await fetch(`${baseUrl}/v1/oauth/tokens`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId,
				client_secret: clientSecret, scope: 'catalog' }),
		});
		if (response.status !== 200) {
			throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
		}
		token = (await response.json()).access_token;
	}
	return { Authorization: `Bearer ${token}` };
}

async function catalogConfig() {
	const response = await fetch(`${baseUrl}/v1/config`, { headers: await authHeaders() });
	return response.json();
}

// An expected failure, reduced to what the test compares.
async function failure(promise) {
	try {
		await promise;
		return null;
	} catch (err) {
		if (!(err instanceof IcebergError)) {
			throw err;
		}
		return { status: err.status, type: err.icebergType ?? null };
	}
}

const config = await catalogConfig();
const prefix = { ...config.defaults, ...config.overrides }.prefix;
const catalog = new IcebergRestCatalog({
	baseUrl,
	catalogName: prefix || undefined,
	auth: { type: 'custom', getHeaders: authHeaders },
});

const ns = { namespace: [namespace] };
const child = { namespace: [namespace, 'child'] };
const out = {};
out.existsBefore = await catalog.namespaceExists(ns);
out.created = await catalog.createNamespace(ns, { properties: { owner: 'iceberg-js' } });
out.createdChild = await catalog.createNamespace(child);
out.duplicate = await failure(catalog.createNamespace(ns));
out.topLevel = (await catalog.listNamespaces()).map((n) => n.namespace);
out.children = (await catalog.listNamespaces(ns)).map((n) => n.namespace);
out.properties = (await catalog.loadNamespaceMetadata(ns)).properties;
out.existsAfter = await catalog.namespaceExists(ns);

const schema = {
	type: 'struct',
	'schema-id': 0,
	fields: [
		{ id: 1, name: 'id', type: 'long', required: true },
		{ id: 2, name: 'ts', type: 'timestamp', required: true },
		{ id: 3, name: 'label', type: 'string', required: false, doc: 'free text' },
	],
};
// The spec's field names (source-id, field-id); iceberg-js passes the object through as given.
const spec = { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' }] };
const tableId = { namespace: ns.namespace, name: 'events' };
const created = await catalog.createTable(ns, {
	name: 'events', schema, 'partition-spec': spec, properties: { 'created-by': 'iceberg-js' },
});
out.createdTable = {
	location: created.location,
	formatVersion: created['format-version'],
	fields: created.schemas[0].fields.map((f) => [f.id, f.name, f.type, f.required]),
	spec: created['partition-specs'].find((s) => s['spec-id'] === created['default-spec-id']),
	properties: created.properties,
};
out.duplicateTable = await failure(catalog.createTable(ns, { name: 'events', schema }));
out.tableExists = await catalog.tableExists(tableId);
out.tables = await catalog.listTables(ns);
const loaded = await catalog.loadTable(tableId);
out.loadedUuid = loaded['table-uuid'];
out.createdUuid = created['table-uuid'];

// updateTable sends its request body as given: a spec CommitTableRequest.
const committed = await catalog.updateTable(tableId, {
	requirements: [{ type: 'assert-table-uuid', uuid: loaded['table-uuid'] }],
	updates: [{ action: 'set-properties', updates: { 'commit.by': 'iceberg-js' } }],
});
out.committedProperties = committed.metadata.properties;
out.committedLocation = committed['metadata-location'];
out.staleCommit = await failure(catalog.updateTable(tableId, {
	requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }],
	updates: [{ action: 'set-properties', updates: { never: 'x' } }],
}));

const renameResponse = await fetch(`${baseUrl}/v1${prefix ? '/' + prefix : ''}/tables/rename`, {
	method: 'POST',
	headers: { ...(await authHeaders()), 'Content-Type': 'application/json' },
	body: JSON.stringify({ source: tableId, destination: { namespace: ns.namespace, name: 'events_renamed' } }),
});
out.renameStatus = renameResponse.status;
const renamedId = { namespace: ns.namespace, name: 'events_renamed' };
out.oldExists = await catalog.tableExists(tableId);
out.renamedUuid = (await catalog.loadTable(renamedId))['table-uuid'];
out.missingTable = await failure(catalog.loadTable(tableId));
out.nonEmptyDrop = await failure(catalog.dropNamespace(ns));

await catalog.dropTable(renamedId, { purge: true });
out.renamedExistsAfterDrop = await catalog.tableExists(renamedId);
await catalog.dropNamespace(child);
await catalog.dropNamespace(ns);
out.existsAtEnd = await catalog.namespaceExists(ns);
out.missingNamespace = await failure(catalog.loadNamespaceMetadata(ns));

console.log(JSON.stringify(out));
