#include "adapters/pgwire/pg_message_writer.hpp"

#include <string>

namespace akko::pgwire {

void MessageWriter::AuthenticationOk() {
	Begin('R');
	PutInt32(0);
	End();
}

void MessageWriter::ParameterStatus(std::string_view name, std::string_view value) {
	Begin('S');
	PutCString(name);
	PutCString(value);
	End();
}

void MessageWriter::BackendKeyData(int32_t pid, int32_t secret) {
	Begin('K');
	PutInt32(pid);
	PutInt32(secret);
	End();
}

void MessageWriter::ReadyForQuery(char status) {
	Begin('Z');
	out += status;
	End();
}

void MessageWriter::CommandComplete(std::string_view tag) {
	Begin('C');
	PutCString(tag);
	End();
}

void MessageWriter::EmptyQueryResponse() {
	Simple('I');
}

void MessageWriter::ErrorOrNotice(char type, std::string_view severity, std::string_view sqlstate,
                                  std::string_view message, uint32_t position, std::string_view detail) {
	Begin(type);
	out += 'S';
	PutCString(severity);
	out += 'V';
	PutCString(severity);
	out += 'C';
	PutCString(sqlstate);
	out += 'M';
	// A message with a NUL would cut the field short; PostgreSQL never sends one.
	std::string text(message);
	for (auto &c : text) {
		if (c == '\0') {
			c = ' ';
		}
	}
	PutCString(text);
	if (!detail.empty()) {
		out += 'D';
		PutCString(detail);
	}
	if (position > 0) {
		out += 'P';
		PutCString(std::to_string(position));
	}
	out += '\0';
	End();
}

void MessageWriter::Simple(char type) {
	Begin(type);
	End();
}

} // namespace akko::pgwire
