package store

// WebQueries are the queries of the dashboard: users, sessions, sign-in throttling.
type WebQueries interface{}
