#pragma once
// Who a session acts as, resolved from the access model at login and again whenever the
// model changes.
#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace akko::authz {

struct Principal {
	std::string user;
	// Every role held: granted directly, through other roles, or vouched for by the identity
	// provider. Always holds "public".
	std::set<std::string> roles;
	bool superuser = false;       // everything, unmasked (akko-admin)
	bool bypass_policies = false; // row filters and column masks do not apply (PostgreSQL's BYPASSRLS)
	std::map<std::string, std::string> attributes; // ALTER USER ... SET ATTRIBUTE
	int64_t model_version = 0;   // of the access model it was resolved from

	bool Holds(const std::string &role) const {
		return roles.count(role) > 0;
	}
};

} // namespace akko::authz
