#pragma once
// What a call that must fail threw: its akko::Error code or message. A call that throws
// nothing fails the test.
#include "common/error.hpp"

#include <functional>
#include <string>

namespace akko::test {

ErrorCode CodeOf(const std::function<void()> &body);
std::string MessageOf(const std::function<void()> &body);

} // namespace akko::test
