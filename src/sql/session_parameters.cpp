#include "common/sql_lexer.hpp"
#include "sql/session.hpp"
#include "sql/session_parameters.hpp"

#include <algorithm>
#include <cctype>

namespace akko::sql {

Session::Parameters::Parameters(const std::string &server_version, const std::string &user) {
	auto add = [&](const std::string &name, const std::string &value, bool reported, bool engine = false) {
		values[name] = SessionParameter {value, value, reported, engine};
	};
	add("server_version", server_version, true);
	add("server_encoding", "UTF8", true);
	add("client_encoding", "UTF8", true);
	add("DateStyle", "ISO, MDY", true);
	add("IntervalStyle", "postgres", true);
	add("TimeZone", "UTC", true, true);
	add("integer_datetimes", "on", true);
	add("standard_conforming_strings", "on", true);
	add("application_name", "", true);
	add("is_superuser", user == "admin" ? "on" : "off", true);
	add("session_authorization", user, true);
	add("default_transaction_read_only", "off", true);
	add("in_hot_standby", "off", true);
	add("server_version_num", "150000", false);
	add("search_path", "\"$user\", public", false);
	add("extra_float_digits", "1", false);
	add("statement_timeout", "0", false);
	add("lock_timeout", "0", false);
	add("idle_in_transaction_session_timeout", "0", false);
	add("client_min_messages", "notice", false);
	add("bytea_output", "hex", false);
	add("max_identifier_length", "63", false);
	add("transaction_isolation", "repeatable read", false);
	add("default_transaction_isolation", "repeatable read", false);
	add("transaction_read_only", "off", false);
	add("synchronous_commit", "on", false);
	add("lc_messages", "C", false);
	add("lc_monetary", "C", false);
	add("lc_numeric", "C", false);
	add("lc_time", "C", false);
	add("max_connections", "256", false);
	add("work_mem", "4MB", false);
	add("jit", "off", false);
	add("row_security", "on", false);
	add("default_with_oids", "off", false);
	add("escape_string_warning", "on", false);
}

std::optional<std::string> Session::Parameters::Canonical(const std::string &name) const {
	auto lower = ToLower(name);
	for (auto &[canonical, parameter] : values) {
		if (ToLower(canonical) == lower) {
			return canonical;
		}
	}
	return std::nullopt;
}

} // namespace akko::sql
