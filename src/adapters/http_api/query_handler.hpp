#pragma once
// POST /api/v1/query: {"sql": "...", "parameters": [...], "format": "json"|"csv"}.
// The statements run in one session, as one implicit transaction unless they manage their
// own; the last one's result is the response, streamed.
#include "auth/caller.hpp"
#include "net/http_message.hpp"

#include <string>

namespace akko::sql {
class SqlService;
}

namespace akko::http_api {

// The session runs as `caller`, with the roles its identity provider vouches for.
void HandleQuery(sql::SqlService &service, const auth::Caller &caller, net::HttpRequest &request,
                 net::HttpResponder &responder);

} // namespace akko::http_api
