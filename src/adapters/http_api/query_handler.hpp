#pragma once
// POST /api/v1/query: {"sql": "...", "parameters": [...], "format": "json"|"csv"}.
// The statements run in one session, as one implicit transaction unless they manage their
// own; the last one's result is the response, streamed.
#include "net/http_message.hpp"

#include <string>

namespace akko::sql {
class SqlService;
}

namespace akko::http_api {

void HandleQuery(sql::SqlService &service, const std::string &user, net::HttpRequest &request,
                 net::HttpResponder &responder);

} // namespace akko::http_api
