#include "engine/duckdb_internal.hpp"
#include "engine/lake_access.hpp"

namespace akko::engine {

namespace {

using duckdb::FlatVector;
using duckdb::idx_t;
using duckdb::LogicalType;
using duckdb::Vector;

bool RenderedAsText(const ColumnType &type) {
	if (type.json) {
		return type.kind != TypeKind::Varchar;
	}
	switch (type.kind) {
	case TypeKind::Enum:
	case TypeKind::TimeTz:
	case TypeKind::TimestampTz:
	case TypeKind::Bit:
	case TypeKind::Other:
		return true;
	default:
		return false;
	}
}

class DuckResultChunk : public ResultChunk {
public:
	DuckResultChunk(duckdb::ClientContext &context_p, duckdb::unique_ptr<duckdb::DataChunk> chunk_p,
	                const std::vector<Column> &columns)
	    : context(context_p), chunk(std::move(chunk_p)) {
		views.resize(columns.size());
		for (idx_t i = 0; i < columns.size(); i++) {
			BuildView(chunk->data[i], chunk->size(), columns[i].type, views[i]);
		}
	}

	uint64_t RowCount() const override {
		return chunk->size();
	}
	const std::vector<ColumnView> &Columns() const override {
		return views;
	}

private:
	Vector &Own(const LogicalType &type, idx_t count) {
		owned_vectors.push_back(duckdb::make_uniq<Vector>(type, count));
		return *owned_vectors.back();
	}

	static void FillStrings(Vector &vector, idx_t count, ColumnView &view) {
		auto values = FlatVector::GetData<duckdb::string_t>(vector);
		auto &validity = FlatVector::Validity(vector);
		view.strings.resize(count);
		for (idx_t row = 0; row < count; row++) {
			if (validity.RowIsValid(row)) {
				view.strings[row] = std::string_view(values[row].GetData(), values[row].GetSize());
			}
		}
	}

	void BuildView(Vector &vector, idx_t count, const ColumnType &type, ColumnView &view) {
		vector.Flatten(count);
		view.type = &type;
		view.count = count;
		auto &validity = FlatVector::Validity(vector);
		view.validity = validity.AllValid() ? nullptr : validity.GetData();
		view.data = vector.GetData();
		if (RenderedAsText(type)) {
			auto &text = Own(type.json ? LogicalType::JSON() : LogicalType::VARCHAR, count);
			Translate([&] { duckdb::VectorOperations::Cast(context, vector, text, count); });
			text.Flatten(count);
			FillStrings(text, count, view);
			return;
		}
		switch (type.kind) {
		case TypeKind::Varchar:
		case TypeKind::Blob:
			FillStrings(vector, count, view);
			break;
		case TypeKind::Timestamp:
			if (vector.GetType().id() != duckdb::LogicalTypeId::TIMESTAMP) {
				auto &micros = Own(LogicalType::TIMESTAMP, count);
				Translate([&] { duckdb::VectorOperations::Cast(context, vector, micros, count); });
				micros.Flatten(count);
				view.data = micros.GetData();
			}
			break;
		case TypeKind::List: {
			view.lists = reinterpret_cast<const ListEntry *>(FlatVector::GetData<duckdb::list_entry_t>(vector));
			view.children.resize(1);
			BuildView(duckdb::ListVector::GetEntry(vector), duckdb::ListVector::GetListSize(vector), type.children[0],
			          view.children[0]);
			break;
		}
		case TypeKind::Array: {
			auto size = duckdb::ArrayType::GetSize(vector.GetType());
			owned_lists.emplace_back(count);
			auto &entries = owned_lists.back();
			for (idx_t row = 0; row < count; row++) {
				entries[row] = ListEntry {row * size, size};
			}
			view.lists = entries.data();
			view.children.resize(1);
			BuildView(duckdb::ArrayVector::GetEntry(vector), count * size, type.children[0], view.children[0]);
			break;
		}
		default:
			break;
		}
	}

	duckdb::ClientContext &context;
	duckdb::unique_ptr<duckdb::DataChunk> chunk;
	std::vector<duckdb::unique_ptr<Vector>> owned_vectors;
	std::vector<std::vector<ListEntry>> owned_lists;
	std::vector<ColumnView> views;
};

class DuckQueryStream : public QueryStream {
public:
	DuckQueryStream(duckdb::ClientContext &context_p, duckdb::unique_ptr<duckdb::QueryResult> result_p,
	                StatementInfo info_p)
	    : context(context_p), result(std::move(result_p)), info(std::move(info_p)) {
		if (result->HasError()) {
			RaiseError(result->GetErrorObject());
		}
		for (idx_t i = 0; i < result->ColumnCount(); i++) {
			columns.push_back(Column {result->names[i], DescribeType(result->types[i])});
		}
	}

	const StatementInfo &Info() const override {
		return info;
	}
	const std::vector<Column> &Columns() const override {
		return columns;
	}

	std::unique_ptr<ResultChunk> Next() override {
		try {
			return NextChunk();
		} catch (akko::Error &error) {
			throw WithheldError(context, std::move(error));
		}
	}

	std::unique_ptr<ResultChunk> NextChunk() {
		while (!done) {
			auto chunk = Translate([&] { return result->Fetch(); });
			if (!chunk) {
				if (result->HasError()) {
					done = true;
					RaiseError(result->GetErrorObject());
				}
				done = true;
				break;
			}
			if (chunk->size() > 0) {
				return Translate([&] { return std::make_unique<DuckResultChunk>(context, std::move(chunk), columns); });
			}
		}
		return nullptr;
	}

	int64_t ChangedRows() override {
		if (!changed_rows) {
			changed_rows = 0;
			auto chunk = Next();
			if (chunk && chunk->RowCount() > 0 && !chunk->Columns().empty()) {
				auto &view = chunk->Columns()[0];
				changed_rows = view.type->kind == TypeKind::BigInt ? view.Get<int64_t>(0) : 0;
			}
			while (Next()) {
			}
		}
		return *changed_rows;
	}

	void Materialize() override {
		if (result->type != duckdb::QueryResultType::STREAM_RESULT) {
			return;
		}
		auto &stream = result->Cast<duckdb::StreamQueryResult>();
		auto materialized = Translate([&] { return stream.Materialize(); });
		if (materialized->HasError()) {
			RaiseError(materialized->GetErrorObject());
		}
		result = std::move(materialized);
	}

	bool IsMaterialized() const override {
		return result->type != duckdb::QueryResultType::STREAM_RESULT;
	}

private:
	duckdb::ClientContext &context;
	duckdb::unique_ptr<duckdb::QueryResult> result;
	StatementInfo info;
	std::vector<Column> columns;
	bool done = false;
	std::optional<int64_t> changed_rows;
};

} // namespace

std::unique_ptr<QueryStream> MakeQueryStream(duckdb::ClientContext &context, duckdb::unique_ptr<duckdb::QueryResult> result,
                                             StatementInfo info) {
	return std::make_unique<DuckQueryStream>(context, std::move(result), std::move(info));
}

} // namespace akko::engine
