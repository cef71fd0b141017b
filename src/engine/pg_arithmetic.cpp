#include "engine/duckdb_internal.hpp"

#include "duckdb/catalog/catalog_entry/scalar_function_catalog_entry.hpp"
#include "duckdb/parser/parsed_data/create_scalar_function_info.hpp"

namespace akko::engine {

namespace {

using namespace duckdb;

template <class T>
bool AnyZero(UnifiedVectorFormat &format, idx_t count) {
	auto values = UnifiedVectorFormat::GetData<T>(format);
	for (idx_t i = 0; i < count; i++) {
		auto index = format.sel->get_index(i);
		if (format.validity.RowIsValid(index) && values[index] == T(0)) {
			return true;
		}
	}
	return false;
}

void CheckDivisor(Vector &divisor, idx_t count) {
	UnifiedVectorFormat format;
	divisor.ToUnifiedFormat(count, format);
	bool zero = false;
	switch (divisor.GetType().InternalType()) {
	case PhysicalType::INT8:
		zero = AnyZero<int8_t>(format, count);
		break;
	case PhysicalType::INT16:
		zero = AnyZero<int16_t>(format, count);
		break;
	case PhysicalType::INT32:
		zero = AnyZero<int32_t>(format, count);
		break;
	case PhysicalType::INT64:
		zero = AnyZero<int64_t>(format, count);
		break;
	case PhysicalType::INT128:
		zero = AnyZero<hugeint_t>(format, count);
		break;
	case PhysicalType::UINT8:
		zero = AnyZero<uint8_t>(format, count);
		break;
	case PhysicalType::UINT16:
		zero = AnyZero<uint16_t>(format, count);
		break;
	case PhysicalType::UINT32:
		zero = AnyZero<uint32_t>(format, count);
		break;
	case PhysicalType::UINT64:
		zero = AnyZero<uint64_t>(format, count);
		break;
	case PhysicalType::UINT128:
		zero = AnyZero<uhugeint_t>(format, count);
		break;
	case PhysicalType::FLOAT:
		zero = AnyZero<float>(format, count);
		break;
	case PhysicalType::DOUBLE:
		zero = AnyZero<double>(format, count);
		break;
	default:
		break;
	}
	if (zero) {
		throw Exception(ExceptionType::DIVIDE_BY_ZERO, "division by zero");
	}
}

scalar_function_t WithDivisorCheck(scalar_function_t original) {
	return [original](DataChunk &args, ExpressionState &state, Vector &result) {
		CheckDivisor(args.data[1], args.size());
		original(args, state, result);
	};
}

// Some overloads choose their implementation at bind time (floating point division picks
// one by the ieee_floating_point_ops setting). A bind callback is a plain function pointer,
// so each distinct original gets a slot and a trampoline that checks what it bound.
constexpr size_t kBindSlots = 8;
bind_scalar_function_t original_binds[kBindSlots];

template <size_t SLOT>
unique_ptr<FunctionData> CheckedBind(ClientContext &context, ScalarFunction &bound_function,
                                     vector<unique_ptr<Expression>> &arguments) {
	auto data = original_binds[SLOT](context, bound_function, arguments);
	bound_function.function = WithDivisorCheck(bound_function.function);
	return data;
}

template <size_t... SLOTS>
bind_scalar_function_t CheckedBindFor(bind_scalar_function_t original, std::index_sequence<SLOTS...>) {
	static const bind_scalar_function_t trampolines[] = {&CheckedBind<SLOTS>...};
	for (size_t slot = 0; slot < kBindSlots; slot++) {
		if (original_binds[slot] == original || !original_binds[slot]) {
			original_binds[slot] = original;
			return trampolines[slot];
		}
	}
	throw InternalException("more distinct division bind functions than slots");
}

// The same function, but a zero divisor raises PostgreSQL's division_by_zero instead of
// DuckDB's NULL or infinity.
ScalarFunction CheckingDivisor(ScalarFunction function, const string &name) {
	function.name = name;
	if (function.bind) {
		function.bind = CheckedBindFor(function.bind, std::make_index_sequence<kBindSlots> {});
	} else {
		function.function = WithDivisorCheck(function.function);
	}
	return function;
}

ScalarFunctionSet &Lookup(CatalogTransaction transaction, Catalog &catalog, const string &name) {
	auto &schema = catalog.GetSchema(transaction, DEFAULT_SCHEMA);
	auto entry = schema.GetEntry(transaction, CatalogType::SCALAR_FUNCTION_ENTRY, name);
	return entry->Cast<ScalarFunctionCatalogEntry>().functions;
}

void Replace(CatalogTransaction transaction, Catalog &catalog, ScalarFunctionSet set) {
	CreateScalarFunctionInfo info(std::move(set));
	info.on_conflict = OnCreateConflict::REPLACE_ON_CONFLICT;
	info.internal = true;
	catalog.CreateFunction(transaction, info);
}

} // namespace

// PostgreSQL's arithmetic: integer / integer truncates to an integer, and a zero divisor
// is an error (SQLSTATE 22012) for /, % and their function forms.
void InstallPgArithmetic(duckdb::DatabaseInstance &database) {
	auto &catalog = Catalog::GetSystemCatalog(database);
	auto transaction = CatalogTransaction::GetSystemTransaction(database);
	ScalarFunctionSet divide("/");
	for (auto &function : Lookup(transaction, catalog, "//").functions) {
		if (function.arguments[0].IsIntegral()) {
			divide.AddFunction(CheckingDivisor(function, "/"));
		}
	}
	for (auto &function : Lookup(transaction, catalog, "/").functions) {
		divide.AddFunction(CheckingDivisor(function, "/"));
	}
	ScalarFunctionSet modulo("%");
	for (auto &function : Lookup(transaction, catalog, "%").functions) {
		modulo.AddFunction(CheckingDivisor(function, "%"));
	}
	Replace(transaction, catalog, std::move(divide));
	Replace(transaction, catalog, std::move(modulo));
}

} // namespace akko::engine
