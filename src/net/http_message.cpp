#include "net/http_message.hpp"

#include "common/error.hpp"

#include <nlohmann/json.hpp>
#include <strings.h>

namespace akko::net {

std::string_view HttpRequest::Header(std::string_view name) const {
	for (auto &[key, value] : headers) {
		if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
			return value;
		}
	}
	return {};
}

HttpResponse ErrorResponse(const akko::Error &error, int status) {
	auto &description = Describe(error.code);
	nlohmann::json detail = {
	    {"code", description.name}, {"sqlstate", description.sqlstate}, {"message", error.message}};
	if (error.position) {
		detail["position"] = *error.position;
	}
	HttpResponse response;
	response.status = status ? status : description.http_status;
	response.body = nlohmann::json {{"error", detail}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
	return response;
}

} // namespace akko::net
