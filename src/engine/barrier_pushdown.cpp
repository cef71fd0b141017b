#include "engine/barrier_pushdown.hpp"

#include "duckdb/execution/expression_executor.hpp"
#include "duckdb/planner/expression/list.hpp"
#include "duckdb/planner/operator/logical_filter.hpp"
#include "duckdb/planner/operator/logical_limit.hpp"
#include "duckdb/planner/operator/logical_projection.hpp"

namespace akko::engine {

namespace {

using namespace duckdb;

// A column of this query level: one of an outer query (a lateral or correlated reference) has
// no binding below the barrier.
bool IsColumn(const Expression &expression) {
	return expression.GetExpressionClass() == ExpressionClass::BOUND_COLUMN_REF &&
	       expression.Cast<BoundColumnRefExpression>().depth == 0;
}

bool IsConstantOrParameter(const Expression &expression) {
	return expression.GetExpressionClass() == ExpressionClass::BOUND_CONSTANT ||
	       expression.GetExpressionClass() == ExpressionClass::BOUND_PARAMETER;
}

// The binder casts a literal to the column's type (`id = 5`: 5 is an INTEGER_LITERAL). Such a
// cast needs no row, and constant folding would run it at plan time anyway; it is evaluated here
// so the value is a plain constant, or the predicate stays above the barrier when it fails.
unique_ptr<Expression> Folded(ClientContext &context, unique_ptr<Expression> side) {
	if (side->GetExpressionClass() != ExpressionClass::BOUND_CAST ||
	    side->Cast<BoundCastExpression>().child->GetExpressionClass() != ExpressionClass::BOUND_CONSTANT) {
		return side;
	}
	Value value;
	if (!ExpressionExecutor::TryEvaluateScalar(context, *side, value)) {
		return side;
	}
	return make_uniq<BoundConstantExpression>(std::move(value));
}

// A copy of the predicate when it cannot raise an error or reach anything but the row's own
// column -- values of one type compared, no function, cast or subquery to run -- else null.
unique_ptr<Expression> CannotFail(ClientContext &context, const Expression &expression) {
	switch (expression.GetExpressionClass()) {
	case ExpressionClass::BOUND_COMPARISON: {
		auto copy = expression.Copy();
		auto &comparison = copy->Cast<BoundComparisonExpression>();
		comparison.left = Folded(context, std::move(comparison.left));
		comparison.right = Folded(context, std::move(comparison.right));
		bool column_and_value = (IsColumn(*comparison.left) && IsConstantOrParameter(*comparison.right)) ||
		                        (IsConstantOrParameter(*comparison.left) && IsColumn(*comparison.right));
		if (column_and_value && comparison.left->return_type == comparison.right->return_type) {
			return copy;
		}
		return nullptr;
	}
	case ExpressionClass::BOUND_OPERATOR: {
		auto &op = expression.Cast<BoundOperatorExpression>();
		bool null_test = (op.type == ExpressionType::OPERATOR_IS_NULL || op.type == ExpressionType::OPERATOR_IS_NOT_NULL) &&
		                 op.children.size() == 1 && IsColumn(*op.children[0]);
		return null_test ? expression.Copy() : nullptr;
	}
	default:
		return nullptr;
	}
}

void CollectCannotFail(ClientContext &context, const Expression &expression, vector<unique_ptr<Expression>> &into) {
	if (expression.GetExpressionType() == ExpressionType::CONJUNCTION_AND) {
		for (auto &child : expression.Cast<BoundConjunctionExpression>().children) {
			CollectCannotFail(context, *child, into);
		}
	} else if (auto copy = CannotFail(context, expression)) {
		into.push_back(std::move(copy));
	}
}

BoundColumnRefExpression &ColumnOf(Expression &predicate) {
	if (predicate.GetExpressionClass() == ExpressionClass::BOUND_COMPARISON) {
		auto &comparison = predicate.Cast<BoundComparisonExpression>();
		return (IsColumn(*comparison.left) ? *comparison.left : *comparison.right).Cast<BoundColumnRefExpression>();
	}
	return predicate.Cast<BoundOperatorExpression>().children[0]->Cast<BoundColumnRefExpression>();
}

// Rewrites each predicate to read the projection's input; drops those on computed columns
// (a mask is computed: a predicate on it must see the masked value, above the barrier).
void ThroughProjection(const LogicalProjection &projection, vector<unique_ptr<Expression>> &predicates) {
	vector<unique_ptr<Expression>> kept;
	for (auto &predicate : predicates) {
		auto &column = ColumnOf(*predicate);
		if (column.binding.table_index != projection.table_index ||
		    column.binding.column_index >= projection.expressions.size()) {
			continue;
		}
		auto &source = *projection.expressions[column.binding.column_index];
		if (!IsColumn(source) || source.return_type != column.return_type) {
			continue;
		}
		column.binding = source.Cast<BoundColumnRefExpression>().binding;
		kept.push_back(std::move(predicate));
	}
	predicates = std::move(kept);
}

// OFFSET 0 without a LIMIT: the barrier of a restricted view (and a no-op anywhere else, so
// filtering below it changes no result).
bool IsBarrier(const LogicalOperator &op) {
	if (op.type != LogicalOperatorType::LOGICAL_LIMIT) {
		return false;
	}
	auto &limit = op.Cast<LogicalLimit>();
	return limit.limit_val.Type() == LimitNodeType::UNSET && limit.offset_val.Type() == LimitNodeType::CONSTANT_VALUE &&
	       limit.offset_val.GetConstantValue() == 0;
}

void CopyBelowBarriers(ClientContext &context, unique_ptr<LogicalOperator> &op) {
	for (auto &child : op->children) {
		CopyBelowBarriers(context, child);
	}
	if (op->type != LogicalOperatorType::LOGICAL_FILTER) {
		return;
	}
	vector<unique_ptr<Expression>> predicates;
	for (auto &expression : op->expressions) {
		CollectCannotFail(context, *expression, predicates);
	}
	auto *at = &op->children[0];
	bool crossed = false;
	while (!predicates.empty()) {
		auto &node = **at;
		if (node.type == LogicalOperatorType::LOGICAL_PROJECTION) {
			ThroughProjection(node.Cast<LogicalProjection>(), predicates);
		} else if (IsBarrier(node)) {
			crossed = true;
		} else {
			break;
		}
		at = &node.children[0];
	}
	if (!crossed || predicates.empty()) {
		return;
	}
	auto filter = make_uniq<LogicalFilter>();
	filter->expressions = std::move(predicates);
	filter->children.push_back(std::move(*at));
	*at = std::move(filter);
}

} // namespace

void PushDownBelowBarriers(OptimizerExtensionInput &input, unique_ptr<LogicalOperator> &plan) {
	CopyBelowBarriers(input.context, plan);
}

} // namespace akko::engine
