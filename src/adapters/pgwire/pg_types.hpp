#pragma once
// PostgreSQL type OIDs for engine types, and the text and binary encodings of values and
// parameters.
#include "engine/engine.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace akko::pgwire {

struct PgTypeInfo {
	int32_t oid;
	int16_t length; // typlen: bytes, or -1 for variable length
	int32_t modifier; // typmod, -1 when none
};

PgTypeInfo TypeInfoFor(const engine::ColumnType &type);
// The engine type a parameter declared with this OID is parsed as (Null: leave it to the engine).
engine::TypeKind KindForOid(int32_t oid);

// Appends a non-null value in binary format (PostgreSQL's typsend).
void AppendBinaryValue(std::string &out, const engine::ColumnView &column, uint64_t row);

// A parameter from Bind, in the format the client chose. Returns nullopt when binary data
// does not fit its declared type.
std::optional<engine::Param> DecodeParameter(std::string_view bytes, bool binary, int32_t oid);

} // namespace akko::pgwire
