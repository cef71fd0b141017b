#pragma once
// One visitor from several lambdas, for std::visit over the variants metadata updates use.

namespace akko {

template <class... Handlers>
struct Overloaded : Handlers... {
	using Handlers::operator()...;
};
// Clang before 17 does not deduce aggregate template arguments by itself.
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

} // namespace akko
