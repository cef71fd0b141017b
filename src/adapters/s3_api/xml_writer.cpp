#include "adapters/s3_api/xml_writer.hpp"

#include "objstore/s3_xml.hpp"

namespace akko::s3_api {

XmlWriter::XmlWriter(std::string_view root) {
	out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
	out += root;
	out += root == "Error" ? ">" : " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
	open.emplace_back(root);
}

XmlWriter &XmlWriter::Open(std::string_view name) {
	out += '<';
	out += name;
	out += '>';
	open.emplace_back(name);
	return *this;
}

XmlWriter &XmlWriter::Close() {
	out += "</";
	out += open.back();
	out += '>';
	open.pop_back();
	return *this;
}

XmlWriter &XmlWriter::Element(std::string_view name, std::string_view text) {
	out += '<';
	out += name;
	out += '>';
	out += objstore::XmlEscape(text);
	out += "</";
	out += name;
	out += '>';
	return *this;
}

std::string XmlWriter::Finish() {
	while (!open.empty()) {
		Close();
	}
	return std::move(out);
}

} // namespace akko::s3_api
