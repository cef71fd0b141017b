#pragma once
// PostgreSQL's text output format for engine values: what psql prints, what COPY writes,
// and what the text-format wire protocol carries.
#include "engine/result_chunk.hpp"

#include <string>

namespace akko::sql {

// Appends the text of a non-null value.
void AppendValueText(std::string &out, const engine::ColumnView &column, uint64_t row);

} // namespace akko::sql
