#include "error_of.hpp"

#include <gtest/gtest.h>

namespace akko::test {

ErrorCode CodeOf(const std::function<void()> &body) {
	try {
		body();
	} catch (const Error &error) {
		return error.code;
	}
	ADD_FAILURE() << "expected an akko::Error";
	return ErrorCode::Internal;
}

std::string MessageOf(const std::function<void()> &body) {
	try {
		body();
	} catch (const Error &error) {
		return error.message;
	}
	ADD_FAILURE() << "expected an akko::Error";
	return "";
}

} // namespace akko::test
