#include "adapters/iceberg_rest/iceberg_rest.hpp"

#include "adapters/http_api/authenticator.hpp"
#include "adapters/iceberg_rest/rest_context.hpp"
#include "adapters/iceberg_rest/rest_error.hpp"
#include "authz/access_control.hpp"
#include "common/error.hpp"
#include "common/url.hpp"
#include "common/log.hpp"
#include "iceberg/metadata_json.hpp"
#include "iceberg/table_update.hpp"
#include "net/http_server.hpp"
#include "obs/audit_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace akko::iceberg_rest {

namespace {

constexpr std::string_view kMount = "/iceberg";

using Handler = net::HttpResponse (*)(RestContext &, const RestCall &);

Handler HandlerFor(Operation operation) {
	switch (operation) {
	case Operation::GetConfig:
		return GetConfig;
	case Operation::GetToken:
		return GetToken;
	case Operation::ListNamespaces:
		return ListNamespaces;
	case Operation::CreateNamespace:
		return CreateNamespace;
	case Operation::LoadNamespace:
		return LoadNamespace;
	case Operation::NamespaceExists:
		return NamespaceExists;
	case Operation::DropNamespace:
		return DropNamespace;
	case Operation::UpdateNamespaceProperties:
		return UpdateNamespaceProperties;
	case Operation::ListTables:
		return ListTables;
	case Operation::CreateTable:
		return CreateTable;
	case Operation::RegisterTable:
		return RegisterTable;
	case Operation::LoadTable:
		return LoadTable;
	case Operation::CommitTable:
		return CommitTable;
	case Operation::DropTable:
		return DropTable;
	case Operation::TableExists:
		return TableExists;
	case Operation::LoadCredentials:
		return LoadCredentials;
	case Operation::ReportMetrics:
		return ReportMetrics;
	case Operation::RenameTable:
		return RenameTable;
	case Operation::CommitTransaction:
		return CommitTransaction;
	case Operation::ListViews:
		return ListViews;
	case Operation::CreateView:
		return CreateView;
	case Operation::LoadView:
		return LoadView;
	case Operation::ReplaceView:
		return ReplaceView;
	case Operation::DropView:
		return DropView;
	case Operation::ViewExists:
		return ViewExists;
	case Operation::RenameView:
		return RenameView;
	}
	throw Error(ErrorCode::Internal, "an Iceberg REST operation without a handler");
}

std::string Dotted(const std::vector<std::string> &levels, const std::string &name = {}) {
	std::string text;
	for (auto &level : levels) {
		text += (text.empty() ? "" : ".") + level;
	}
	return name.empty() ? text : text + "." + name;
}

// The audit record's operation and tables for the calls that read or change table data (or
// hand out access to it): empty operation for the rest. Names the body carries are read
// leniently; a malformed body fails in the handler and is audited without them.
void DescribeForAudit(const RestRoute &route, const net::HttpRequest &request, obs::AuditRecord &audit) {
	const char *verb = nullptr;
	bool writes = true;
	switch (route.operation) {
	case Operation::LoadTable:
		verb = "loadTable";
		writes = false;
		break;
	case Operation::LoadCredentials:
		verb = "loadCredentials";
		writes = false;
		break;
	case Operation::CreateTable:
		verb = "createTable";
		break;
	case Operation::RegisterTable:
		verb = "registerTable";
		break;
	case Operation::CommitTable:
		verb = "updateTable";
		break;
	case Operation::DropTable:
		verb = "dropTable";
		break;
	case Operation::RenameTable:
		verb = "renameTable";
		break;
	case Operation::CommitTransaction:
		verb = "commitTransaction";
		break;
	case Operation::CreateView:
		verb = "createView";
		break;
	case Operation::ReplaceView:
		verb = "replaceView";
		break;
	case Operation::DropView:
		verb = "dropView";
		break;
	case Operation::RenameView:
		verb = "renameView";
		break;
	default:
		return;
	}
	std::vector<std::string> tables;
	auto named = [&](const nlohmann::json &id) {
		if (id.is_object() && id.contains("namespace") && id["namespace"].is_array() && id.contains("name") &&
		    id["name"].is_string()) {
			std::vector<std::string> levels;
			for (auto &level : id["namespace"]) {
				levels.push_back(level.is_string() ? level.get<std::string>() : level.dump());
			}
			tables.push_back(Dotted(levels, id["name"].get<std::string>()));
		}
	};
	auto body = route.name.empty() ? nlohmann::json::parse(request.body, nullptr, false) : nlohmann::json();
	if (!route.name.empty()) {
		tables.push_back(Dotted(route.namespace_name, route.name));
	} else if (body.is_object()) {
		if ((route.operation == Operation::CreateTable || route.operation == Operation::RegisterTable ||
		     route.operation == Operation::CreateView) &&
		    body.contains("name") && body["name"].is_string()) {
			tables.push_back(Dotted(route.namespace_name, body["name"].get<std::string>()));
		} else if (body.contains("source")) {
			named(body["source"]);
			named(body.value("destination", nlohmann::json()));
		} else if (body.contains("table-changes") && body["table-changes"].is_array()) {
			for (auto &change : body["table-changes"]) {
				named(change.value("identifier", nlohmann::json()));
			}
		}
	}
	std::string operation = fmt::format("iceberg:{}", verb);
	for (size_t i = 0; i < tables.size(); i++) {
		operation += (i == 0 ? " " : (route.operation == Operation::CommitTransaction ? ", " : " -> ")) + tables[i];
	}
	audit.operation = std::move(operation);
	(writes ? audit.tables_written : audit.tables_read) = std::move(tables);
}

// Authorization: one check per kind of operation, run before the handler, so a refused call
// touches nothing. Listings are filtered in their handlers through MayReference.
struct Gate {
	const authz::AccessControl &access;
	const authz::Principal &principal;

	[[noreturn]] static void Deny(const std::string &what) {
		throw Error(ErrorCode::PermissionDenied, fmt::format("permission denied: {}", what));
	}

	static authz::Securable On(const catalog::TableIdentifier &id) {
		return {id.namespace_name, id.name};
	}

	void Create(const metastore::NamespaceName &namespace_name) const {
		if (!access.MayCreateIn(principal, namespace_name)) {
			Deny(namespace_name.empty() ? fmt::format("user \"{}\" may not create or drop namespaces", principal.user)
			                            : fmt::format("user \"{}\" may not create or alter objects in \"{}\"",
			                                          principal.user, Dotted(namespace_name)));
		}
	}

	// Table metadata leads to every data file, so a principal who must read through a row
	// filter or column mask gets none of it: such a table is read through SQL.
	void ReadFiles(const catalog::TableIdentifier &id) const {
		if (!access.MayOnTable(principal, authz::Privilege::Select, On(id))) {
			Deny(fmt::format("user \"{}\" may not read \"{}\"", principal.user, catalog::ToString(id)));
		}
		auto restriction = access.RestrictionOn(principal, On(id));
		if (!restriction.row_filter.empty() || !restriction.column_masks.empty()) {
			Deny(fmt::format("user \"{}\" reads \"{}\" through a row filter or column mask, so only through SQL",
			                 principal.user, catalog::ToString(id)));
		}
	}

	void Read(const catalog::TableIdentifier &id) const {
		if (!access.MayOnTable(principal, authz::Privilege::Select, On(id))) {
			Deny(fmt::format("user \"{}\" may not read \"{}\"", principal.user, catalog::ToString(id)));
		}
	}

	void Reference(const catalog::TableIdentifier &id) const {
		if (!access.MayReference(principal, On(id))) {
			Deny(fmt::format("user \"{}\" has no privilege on \"{}\"", principal.user, catalog::ToString(id)));
		}
	}

	// A commit that changes only snapshots and statistics is a data change, needing what its
	// snapshots' operations imply; anything else (schema, spec, sort order, properties,
	// location, format version) alters the table.
	void Commit(const catalog::TableIdentifier &id, const nlohmann::json &change) const {
		bool alters = false;
		bool adds_snapshot = false;
		bool moves_refs = false;
		std::set<authz::Privilege> needed;
		if (auto requirements = change.find("requirements"); requirements != change.end() && requirements->is_array()) {
			for (auto &requirement : *requirements) {
				alters = alters || (requirement.is_object() && requirement.value("type", "") == "assert-create");
			}
		}
		auto updates = change.find("updates");
		if (updates != change.end() && updates->is_array()) {
			for (auto &json : *updates) {
				auto update = iceberg::ParseTableUpdate(json);
				if (auto *snapshot = std::get_if<iceberg::AddSnapshotUpdate>(&update)) {
					adds_snapshot = true;
					auto operation = snapshot->snapshot.summary.find("operation");
					auto name = operation == snapshot->snapshot.summary.end() ? std::string() : operation->second;
					if (name == "append") {
						needed.insert(authz::Privilege::Insert);
					} else if (name == "delete") {
						needed.insert(authz::Privilege::Delete);
					} else {
						// overwrite, replace: rows are rewritten.
						needed.insert(authz::Privilege::Update);
					}
				} else if (std::holds_alternative<iceberg::SetSnapshotRefUpdate>(update) ||
				           std::holds_alternative<iceberg::RemoveSnapshotRefUpdate>(update)) {
					moves_refs = true;
				} else if (std::holds_alternative<iceberg::RemoveSnapshotsUpdate>(update)) {
					needed.insert(authz::Privilege::Delete);
				} else if (std::holds_alternative<iceberg::SetStatisticsUpdate>(update) ||
				           std::holds_alternative<iceberg::RemoveStatisticsUpdate>(update) ||
				           std::holds_alternative<iceberg::SetPartitionStatisticsUpdate>(update) ||
				           std::holds_alternative<iceberg::RemovePartitionStatisticsUpdate>(update)) {
					needed.insert(authz::Privilege::Insert);
				} else {
					alters = true;
				}
			}
		}
		if (alters) {
			return Create(id.namespace_name);
		}
		if (moves_refs && !adds_snapshot) {
			// A rollback or a branch moved to an older snapshot changes what the table holds.
			needed.insert(authz::Privilege::Update);
		}
		for (auto privilege : needed) {
			if (!access.MayOnTable(principal, privilege, On(id))) {
				Deny(fmt::format("user \"{}\" lacks {} on \"{}\"", principal.user, authz::PrivilegeName(privilege),
				                 catalog::ToString(id)));
			}
		}
	}
};

void Authorize(const authz::AccessControl &access, const RestCall &call) {
	Gate gate {access, *call.principal};
	auto &route = call.route;
	auto id = call.Identifier();
	switch (route.operation) {
	case Operation::GetConfig:
	case Operation::GetToken:
	case Operation::ListNamespaces:
	case Operation::LoadNamespace:
	case Operation::NamespaceExists:
	case Operation::ListTables:
	case Operation::ListViews:
		return;
	case Operation::CreateNamespace:
	case Operation::DropNamespace:
		return gate.Create({});
	case Operation::UpdateNamespaceProperties:
	case Operation::CreateTable:
	case Operation::RegisterTable:
	case Operation::DropTable:
	case Operation::CreateView:
	case Operation::ReplaceView:
	case Operation::DropView:
		return gate.Create(route.namespace_name);
	case Operation::LoadTable:
	case Operation::TableExists:
	case Operation::LoadCredentials:
		return gate.ReadFiles(id);
	case Operation::LoadView:
	case Operation::ViewExists:
		return gate.Read(id);
	case Operation::ReportMetrics:
		return gate.Reference(id);
	case Operation::RenameTable:
	case Operation::RenameView: {
		auto body = call.Body();
		gate.Create(ParseTableIdentifier(iceberg::metadata_json::RequireMember(body, "source", "RenameTableRequest"),
		                                 "source")
		                .namespace_name);
		return gate.Create(
		    ParseTableIdentifier(iceberg::metadata_json::RequireMember(body, "destination", "RenameTableRequest"),
		                         "destination")
		        .namespace_name);
	}
	case Operation::CommitTable:
		return gate.Commit(id, call.Body());
	case Operation::CommitTransaction: {
		auto body = call.Body();
		for (auto &item : iceberg::metadata_json::RequireArray(body, "table-changes", "CommitTransactionRequest")) {
			auto &change = iceberg::metadata_json::RequireObject(item, "table-changes[]");
			gate.Commit(ParseTableIdentifier(
			                iceberg::metadata_json::RequireMember(change, "identifier", "table-changes[]"), "identifier"),
			            change);
		}
		return;
	}
	}
	Gate::Deny("an operation without an authorization rule");
}

net::HttpResponse Unauthorized(const std::string &message) {
	auto response = ErrorResponse({401, "NotAuthorizedException", message});
	response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"akko\"");
	return response;
}

// Runs the operation the request names, answering every failure in the error model; fills
// `audit` for the calls that are audited.
net::HttpResponse Handle(RestContext &context, const net::HttpRequest &request, obs::AuditRecord &audit) {
	RestRoute route;
	try {
		auto match = MatchRoute(request.method, std::string_view(request.path).substr(kMount.size()));
		if (!match.route) {
			if (match.status == 405) {
				auto response = ErrorResponse({405, "MethodNotAllowedException",
				                               fmt::format("{} is not allowed on {}", request.method, request.path)});
				response.headers.emplace_back("Allow", match.allowed);
				return response;
			}
			return ErrorResponse(
			    {404, "NotFoundException", fmt::format("no route for {} {}", request.method, request.path)});
		}
		route = std::move(*match.route);
		DescribeForAudit(route, request, audit);
		RestCall call {request, route, ParseQuery(request.query), {}, {}};
		auth::Caller caller;
		if (route.operation != Operation::GetToken) {
			try {
				caller = http_api::Authenticate(request, context.users, http_api::Credentials::BasicOrBearer,
				                                "iceberg_rest");
				call.user = caller.user;
			} catch (const Error &error) {
				if (error.code != ErrorCode::InvalidAuthorization && error.code != ErrorCode::InvalidPassword) {
					throw;
				}
				audit.outcome = Describe(error.code).name;
				audit.error = error.message;
				return Unauthorized(error.message);
			}
		}
		audit.user = call.user;
		if (context.options.access && !call.user.empty()) {
			call.principal = context.options.access->Resolve(call.user, caller.roles);
			audit.roles.assign(call.principal->roles.begin(), call.principal->roles.end());
			if (!call.principal->superuser) {
				Authorize(*context.options.access, call);
			}
		}
		return HandlerFor(route.operation)(context, call);
	} catch (const Error &error) {
		audit.outcome = Describe(error.code).name;
		audit.error = error.message;
		auto model = ToErrorModel(error, route.subject, route.commit);
		if (model.code >= 500) {
			log::Write(
			    log::Level::Error, "iceberg_rest_error",
			    {{"method", request.method}, {"path", request.path}, {"type", model.type}, {"error", error.message}});
		}
		return ErrorResponse(model);
	} catch (const std::exception &error) {
		audit.outcome = Describe(ErrorCode::Internal).name;
		audit.error = error.what();
		log::Write(log::Level::Error, "iceberg_rest_error",
		           {{"method", request.method}, {"path", request.path}, {"error", error.what()}});
		return ErrorResponse(InternalErrorModel(error.what(), route.commit));
	}
}

} // namespace

RestContext::RestContext(catalog::CatalogService &catalog_p, auth::UserDirectory &users_p, IcebergRestOptions options_p)
    : catalog(catalog_p), users(users_p), options(std::move(options_p)), credentials(options.credentials),
      reports(options.metrics_reports_per_table) {
	if (!credentials) {
		credentials = std::make_shared<auth::CredentialVault>();
	}
}

nlohmann::json RestCall::Body() const {
	nlohmann::json body;
	try {
		body = nlohmann::json::parse(http.body);
	} catch (const nlohmann::json::exception &error) {
		throw Error(ErrorCode::InvalidInput, fmt::format("the request body is not valid JSON: {}", error.what()));
	}
	if (!body.is_object()) {
		throw Error(ErrorCode::InvalidInput, "the request body must be a JSON object");
	}
	return body;
}

net::HttpResponse JsonResponse(int status, const nlohmann::json &body) {
	return net::HttpResponse {
	    status, "application/json", {}, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

net::HttpResponse NoContent() {
	return net::HttpResponse {204, "", {}, {}};
}

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

catalog::TableIdentifier ParseTableIdentifier(const nlohmann::json &json, const char *what) {
	namespace mj = iceberg::metadata_json;
	auto &object = mj::RequireObject(json, what);
	catalog::TableIdentifier id {mj::GetStringList(object, "namespace", what), mj::GetString(object, "name", what)};
	if (id.namespace_name.empty()) {
		throw Error(ErrorCode::InvalidInput, fmt::format("{} needs a namespace", what));
	}
	return id;
}

nlohmann::json ToJson(const catalog::TableIdentifier &id) {
	return {{"namespace", id.namespace_name}, {"name", id.name}};
}

bool MayReference(const RestContext &context, const RestCall &call, const catalog::TableIdentifier &id) {
	return !call.principal || !context.options.access ||
	       context.options.access->MayReference(*call.principal, {id.namespace_name, id.name});
}

namespace {

// A page token is the last name sent, in hex: opaque to clients, safe in a URL, and a token
// that was never ours is recognised as garbage.
std::string EncodePageToken(const std::string &name) {
	std::string token;
	for (unsigned char c : name) {
		token += fmt::format("{:02x}", c);
	}
	return token;
}

std::string DecodePageToken(const std::string &token) {
	std::string name;
	auto fail = [&] {
		return Error(ErrorCode::InvalidInput, fmt::format("pageToken \"{}\" is not one of ours", token));
	};
	if (token.size() % 2 != 0) {
		throw fail();
	}
	for (size_t i = 0; i < token.size(); i += 2) {
		unsigned value = 0;
		auto parsed = std::from_chars(token.data() + i, token.data() + i + 2, value, 16);
		if (parsed.ec != std::errc() || parsed.ptr != token.data() + i + 2) {
			throw fail();
		}
		name.push_back(static_cast<char>(value));
	}
	return name;
}

} // namespace

Page Paginate(const std::vector<std::string> &sorted_keys, const std::map<std::string, std::string> &query) {
	Page page {0, sorted_keys.size(), std::nullopt};
	auto token = query.find("pageToken");
	if (token != query.end() && !token->second.empty()) {
		auto after = DecodePageToken(token->second);
		page.begin = std::upper_bound(sorted_keys.begin(), sorted_keys.end(), after) - sorted_keys.begin();
	}
	auto size = query.find("pageSize");
	if (size == query.end()) {
		return page;
	}
	size_t limit = 0;
	auto &text = size->second;
	auto parsed = std::from_chars(text.data(), text.data() + text.size(), limit);
	if (text.empty() || parsed.ec != std::errc() || parsed.ptr != text.data() + text.size() || limit == 0) {
		throw Error(ErrorCode::InvalidInput, fmt::format("pageSize must be a positive integer, not \"{}\"", text));
	}
	if (sorted_keys.size() - page.begin > limit) {
		page.end = page.begin + limit;
		page.next_token = EncodePageToken(sorted_keys[page.end - 1]);
	}
	return page;
}

void RegisterIcebergRest(net::HttpServer &server, catalog::CatalogService &catalog, auth::UserDirectory &users,
                         const IcebergRestOptions &options) {
	auto context = std::make_shared<RestContext>(catalog, users, options);
	server.RoutePrefix("", fmt::format("{}/", kMount),
	                   [context](net::HttpRequest &request, net::HttpResponder &responder) {
		                   auto started = std::chrono::steady_clock::now();
		                   obs::AuditRecord audit;
		                   auto response = Handle(*context, request, audit);
		                   if (context->options.audit && !audit.operation.empty()) {
			                   // Before the answer goes out, as a statement's record is.
			                   audit.protocol = "iceberg_rest";
			                   audit.client = request.remote;
			                   if (response.status >= 400 && audit.outcome == "ok") {
				                   audit.outcome = fmt::format("http_{}", response.status);
			                   }
			                   audit.duration_ms =
			                       std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
			                   context->options.audit->Write(audit);
		                   }
		                   if (request.method == "HEAD") {
			                   // A HEAD answer has no body, whatever its status.
			                   response.body.clear();
		                   }
		                   responder.Send(std::move(response));
	                   });
}

} // namespace akko::iceberg_rest
