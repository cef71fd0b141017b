// Feeds arbitrary bytes to everything that decodes client input on the PostgreSQL wire:
// the message framer, the payload readers, parameter decoding, COPY data and the lexer.
// None of them may crash, hang or read out of bounds; errors are values or akko::Error.
#include "adapters/pgwire/pg_message_reader.hpp"
#include "adapters/pgwire/pg_types.hpp"
#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "sql/copy_spec.hpp"

#include <cstddef>
#include <cstdint>

using namespace akko;

namespace {

void DecodePayload(char type, std::string_view payload) {
	pgwire::PayloadReader in(payload);
	std::string_view text;
	int16_t count16;
	int32_t count32;
	switch (type) {
	case 'P':
		if (in.ReadCString(text) && in.ReadCString(text)) {
			SplitStatements(text);
			Tokenize(text);
		}
		break;
	case 'B':
		if (in.ReadCString(text) && in.ReadCString(text) && in.ReadInt16(count16) && count16 >= 0) {
			for (int i = 0; i < count16 && in.ReadInt16(count16); i++) {
			}
			while (in.ReadInt32(count32) && count32 >= 0 && in.ReadBytes(static_cast<size_t>(count32), text)) {
				for (int32_t oid : {16, 20, 21, 23, 700, 701, 1082, 1083, 1114, 1184, 1186, 1700, 2950, 3802, 17, 25}) {
					pgwire::DecodeParameter(text, true, oid);
					pgwire::DecodeParameter(text, false, oid);
				}
			}
		}
		break;
	case 'd': {
		for (auto format : {sql::CopySpec::Format::Text, sql::CopySpec::Format::Csv}) {
			sql::CopySpec spec;
			spec.format = format;
			if (format == sql::CopySpec::Format::Csv) {
				spec.delimiter = ',';
				spec.null_string.clear();
			}
			sql::CopyRowParser parser(spec);
			auto on_row = [](const std::vector<std::optional<std::string_view>> &) {};
			try {
				parser.Feed(payload, on_row);
				parser.Finish(on_row);
			} catch (const akko::Error &) {
			}
		}
		break;
	}
	case 'Q': {
		if (in.ReadCString(text)) {
			bool from_stdin = false;
			try {
				sql::ParseCopy(std::string(text), from_stdin);
			} catch (const akko::Error &) {
			}
		}
		break;
	}
	default:
		while (in.ReadCString(text)) {
		}
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	std::string_view bytes(reinterpret_cast<const char *>(data), size);
	pgwire::MessageReader reader(1 << 20);
	// The first byte chooses how the stream is cut into reads, to reach partial messages.
	size_t step = size ? (data[0] % 7) + 1 : 1;
	pgwire::FrontendMessage message;
	bool startup = true;
	for (size_t at = 1; at < size; at += step) {
		reader.Feed(bytes.substr(at, step));
		while (true) {
			auto status = reader.Next(message);
			if (status != pgwire::DecodeStatus::Ready) {
				break;
			}
			DecodePayload(message.type, message.payload);
			if (startup) {
				startup = false;
				reader.ExpectStartup(false);
			}
		}
	}
	return 0;
}
