#pragma once
// The outcome of authentication, whatever the protocol or credential.
#include <string>
#include <vector>

namespace akko::auth {

struct Caller {
	std::string user;
	// Roles an identity provider vouches for (OIDC groups and realm roles, mapped to akko role
	// names); empty for passwords and akko's own tokens, whose roles live in the metastore.
	std::vector<std::string> roles;
};

} // namespace akko::auth
