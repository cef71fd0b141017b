#include "iceberg/manifest_avro.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace akko::iceberg::manifest_avro {

namespace {

[[noreturn]] void WrongType(std::string_view name, std::string_view expected) {
	throw Error(ErrorCode::InvalidInput, fmt::format("manifest field \"{}\" is not {}", name, expected));
}

Json Named(Json type, std::set<std::string> &defined) {
	auto name = type["name"].get<std::string>();
	if (!defined.insert(name).second) {
		return Json(name);
	}
	return type;
}

// The unscaled value in `size` bytes of big-endian two's complement.
std::string SignExtended(__int128 unscaled, size_t size) {
	std::string bytes(size, unscaled < 0 ? '\xff' : '\0');
	auto bits = static_cast<unsigned __int128>(unscaled);
	for (size_t i = 0; i < std::min<size_t>(size, 16); i++) {
		bytes[size - 1 - i] = static_cast<char>(static_cast<uint8_t>(bits >> (8 * i)));
	}
	return bytes;
}

} // namespace

Json FieldJson(std::string_view name, Json type, int32_t field_id, bool optional) {
	Json field = Json::object();
	field["name"] = name;
	if (optional) {
		field["type"] = Json::array({"null", std::move(type)});
		field["default"] = nullptr;
	} else {
		field["type"] = std::move(type);
	}
	field["field-id"] = field_id;
	return field;
}

Json ArrayJson(Json items, int32_t element_id) {
	return Json {{"type", "array"}, {"items", std::move(items)}, {"element-id", element_id}};
}

Json IntMapJson(int32_t key_id, int32_t value_id, Json value_type) {
	Json entry = Json::object();
	entry["type"] = "record";
	entry["name"] = fmt::format("k{}_v{}", key_id, value_id);
	entry["fields"] = Json::array({FieldJson("key", "int", key_id, false), FieldJson("value", std::move(value_type), value_id, false)});
	return Json {{"type", "array"}, {"items", std::move(entry)}, {"logicalType", "map"}};
}

Json PrimitiveJson(const PrimitiveType &type, std::set<std::string> &defined) {
	auto logical = [](const char *base, const char *logical_type) {
		return Json {{"type", base}, {"logicalType", logical_type}};
	};
	auto timestamp = [](const char *logical_type, bool utc) {
		return Json {{"type", "long"}, {"logicalType", logical_type}, {"adjust-to-utc", utc}};
	};
	switch (type.kind) {
	case TypeKind::Boolean:
		return "boolean";
	case TypeKind::Int:
		return "int";
	case TypeKind::Long:
		return "long";
	case TypeKind::Float:
		return "float";
	case TypeKind::Double:
		return "double";
	case TypeKind::Date:
		return logical("int", "date");
	case TypeKind::Time:
		return logical("long", "time-micros");
	case TypeKind::Timestamp:
		return timestamp("timestamp-micros", false);
	case TypeKind::TimestampTz:
		return timestamp("timestamp-micros", true);
	case TypeKind::TimestampNs:
		return timestamp("timestamp-nanos", false);
	case TypeKind::TimestampTzNs:
		return timestamp("timestamp-nanos", true);
	case TypeKind::String:
		return "string";
	case TypeKind::Binary:
		return "bytes";
	case TypeKind::Uuid:
		return Named(Json {{"type", "fixed"}, {"name", "uuid_fixed"}, {"size", 16}, {"logicalType", "uuid"}}, defined);
	case TypeKind::Fixed:
		return Named(Json {{"type", "fixed"}, {"name", fmt::format("fixed_{}", type.length)}, {"size", type.length}},
		             defined);
	case TypeKind::Decimal:
		return Named(Json {{"type", "fixed"},
		                   {"name", AvroName(fmt::format("decimal_{}_{}", type.precision, type.scale))},
		                   {"size", DecimalRequiredBytes(type.precision)},
		                   {"logicalType", "decimal"},
		                   {"precision", type.precision},
		                   {"scale", type.scale}},
		             defined);
	}
	return "null";
}

std::string AvroName(std::string_view name) {
	auto valid = [](char c, bool first) {
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (!first && c >= '0' && c <= '9');
	};
	std::string out;
	for (size_t i = 0; i < name.size(); i++) {
		char c = name[i];
		if (valid(c, i == 0)) {
			out.push_back(c);
		} else if (c >= '0' && c <= '9') {
			out += "_";
			out.push_back(c);
		} else {
			out += fmt::format("_x{:X}", static_cast<uint8_t>(c));
		}
	}
	return out.empty() ? "_" : out;
}

PrimitiveType PrimitiveTypeOf(const AvroSchema &schema) {
	auto &avro = schema.NonNull();
	auto logical = avro.LogicalType();
	auto decimal = [&]() {
		PrimitiveType type {TypeKind::Decimal};
		type.precision = avro.IntAttribute("precision").value_or(0);
		type.scale = avro.IntAttribute("scale").value_or(0);
		if (type.precision < 1 || type.precision > 38) {
			throw Error(ErrorCode::InvalidInput, fmt::format("Avro decimal with precision {}", type.precision));
		}
		return type;
	};
	auto utc = [&]() {
		auto it = avro.attributes.find("adjust-to-utc");
		return it != avro.attributes.end() && it->is_boolean() && it->get<bool>();
	};
	switch (avro.type) {
	case AvroType::Boolean:
		return PrimitiveType {TypeKind::Boolean};
	case AvroType::Int:
		return PrimitiveType {logical == "date" ? TypeKind::Date : TypeKind::Int};
	case AvroType::Long:
		if (logical == "time-micros") {
			return PrimitiveType {TypeKind::Time};
		}
		if (logical == "timestamp-micros") {
			return PrimitiveType {utc() ? TypeKind::TimestampTz : TypeKind::Timestamp};
		}
		if (logical == "timestamp-nanos") {
			return PrimitiveType {utc() ? TypeKind::TimestampTzNs : TypeKind::TimestampNs};
		}
		return PrimitiveType {TypeKind::Long};
	case AvroType::Float:
		return PrimitiveType {TypeKind::Float};
	case AvroType::Double:
		return PrimitiveType {TypeKind::Double};
	case AvroType::String:
		return PrimitiveType {logical == "uuid" ? TypeKind::Uuid : TypeKind::String};
	case AvroType::Bytes:
		return logical == "decimal" ? decimal() : PrimitiveType {TypeKind::Binary};
	case AvroType::Fixed: {
		if (logical == "decimal") {
			return decimal();
		}
		if (logical == "uuid" && avro.size == 16) {
			return PrimitiveType {TypeKind::Uuid};
		}
		PrimitiveType type {TypeKind::Fixed};
		type.length = static_cast<int32_t>(std::min<int64_t>(avro.size, INT32_MAX));
		return type;
	}
	default:
		throw Error(ErrorCode::FeatureNotSupported,
		            fmt::format("a partition value of Avro type {} is not supported", schema.ToJson()));
	}
}

AvroValue ToAvro(const Literal &value, const PrimitiveType &type) {
	CheckLiteralType(value, type);
	switch (value.index()) {
	case 0:
		return AvroValue {};
	case 1:
		return AvroValue {std::get<bool>(value)};
	case 2:
		return AvroValue {std::get<int32_t>(value)};
	case 3:
		return AvroValue {std::get<int64_t>(value)};
	case 4:
		return AvroValue {std::get<float>(value)};
	case 5:
		return AvroValue {std::get<double>(value)};
	case 6:
		return AvroValue {std::get<std::string>(value)};
	case 7:
		return AvroValue {AvroBytes {std::get<Bytes>(value).data}};
	case 8: {
		auto size = static_cast<size_t>(DecimalRequiredBytes(type.precision));
		return AvroValue {AvroBytes {SignExtended(std::get<Decimal>(value).unscaled, size)}};
	}
	default: {
		auto &uuid = std::get<Uuid>(value);
		return AvroValue {AvroBytes {std::string(reinterpret_cast<const char *>(uuid.bytes.data()), 16)}};
	}
	}
}

Literal FromAvro(const AvroValue &value, const AvroSchema &schema, const PrimitiveType &type) {
	if (value.IsNull()) {
		return std::monostate {};
	}
	if (auto bytes = std::get_if<AvroBytes>(&value.value)) {
		if (type.kind == TypeKind::Binary || type.kind == TypeKind::Fixed) {
			return Bytes {bytes->data};
		}
		if ((type.kind == TypeKind::Decimal && !bytes->data.empty() && bytes->data.size() <= 16) ||
		    (type.kind == TypeKind::Uuid && bytes->data.size() == 16)) {
			return DeserializeBinary(bytes->data, type);
		}
	}
	if (auto text = std::get_if<std::string>(&value.value)) {
		if (type.kind == TypeKind::String) {
			return *text;
		}
		if (type.kind == TypeKind::Uuid) {
			return LiteralFromJson(*text, type);
		}
	}
	if (auto number = std::get_if<int32_t>(&value.value)) {
		if (type.kind == TypeKind::Int || type.kind == TypeKind::Date) {
			return *number;
		}
		if (type.kind == TypeKind::Long) {
			return static_cast<int64_t>(*number);
		}
	}
	if (auto number = std::get_if<int64_t>(&value.value)) {
		if (type.kind == TypeKind::Long || type.kind == TypeKind::Time || type.kind == TypeKind::Timestamp ||
		    type.kind == TypeKind::TimestampTz || type.kind == TypeKind::TimestampNs ||
		    type.kind == TypeKind::TimestampTzNs) {
			return *number;
		}
	}
	if (auto number = std::get_if<float>(&value.value)) {
		if (type.kind == TypeKind::Float) {
			return *number;
		}
		if (type.kind == TypeKind::Double) {
			return static_cast<double>(*number);
		}
	}
	if (auto number = std::get_if<double>(&value.value); number && type.kind == TypeKind::Double) {
		return *number;
	}
	if (auto flag = std::get_if<bool>(&value.value); flag && type.kind == TypeKind::Boolean) {
		return *flag;
	}
	throw Error(ErrorCode::InvalidInput,
	            fmt::format("a partition value written as Avro {} cannot be a {}", schema.ToJson(), ToString(type)));
}

const AvroValue *Field(const AvroRecord &record, std::optional<size_t> index) {
	if (!index || *index >= record.fields.size() || record.fields[*index].IsNull()) {
		return nullptr;
	}
	return &record.fields[*index];
}

std::optional<int64_t> AsLong(const AvroValue *value, std::string_view name) {
	if (!value) {
		return std::nullopt;
	}
	if (auto number = std::get_if<int64_t>(&value->value)) {
		return *number;
	}
	if (auto number = std::get_if<int32_t>(&value->value)) {
		return *number;
	}
	WrongType(name, "a long");
}

std::optional<int32_t> AsInt(const AvroValue *value, std::string_view name) {
	if (!value) {
		return std::nullopt;
	}
	if (auto number = std::get_if<int32_t>(&value->value)) {
		return *number;
	}
	if (auto number = std::get_if<int64_t>(&value->value); number && *number >= INT32_MIN && *number <= INT32_MAX) {
		return static_cast<int32_t>(*number);
	}
	WrongType(name, "an int");
}

std::optional<bool> AsBool(const AvroValue *value, std::string_view name) {
	if (!value) {
		return std::nullopt;
	}
	if (auto flag = std::get_if<bool>(&value->value)) {
		return *flag;
	}
	WrongType(name, "a boolean");
}

std::optional<std::string> AsString(const AvroValue *value, std::string_view name) {
	if (!value) {
		return std::nullopt;
	}
	if (auto text = std::get_if<std::string>(&value->value)) {
		return *text;
	}
	WrongType(name, "a string");
}

std::optional<std::string> AsBinary(const AvroValue *value, std::string_view name) {
	if (!value) {
		return std::nullopt;
	}
	if (auto bytes = std::get_if<AvroBytes>(&value->value)) {
		return bytes->data;
	}
	WrongType(name, "binary");
}

int64_t RequireLong(const AvroValue *value, std::string_view name) {
	auto number = AsLong(value, name);
	if (!number) {
		throw Error(ErrorCode::InvalidInput, fmt::format("manifest field \"{}\" is missing", name));
	}
	return *number;
}

int32_t RequireInt(const AvroValue *value, std::string_view name) {
	auto number = AsInt(value, name);
	if (!number) {
		throw Error(ErrorCode::InvalidInput, fmt::format("manifest field \"{}\" is missing", name));
	}
	return *number;
}

std::string RequireString(const AvroValue *value, std::string_view name) {
	auto text = AsString(value, name);
	if (!text) {
		throw Error(ErrorCode::InvalidInput, fmt::format("manifest field \"{}\" is missing", name));
	}
	return std::move(*text);
}

const AvroRecord &RequireRecord(const AvroValue *value, std::string_view name) {
	if (!value) {
		throw Error(ErrorCode::InvalidInput, fmt::format("manifest field \"{}\" is missing", name));
	}
	if (auto record = std::get_if<AvroRecord>(&value->value)) {
		return *record;
	}
	WrongType(name, "a record");
}

const std::vector<AvroValue> &Items(const AvroValue *value, std::string_view name) {
	static const std::vector<AvroValue> kEmpty;
	if (!value) {
		return kEmpty;
	}
	if (auto array = std::get_if<AvroArray>(&value->value)) {
		return array->items;
	}
	WrongType(name, "an array");
}

namespace {

template <class V, class Read>
std::map<int32_t, V> IntMap(const AvroValue *value, std::string_view name, Read read) {
	std::map<int32_t, V> map;
	for (auto &item : Items(value, name)) {
		auto entry = std::get_if<AvroRecord>(&item.value);
		if (!entry || entry->fields.size() != 2) {
			WrongType(name, "a map of key-value records");
		}
		auto key = AsInt(&entry->fields[0], name);
		auto mapped = read(entry->fields[1].IsNull() ? nullptr : &entry->fields[1], name);
		if (!key || !mapped) {
			WrongType(name, "a map without null keys or values");
		}
		map[*key] = std::move(*mapped);
	}
	return map;
}

} // namespace

std::map<int32_t, int64_t> AsIntLongMap(const AvroValue *value, std::string_view name) {
	return IntMap<int64_t>(value, name, AsLong);
}

std::map<int32_t, std::string> AsIntBinaryMap(const AvroValue *value, std::string_view name) {
	return IntMap<std::string>(value, name, AsBinary);
}

AvroValue Optional(std::optional<int64_t> value) {
	return value ? AvroValue {*value} : AvroValue {};
}

AvroValue Optional(std::optional<int32_t> value) {
	return value ? AvroValue {*value} : AvroValue {};
}

AvroValue Optional(const std::optional<std::string> &value) {
	return value ? AvroValue {*value} : AvroValue {};
}

AvroValue OptionalBinary(const std::optional<std::string> &value) {
	return value ? AvroValue {AvroBytes {*value}} : AvroValue {};
}

namespace {

// Entries are built in place: moving a freshly made AvroValue into a vector trips GCC 12's
// -Wmaybe-uninitialized on std::variant.
template <class V, class Wrap>
AvroValue KeyValueArray(const std::map<int32_t, V> &map, Wrap wrap) {
	AvroValue out;
	auto &items = out.value.emplace<AvroArray>().items;
	items.reserve(map.size());
	for (auto &[key, value] : map) {
		auto &fields = items.emplace_back().value.emplace<AvroRecord>().fields;
		fields.resize(2);
		fields[0].value = key;
		fields[1].value = wrap(value);
	}
	return out;
}

} // namespace

AvroValue IntLongMap(const std::map<int32_t, int64_t> &map) {
	return KeyValueArray(map, [](int64_t value) { return value; });
}

AvroValue IntBinaryMap(const std::map<int32_t, std::string> &map) {
	return KeyValueArray(map, [](const std::string &value) { return AvroBytes {value}; });
}

} // namespace akko::iceberg::manifest_avro
