#include "adapters/pgwire/pg_message_reader.hpp"

#include <cstring>

namespace akko::pgwire {

namespace {
uint32_t BigEndian32(const char *p) {
	return (uint32_t(uint8_t(p[0])) << 24) | (uint32_t(uint8_t(p[1])) << 16) | (uint32_t(uint8_t(p[2])) << 8) |
	       uint32_t(uint8_t(p[3]));
}
} // namespace

void MessageReader::Feed(std::string_view bytes) {
	if (consumed > 0 && consumed >= buffer.size() / 2) {
		buffer.erase(0, consumed);
		consumed = 0;
	}
	buffer.append(bytes);
}

DecodeStatus MessageReader::Next(FrontendMessage &message) {
	if (!stop_reason.empty()) {
		return DecodeStatus::Stopped;
	}
	size_t header = in_startup ? 4 : 5;
	size_t available = buffer.size() - consumed;
	if (available < header) {
		return DecodeStatus::NeedMoreData;
	}
	const char *start = buffer.data() + consumed;
	char type = in_startup ? 0 : start[0];
	uint32_t length = BigEndian32(start + header - 4);
	if (length < 4) {
		stop_reason = "invalid message length";
		return DecodeStatus::Stopped;
	}
	if (length > max_message_bytes) {
		stop_reason = "message of " + std::to_string(length) + " bytes is larger than the limit of " +
		              std::to_string(max_message_bytes) + " bytes";
		return DecodeStatus::Stopped;
	}
	size_t total = header - 4 + length;
	if (available < total) {
		buffer.reserve(consumed + total);
		return DecodeStatus::NeedMoreData;
	}
	message.type = type;
	message.payload = std::string_view(start + header, total - header);
	consumed += total;
	return DecodeStatus::Ready;
}

bool PayloadReader::ReadInt16(int16_t &value) {
	if (Remaining() < 2) {
		return false;
	}
	value = static_cast<int16_t>((uint16_t(uint8_t(payload[offset])) << 8) | uint8_t(payload[offset + 1]));
	offset += 2;
	return true;
}

bool PayloadReader::ReadInt32(int32_t &value) {
	if (Remaining() < 4) {
		return false;
	}
	value = static_cast<int32_t>(BigEndian32(payload.data() + offset));
	offset += 4;
	return true;
}

bool PayloadReader::ReadByte(char &value) {
	if (Remaining() < 1) {
		return false;
	}
	value = payload[offset++];
	return true;
}

bool PayloadReader::ReadCString(std::string_view &value) {
	auto end = payload.find('\0', offset);
	if (end == std::string_view::npos) {
		return false;
	}
	value = payload.substr(offset, end - offset);
	offset = end + 1;
	return true;
}

bool PayloadReader::ReadBytes(size_t count, std::string_view &value) {
	if (Remaining() < count) {
		return false;
	}
	value = payload.substr(offset, count);
	offset += count;
	return true;
}

} // namespace akko::pgwire
