#include "common/error.hpp"
#include "metastore/metastore.hpp"
#include "metastore/postgres_metastore.hpp"
#include "metastore/sqlite_metastore.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fmt/format.h>

namespace akko::metastore {

std::unique_ptr<Metastore> OpenMetastore(const std::string &config_value, const std::string &data_dir) {
	if (config_value.empty()) {
		return OpenSqliteMetastore((std::filesystem::path(data_dir) / "metastore.db").string());
	}
	if (config_value.starts_with("postgresql://") || config_value.starts_with("postgres://")) {
		return OpenPostgresMetastore(config_value);
	}
	// Only the scheme is echoed: the rest may hold a password.
	auto scheme = config_value.substr(0, config_value.find("://"));
	bool plain = scheme.size() < config_value.size() && !scheme.empty() && scheme.size() <= 16 &&
	             std::all_of(scheme.begin(), scheme.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
	auto shown = plain ? fmt::format("a {}:// URI", scheme) : std::string("a value that is not a URI");
	throw Error(ErrorCode::ConfigurationError,
	            fmt::format("unsupported metastore ({}): leave it empty for SQLite in the data directory, or give "
	                        "a postgresql:// URI",
	                        shown));
}

} // namespace akko::metastore
