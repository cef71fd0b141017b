#pragma once
// Builds the S3 API's XML answers: elements in the S3 namespace, text escaped.
#include <string>
#include <string_view>
#include <vector>

namespace akko::s3_api {

class XmlWriter {
public:
	// Starts the document with its root element, which carries S3's namespace unless it is an
	// error (S3's <Error> has none, and clients read its Code only without one).
	explicit XmlWriter(std::string_view root);
	XmlWriter &Open(std::string_view name);
	XmlWriter &Close();
	// <name>text</name>
	XmlWriter &Element(std::string_view name, std::string_view text);
	// Closes what is open and returns the document.
	std::string Finish();

private:
	std::string out;
	std::vector<std::string> open;
};

} // namespace akko::s3_api
