package store

// DecisionQueries are the queries of the decisions capability: policies, screening lists,
// decision statistics.
type DecisionQueries interface{}
