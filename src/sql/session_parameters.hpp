#pragma once
// PostgreSQL session parameters (GUCs) a client may SET and SHOW, with the ones PostgreSQL
// reports through ParameterStatus.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace akko::sql {

struct SessionParameter {
	std::string value;
	std::string reset_value;
	bool reported = false; // sent to the client in ParameterStatus
	bool engine = false;   // also applied to the engine session (TimeZone)
};

struct Session::Parameters {
	explicit Parameters(const std::string &server_version, const std::string &user);
	// Canonical name (PostgreSQL's spelling) for a case-insensitive one, or nullopt.
	std::optional<std::string> Canonical(const std::string &name) const;

	std::map<std::string, SessionParameter> values;
	std::vector<std::pair<std::string, std::string>> changes;
};

} // namespace akko::sql
