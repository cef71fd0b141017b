#pragma once
// Decodes PostgreSQL frontend messages from a byte stream. A state machine that never
// throws: it answers NeedMoreData, Ready or Stopped (with the reason), so it can be fuzzed.
#include <cstdint>
#include <string>
#include <string_view>

namespace akko::pgwire {

enum class DecodeStatus { NeedMoreData, Ready, Stopped };

struct FrontendMessage {
	char type = 0;            // 0 for the untyped startup-phase messages
	std::string_view payload; // valid until the next call to Next or Consume
};

class MessageReader {
public:
	explicit MessageReader(uint32_t max_message_bytes_p) : max_message_bytes(max_message_bytes_p) {
	}
	// The startup packet, SSLRequest and CancelRequest carry no type byte.
	void ExpectStartup(bool startup) {
		in_startup = startup;
	}
	void Feed(std::string_view bytes);
	// Removes bytes already decoded (called before feeding when the buffer grows).
	DecodeStatus Next(FrontendMessage &message);
	const std::string &StopReason() const {
		return stop_reason;
	}
	// Bytes received but not yet decoded (a TLS upgrade must not have any).
	size_t Buffered() const {
		return buffer.size() - consumed;
	}

private:
	uint32_t max_message_bytes;
	bool in_startup = true;
	std::string buffer;
	size_t consumed = 0;
	std::string stop_reason;
};

// Bounds-checked reads from a message payload; every read reports failure instead of throwing.
class PayloadReader {
public:
	explicit PayloadReader(std::string_view payload_p) : payload(payload_p) {
	}
	bool ReadInt16(int16_t &value);
	bool ReadInt32(int32_t &value);
	bool ReadByte(char &value);
	bool ReadCString(std::string_view &value);
	bool ReadBytes(size_t count, std::string_view &value);
	size_t Remaining() const {
		return payload.size() - offset;
	}

private:
	std::string_view payload;
	size_t offset = 0;
};

} // namespace akko::pgwire
