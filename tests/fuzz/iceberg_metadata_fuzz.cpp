// Metadata JSON arrives from other engines and from REST clients: every parser must answer
// hostile input with akko::Error, never a crash, hang or library exception.
#include "common/error.hpp"
#include "iceberg/table_metadata.hpp"
#include "iceberg/table_requirement.hpp"
#include "iceberg/table_update.hpp"
#include "iceberg/view_metadata.hpp"
#include "iceberg/view_update.hpp"

#include <nlohmann/json.hpp>

using namespace akko::iceberg;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	auto json = nlohmann::json::parse(data, data + size, nullptr, false);
	if (json.is_discarded()) {
		return 0;
	}
	try {
		auto metadata = ParseTableMetadata(json);
		ToJson(metadata);
		ApplyUpdates(metadata, {RemoveSnapshotsUpdate {{1}}}, 5);
	} catch (const akko::Error &) {
	}
	try {
		ToJson(ParseViewMetadata(json));
	} catch (const akko::Error &) {
	}
	try {
		ToJson(ParseTableUpdate(json));
	} catch (const akko::Error &) {
	}
	try {
		ToJson(ParseTableRequirement(json));
	} catch (const akko::Error &) {
	}
	try {
		ToJson(ParseViewUpdate(json));
	} catch (const akko::Error &) {
	}
	return 0;
}
