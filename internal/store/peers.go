package store

// PeerQueries are the queries of the routes to other nodes: protocol state, attribution lists,
// peer keys, e-mail (sunrise) links.
type PeerQueries interface {
	TRPQueries
	EmailQueries
	TRISAQueries
}
