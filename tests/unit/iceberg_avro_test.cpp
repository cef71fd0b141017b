// The Avro container reader and writer against the Avro 1.11 specification's encoding
// examples, containers assembled here byte by byte from the specification (including the
// snappy and zstandard framings, built from their format documents), schemas written by Java
// Iceberg, and hostile input that must raise akko::Error, never crash or hang.
#include "common/error.hpp"
#include "iceberg/avro_reader.hpp"
#include "iceberg/avro_writer.hpp"

#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <zlib.h>

using namespace akko::iceberg;
using akko::Error;

namespace {

const std::string kSync = "0123456789abcdef";

std::string Hex(std::string_view bytes) {
	std::string out;
	for (char c : bytes) {
		out += fmt::format("{:02x}", static_cast<uint8_t>(c));
	}
	return out;
}

std::string Zigzag(int64_t value) {
	auto bits = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
	std::string out;
	while (bits >= 0x80) {
		out.push_back(static_cast<char>((bits & 0x7F) | 0x80));
		bits >>= 7;
	}
	out.push_back(static_cast<char>(bits));
	return out;
}

std::string AvroString(std::string_view text) {
	return Zigzag(static_cast<int64_t>(text.size())) + std::string(text);
}

struct Block {
	int64_t count;
	std::string data;
};

// A container file assembled by hand from the specification's layout.
std::string Container(std::string_view schema, std::string_view codec, const std::vector<Block> &blocks) {
	std::string file("Obj\x01", 4);
	file += Zigzag(2) + AvroString("avro.schema") + AvroString(schema) + AvroString("avro.codec") + AvroString(codec);
	file += Zigzag(0) + kSync;
	for (auto &block : blocks) {
		file += Zigzag(block.count) + Zigzag(static_cast<int64_t>(block.data.size())) + block.data + kSync;
	}
	return file;
}

std::vector<AvroValue> ReadAll(std::string_view file) {
	AvroReader reader(file);
	std::vector<AvroValue> records;
	AvroValue value;
	while (reader.Next(value)) {
		records.push_back(value);
	}
	return records;
}

std::string WriteOne(std::string_view schema, const AvroValue &value) {
	AvroWriter writer(ParseAvroSchema(schema), {}, AvroCodec::Null);
	writer.Append(value);
	return writer.Finish();
}

// The data of the only block of a null-codec file our writer made.
std::string OnlyBlockData(const std::string &file) {
	auto sync = file.substr(file.size() - 16);
	auto position = file.find(sync) + 16;
	auto read_varint = [&]() {
		uint64_t bits = 0;
		for (int shift = 0;; shift += 7) {
			auto byte = static_cast<uint8_t>(file[position++]);
			bits |= static_cast<uint64_t>(byte & 0x7F) << shift;
			if (!(byte & 0x80)) {
				return static_cast<int64_t>(bits >> 1) ^ -static_cast<int64_t>(bits & 1);
			}
		}
	};
	read_varint(); // count
	auto size = read_varint();
	return file.substr(position, static_cast<size_t>(size));
}

AvroValue Long(int64_t value) {
	return AvroValue {value};
}

std::string Fixture(const std::string &relative) {
	std::ifstream in(std::string(AKKO_SOURCE_DIR) + "/tests/fixtures/iceberg/" + relative, std::ios::binary);
	std::stringstream buffer;
	buffer << in.rdbuf();
	return buffer.str();
}

TEST(AvroEncoding, SpecificationExamples) {
	// "Binary Encoding": zig-zag varints.
	std::pair<int64_t, const char *> longs[] = {{0, "00"}, {-1, "01"}, {1, "02"}, {-2, "03"},
	                                           {2, "04"}, {-64, "7f"}, {64, "8001"}};
	for (auto [value, hex] : longs) {
		EXPECT_EQ(Hex(OnlyBlockData(WriteOne("\"long\"", Long(value)))), hex) << value;
	}
	EXPECT_EQ(Hex(OnlyBlockData(WriteOne("\"string\"", AvroValue {std::string("foo")}))), "06666f6f");
	// The record example: a = 27, b = "foo".
	auto record_schema = R"({"type":"record","name":"test","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]})";
	auto record = AvroValue {AvroRecord {{Long(27), AvroValue {std::string("foo")}}}};
	EXPECT_EQ(Hex(OnlyBlockData(WriteOne(record_schema, record))), "3606666f6f");
	// The array example: [3, 27].
	EXPECT_EQ(Hex(OnlyBlockData(WriteOne(R"({"type":"array","items":"long"})", AvroValue {AvroArray {{Long(3), Long(27)}}}))),
	          "04063600");
	// The union example: ["null","string"] holding null, then "a".
	EXPECT_EQ(Hex(OnlyBlockData(WriteOne(R"(["null","string"])", AvroValue {}))), "00");
	EXPECT_EQ(Hex(OnlyBlockData(WriteOne(R"(["null","string"])", AvroValue {std::string("a")}))), "020261");
	// Floats and doubles as IEEE 754 little-endian; booleans as one byte.
	EXPECT_EQ(Hex(OnlyBlockData(WriteOne("\"float\"", AvroValue {-4.5F}))), "000090c0");
	EXPECT_EQ(Hex(OnlyBlockData(WriteOne("\"double\"", AvroValue {6.0}))), "0000000000001840");
	EXPECT_EQ(Hex(OnlyBlockData(WriteOne("\"boolean\"", AvroValue {true}))), "01");
}

TEST(AvroContainer, ReadsAHandAssembledFile) {
	// Enum, fixed, a map written with a negative block count (count, then byte size), a
	// namespaced fixed referenced by its full name, and a union chosen by index.
	auto schema = R"({"type":"record","name":"r","namespace":"n","fields":[
		{"name":"e","type":{"type":"enum","name":"color","symbols":["RED","GREEN"]}},
		{"name":"f","type":{"type":"fixed","name":"four","size":4}},
		{"name":"g","type":"n.four"},
		{"name":"m","type":{"type":"map","values":"int"}},
		{"name":"u","type":["null","double","string"]}]})";
	std::string data;
	data += Zigzag(1);                                          // GREEN
	data += "abcd";                                             // f
	data += "wxyz";                                             // g
	auto entries = AvroString("k") + Zigzag(7) + AvroString("j") + Zigzag(-8);
	data += Zigzag(-2) + Zigzag(static_cast<int64_t>(entries.size())) + entries + Zigzag(0);
	data += Zigzag(2) + AvroString("hi");                       // union branch 2
	auto records = ReadAll(Container(schema, "null", {{1, data}}));
	ASSERT_EQ(records.size(), 1u);
	auto &fields = std::get<AvroRecord>(records[0].value).fields;
	EXPECT_EQ(std::get<std::string>(fields[0].value), "GREEN");
	EXPECT_EQ(std::get<AvroBytes>(fields[1].value).data, "abcd");
	EXPECT_EQ(std::get<AvroBytes>(fields[2].value).data, "wxyz");
	auto &map = std::get<AvroMap>(fields[3].value);
	EXPECT_EQ(map.keys, (std::vector<std::string> {"k", "j"}));
	ASSERT_EQ(map.values.size(), 2u);
	EXPECT_EQ(std::get<int32_t>(map.values[0].value), 7);
	EXPECT_EQ(std::get<int32_t>(map.values[1].value), -8);
	EXPECT_EQ(std::get<std::string>(fields[4].value), "hi");
}

TEST(AvroContainer, ReadsSnappyAndZstandardBlocks) {
	// Three fixed(4) records "abcd" make the 12 bytes "abcdabcdabcd".
	auto schema = R"({"type":"fixed","name":"f","size":4})";
	// Snappy (format_description.txt): varint length 12; literal tag (4-1)<<2 then "abcd";
	// a copy with a 1-byte offset: tag 01 | (8-4)<<2, offset 4. Then Avro's big-endian
	// CRC-32 of the uncompressed bytes.
	std::string snappy = std::string("\x0c\x0c", 2) + "abcd" + std::string("\x11\x04", 2);
	uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef *>("abcdabcdabcd"), 12));
	for (int shift = 24; shift >= 0; shift -= 8) {
		snappy.push_back(static_cast<char>((crc >> shift) & 0xFF));
	}
	// Zstandard (RFC 8878): magic; frame header descriptor 0x20 (single segment, one-byte
	// content size); content size 12; one last raw block of 12 bytes (header 1 | 12 << 3).
	std::string zstd = std::string("\x28\xb5\x2f\xfd\x20\x0c\x61\x00\x00", 9) + "abcdabcdabcd";
	for (auto [codec, block] : {std::pair {"snappy", snappy}, std::pair {"zstandard", zstd}}) {
		auto records = ReadAll(Container(schema, codec, {{3, block}}));
		ASSERT_EQ(records.size(), 3u) << codec;
		for (auto &record : records) {
			EXPECT_EQ(std::get<AvroBytes>(record.value).data, "abcd");
		}
	}
	// A wrong checksum is corruption.
	snappy.back() ^= 1;
	EXPECT_THROW(ReadAll(Container(schema, "snappy", {{3, snappy}})), Error);
	EXPECT_THROW(ReadAll(Container(schema, "bzip2", {{3, "x"}})), Error);
}

TEST(AvroContainer, RoundTripsEveryTypeInManyBlocks) {
	auto schema = ParseAvroSchema(R"({"type":"record","name":"all","fields":[
		{"name":"n","type":"null"},{"name":"b","type":"boolean"},{"name":"i","type":"int"},
		{"name":"l","type":"long"},{"name":"f","type":"float"},{"name":"d","type":"double"},
		{"name":"s","type":"string"},{"name":"y","type":"bytes"},
		{"name":"x","type":{"type":"fixed","name":"two","size":2}},
		{"name":"e","type":{"type":"enum","name":"e","symbols":["A","B"]}},
		{"name":"a","type":{"type":"array","items":["null","long"]}},
		{"name":"m","type":{"type":"map","values":"string"}},
		{"name":"o","type":["null",{"type":"record","name":"inner","fields":[{"name":"z","type":"int"}]}]}]})");
	std::vector<AvroValue> records;
	for (int i = 0; i < 5000; i++) {
		AvroRecord record {{
		    AvroValue {},
		    AvroValue {i % 2 == 0},
		    AvroValue {int32_t(-i)},
		    AvroValue {int64_t(i) << 40},
		    AvroValue {float(i) / 3},
		    AvroValue {double(i) / 7},
		    AvroValue {std::string(static_cast<size_t>(i % 50), 'x')},
		    AvroValue {AvroBytes {std::string("\x00\xff", 2)}},
		    AvroValue {AvroBytes {"ab"}},
		    AvroValue {std::string(i % 3 ? "A" : "B")},
		    AvroValue {AvroArray {{AvroValue {}, AvroValue {int64_t(i)}}}},
		    AvroValue {AvroMap {{"k"}, {AvroValue {std::to_string(i)}}}},
		    i % 2 ? AvroValue {} : AvroValue {AvroRecord {{AvroValue {int32_t(i)}}}},
		}};
		records.emplace_back().value = std::move(record);
	}
	for (auto codec : {AvroCodec::Null, AvroCodec::Deflate, AvroCodec::Snappy, AvroCodec::Zstandard}) {
		AvroWriter writer(schema, {{"k", "v"}}, codec);
		for (auto &record : records) {
			writer.Append(record);
		}
		auto file = writer.Finish();
		AvroReader reader(file);
		EXPECT_EQ(reader.Codec(), codec);
		EXPECT_EQ(reader.FindMetadata("k"), "v");
		EXPECT_EQ(reader.FindMetadata("avro.codec"), AvroCodecName(codec));
		EXPECT_EQ(ReadAll(file), records) << AvroCodecName(codec);
	}
}

TEST(AvroContainer, WriterRefusesValuesThatDoNotMatch) {
	auto schema = R"({"type":"record","name":"r","fields":[{"name":"a","type":"long"}]})";
	AvroWriter writer(ParseAvroSchema(schema), {});
	try {
		writer.Append(AvroValue {AvroRecord {{AvroValue {int32_t(1)}}}});
		FAIL() << "an int is not a long";
	} catch (const Error &error) {
		EXPECT_NE(error.message.find("\"a\""), std::string::npos) << error.message;
	}
	EXPECT_THROW(writer.Append(AvroValue {AvroRecord {}}), Error);
	// The failed appends left nothing behind.
	writer.Append(AvroValue {AvroRecord {{Long(5)}}});
	auto records = ReadAll(writer.Finish());
	ASSERT_EQ(records.size(), 1u);
	EXPECT_THROW(AvroWriter(ParseAvroSchema("\"int\""), {{"avro.codec", "x"}}), Error);
}

TEST(AvroSchema, JavaManifestSchemasSurviveARoundTrip) {
	for (auto file : {"java_v2_equality_deletes/ec04e9ce-e03b-4fbe-a707-3645c1938319-m0.avro",
	                  "java_v2_equality_deletes/snap-3138177759849079112-1-ff275eec-b23b-435f-a6a5-1ab7ce1c8749.avro",
	                  "pyiceberg_v2_timestamptz/cf619707-d8b6-44d1-b057-0af5e41c05bb-m0.avro"}) {
		auto bytes = Fixture(file);
		ASSERT_FALSE(bytes.empty()) << file;
		AvroReader reader(bytes);
		auto original = nlohmann::json::parse(*reader.FindMetadata("avro.schema"));
		EXPECT_EQ(nlohmann::json::parse(reader.Schema().ToJson()), original) << file;
	}
	// Iceberg's attributes are where Java put them.
	AvroReader reader(Fixture("java_v2_equality_deletes/ec04e9ce-e03b-4fbe-a707-3645c1938319-m0.avro"));
	auto &entry = reader.Schema();
	auto data_file = entry.FindField(2, "");
	ASSERT_TRUE(data_file);
	EXPECT_EQ(entry.fields[*data_file].name, "data_file");
	auto &file = entry.fields[*data_file].type;
	auto lower = file.FindField(125, "");
	ASSERT_TRUE(lower);
	auto &map = file.fields[*lower].type.NonNull();
	EXPECT_EQ(map.LogicalType(), "map");
	EXPECT_EQ(map.Element().fields[0].FieldId(), 126);
	EXPECT_EQ(map.Element().fields[1].FieldId(), 127);
	auto &offsets = file.fields[*file.FindField(132, "")].type.NonNull();
	EXPECT_EQ(offsets.IntAttribute("element-id"), 133);
}

TEST(AvroSchema, NamedTypesAreDefinedOnceAndReferenced) {
	auto schema = ParseAvroSchema(R"({"type":"record","name":"r","fields":[
		{"name":"a","type":{"type":"fixed","name":"f","namespace":"x","size":3}},
		{"name":"b","type":"x.f"}]})");
	EXPECT_EQ(schema.fields[1].type.type, AvroType::Fixed);
	EXPECT_EQ(schema.fields[1].type.size, 3);
	auto json = nlohmann::json::parse(schema.ToJson());
	EXPECT_EQ(json["fields"][1]["type"], "x.f");
	EXPECT_THROW(ParseAvroSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"nope"}]})"), Error);
	EXPECT_THROW(ParseAvroSchema(R"(["null",["int"]])"), Error);
	EXPECT_THROW(ParseAvroSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})"),
	             Error);
}

TEST(AvroHostile, SchemasThatWouldExhaustTheStackOrMemory) {
	// Deep nesting.
	std::string deep;
	for (int i = 0; i < 10000; i++) {
		deep += R"({"type":"array","items":)";
	}
	deep += "\"int\"" + std::string(10000, '}');
	EXPECT_THROW(ParseAvroSchema(deep), Error);
	// Each record holds two of the previous one: 2^40 nodes once expanded.
	std::string doubling = R"({"type":"record","name":"t0","fields":[]})";
	for (int i = 1; i <= 40; i++) {
		doubling = fmt::format(R"({{"type":"record","name":"t{}","fields":[{{"name":"a","type":{}}},{{"name":"b","type":"t{}"}}]}})",
		                       i, doubling, i - 1);
	}
	EXPECT_THROW(ParseAvroSchema(doubling), Error);
	// A record that contains itself.
	EXPECT_THROW(ParseAvroSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":["null","r"]}]})"), Error);
	EXPECT_THROW(ParseAvroSchema("{"), Error);
	EXPECT_THROW(ParseAvroSchema(R"({"type":"fixed","name":"f","size":-1})"), Error);
}

TEST(AvroHostile, LengthsAndCountsBeyondTheInput) {
	auto expect_invalid = [](const std::string &file) {
		try {
			ReadAll(file);
			ADD_FAILURE() << "read a hostile file";
		} catch (const Error &error) {
			EXPECT_EQ(error.code, akko::ErrorCode::InvalidInput) << error.message;
		}
	};
	// A string claiming 2^62 bytes.
	expect_invalid(Container("\"string\"", "null", {{1, Zigzag(int64_t(1) << 62)}}));
	// A negative length.
	expect_invalid(Container("\"bytes\"", "null", {{1, Zigzag(-5)}}));
	// 2^40 array items of null: costless items beyond the block's allowance.
	expect_invalid(Container(R"({"type":"array","items":"null"})", "null", {{1, Zigzag(int64_t(1) << 40) + Zigzag(0)}}));
	// 2^40 records of null in one block.
	expect_invalid(Container("\"null\"", "null", {{int64_t(1) << 40, ""}}));
	// A count of longs that cannot fit in the block.
	expect_invalid(Container(R"({"type":"array","items":"long"})", "null", {{1, Zigzag(1000) + Zigzag(1)}}));
	// Union index and enum index out of range; a boolean byte of 2.
	expect_invalid(Container(R"(["null","int"])", "null", {{1, Zigzag(2)}}));
	expect_invalid(Container(R"({"type":"enum","name":"e","symbols":["A"]})", "null", {{1, Zigzag(1)}}));
	expect_invalid(Container("\"boolean\"", "null", {{1, "\x02"}}));
	// A varint of eleven bytes.
	expect_invalid(Container("\"long\"", "null", {{1, std::string(10, '\xff') + "\x01"}}));
	// Bytes left over after the block's records; a wrong sync marker; no magic.
	expect_invalid(Container("\"int\"", "null", {{1, Zigzag(1) + Zigzag(2)}}));
	auto file = Container("\"int\"", "null", {{1, Zigzag(1)}});
	file[file.size() - 1] ^= 1;
	expect_invalid(file);
	expect_invalid("Obj\x02");
	expect_invalid("");
	// A metadata map with 2^40 entries, and one without avro.schema.
	expect_invalid(std::string("Obj\x01", 4) + Zigzag(int64_t(1) << 40));
	expect_invalid(std::string("Obj\x01", 4) + Zigzag(0) + kSync);
}

TEST(AvroHostile, DeflateBombIsCapped) {
	// 300 MiB of zeros deflate to about 300 KB; the reader stops at its 256 MiB cap.
	z_stream stream {};
	ASSERT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	std::string zeros(1 << 20, '\0');
	std::string compressed;
	char buffer[1 << 16];
	for (int i = 0; i < 300; i++) {
		stream.next_in = reinterpret_cast<Bytef *>(zeros.data());
		stream.avail_in = static_cast<uInt>(zeros.size());
		int flush = i == 299 ? Z_FINISH : Z_NO_FLUSH;
		do {
			stream.next_out = reinterpret_cast<Bytef *>(buffer);
			stream.avail_out = sizeof(buffer);
			deflate(&stream, flush);
			compressed.append(buffer, sizeof(buffer) - stream.avail_out);
		} while (stream.avail_out == 0);
	}
	deflateEnd(&stream);
	EXPECT_THROW(ReadAll(Container("\"null\"", "deflate", {{1, compressed}})), Error);
}

TEST(AvroHostile, EveryTruncationAndByteFlipFailsCleanly) {
	// A real Java manifest: every prefix and every single-byte change must either read or
	// raise akko::Error, and a prefix may not yield more records than the file holds.
	auto file = Fixture("java_v2_equality_deletes/ff275eec-b23b-435f-a6a5-1ab7ce1c8749-m0.avro");
	ASSERT_FALSE(file.empty());
	size_t full = ReadAll(file).size();
	for (size_t length = 0; length < file.size(); length++) {
		try {
			EXPECT_LT(ReadAll(file.substr(0, length)).size(), full);
		} catch (const Error &) {
		}
	}
	for (size_t i = 0; i < file.size(); i++) {
		for (uint8_t flip : {0x01, 0x80, 0xff}) {
			auto changed = file;
			changed[i] = static_cast<char>(changed[i] ^ flip);
			try {
				ReadAll(changed);
			} catch (const Error &) {
			}
		}
	}
}

} // namespace
