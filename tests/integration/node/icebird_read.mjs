// Reads an Iceberg table with icebird, an Iceberg reader we did not write, over HTTP.
// Usage: node icebird_read.mjs OBJECTS_DIR TABLE_URI METADATA_FILE_NAME
// Serves OBJECTS_DIR (the warehouse's buckets) on a loopback port with byte ranges, points
// icebird's s3:// translation at it, and prints the rows as one JSON array (bigints as strings).
import { createServer } from 'node:http'
import { open, stat } from 'node:fs/promises'
import { join, normalize } from 'node:path'
import { icebergRead } from 'icebird'

const [objectsDir, tableUri, metadataFileName] = process.argv.slice(2)

const server = createServer(async (request, response) => {
  const url = new URL(request.url, 'http://localhost')
  const path = normalize(join(objectsDir, decodeURIComponent(url.pathname)))
  if (!path.startsWith(normalize(objectsDir))) {
    response.writeHead(403).end()
    return
  }
  try {
    const size = (await stat(path)).size
    let start = 0
    let end = size - 1
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '')
    if (range) {
      if (range[1] === '') {
        start = Math.max(0, size - Number(range[2]))
      } else {
        start = Number(range[1])
        if (range[2] !== '') end = Math.min(end, Number(range[2]))
      }
    }
    const length = Math.max(0, end - start + 1)
    const headers = { 'content-length': length, 'accept-ranges': 'bytes' }
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`
    response.writeHead(range ? 206 : 200, headers)
    if (request.method === 'HEAD' || length === 0) {
      response.end()
      return
    }
    const file = await open(path)
    const buffer = Buffer.alloc(length)
    await file.read(buffer, 0, length, start)
    await file.close()
    response.end(buffer)
  } catch {
    response.writeHead(404).end()
  }
})
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${server.address().port}`

// icebird turns s3://bucket/key into https://bucket.s3.amazonaws.com/key; send those here.
const realFetch = globalThis.fetch
globalThis.fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input)
  const match = /^https:\/\/([^/.]+)\.s3\.amazonaws\.com(\/.*)$/.exec(url)
  return realFetch(match ? `${base}/${match[1]}${match[2]}` : input, init)
}

try {
  const rows = await icebergRead({ tableUrl: tableUri, metadataFileName })
  process.stdout.write(JSON.stringify(rows, (key, value) => (typeof value === 'bigint' ? value.toString() : value)))
} finally {
  server.close()
}
