#pragma once
// Builds PostgreSQL backend messages into one output buffer.
#include <cstdint>
#include <string>
#include <string_view>

namespace akko::pgwire {

class MessageWriter {
public:
	std::string &Buffer() {
		return out;
	}
	size_t Size() const {
		return out.size();
	}
	void Clear() {
		out.clear();
	}

	// A message: Begin(type), Put* its fields, End() fills in the length.
	void Begin(char type) {
		out += type;
		start = out.size();
		out.append(4, '\0');
	}
	void End() {
		PatchInt32(start, static_cast<int32_t>(out.size() - start));
	}
	void PutInt16(int16_t value) {
		out += static_cast<char>((value >> 8) & 0xFF);
		out += static_cast<char>(value & 0xFF);
	}
	void PutInt32(int32_t value) {
		char bytes[4] = {static_cast<char>((value >> 24) & 0xFF), static_cast<char>((value >> 16) & 0xFF),
		                 static_cast<char>((value >> 8) & 0xFF), static_cast<char>(value & 0xFF)};
		out.append(bytes, 4);
	}
	void PutCString(std::string_view text) {
		out.append(text);
		out += '\0';
	}
	void PutBytes(std::string_view bytes) {
		out.append(bytes);
	}
	// Reserves an int32 length to fill in later with PatchInt32 (DataRow fields).
	size_t ReserveInt32() {
		out.append(4, '\0');
		return out.size() - 4;
	}
	void PatchInt32(size_t at, int32_t value) {
		out[at] = static_cast<char>((value >> 24) & 0xFF);
		out[at + 1] = static_cast<char>((value >> 16) & 0xFF);
		out[at + 2] = static_cast<char>((value >> 8) & 0xFF);
		out[at + 3] = static_cast<char>(value & 0xFF);
	}

	void AuthenticationOk();
	void ParameterStatus(std::string_view name, std::string_view value);
	void BackendKeyData(int32_t pid, int32_t secret);
	void ReadyForQuery(char status);
	void CommandComplete(std::string_view tag);
	void EmptyQueryResponse();
	// ErrorResponse ('E') or NoticeResponse ('N').
	void ErrorOrNotice(char type, std::string_view severity, std::string_view sqlstate, std::string_view message,
	                   uint32_t position = 0, std::string_view detail = {});
	void Simple(char type); // ParseComplete '1', BindComplete '2', CloseComplete '3', NoData 'n', PortalSuspended 's'

private:
	std::string out;
	size_t start = 0;
};

} // namespace akko::pgwire
