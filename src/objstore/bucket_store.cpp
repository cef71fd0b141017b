#include "objstore/bucket_store.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace akko::objstore {

namespace {

bool LooksLikeIpv4(std::string_view name) {
	int dots = 0;
	for (char c : name) {
		if (c == '.') {
			dots++;
		} else if (c < '0' || c > '9') {
			return false;
		}
	}
	return dots == 3;
}

} // namespace

void BucketStore::ValidateBucketName(std::string_view name) {
	auto refuse = [&](std::string_view why) {
		throw Error(ErrorCode::InvalidInput, fmt::format("bucket name \"{}\" {}", name, why));
	};
	if (name.size() < 3 || name.size() > 63) {
		refuse("must be 3 to 63 characters long");
	}
	for (char c : name) {
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
			refuse("may hold only lower-case letters, digits, '-' and '.'");
		}
	}
	auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
	if (!alnum(name.front()) || !alnum(name.back())) {
		refuse("must begin and end with a letter or digit");
	}
	if (name.find("..") != std::string_view::npos) {
		refuse("must not have two adjacent periods");
	}
	if (LooksLikeIpv4(name)) {
		refuse("must not look like an IP address");
	}
}

} // namespace akko::objstore
