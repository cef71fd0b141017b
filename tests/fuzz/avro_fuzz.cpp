// Feeds arbitrary bytes to everything that decodes Iceberg metadata files: the Avro
// container reader, the schema parser, and the manifest and manifest list readers. None of
// them may crash, hang or allocate without bound; bad input is an akko::Error.
#include "common/error.hpp"
#include "iceberg/avro_reader.hpp"
#include "iceberg/manifest.hpp"

#include <cstddef>
#include <cstdint>

using namespace akko;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	std::string_view bytes(reinterpret_cast<const char *>(data), size);
	try {
		iceberg::AvroReader reader(bytes);
		iceberg::AvroValue value;
		while (reader.Next(value)) {
		}
	} catch (const Error &) {
	}
	try {
		iceberg::ReadManifest(bytes);
	} catch (const Error &) {
	}
	try {
		iceberg::ReadManifestList(bytes);
	} catch (const Error &) {
	}
	try {
		iceberg::ParseAvroSchema(bytes);
	} catch (const Error &) {
	}
	return 0;
}
