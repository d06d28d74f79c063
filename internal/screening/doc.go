// Package screening screens blockchain addresses against address lists (OFAC's SDN digital
// currency addresses, any CSV list) and paid screening providers, and returns the outcome in
// the shape of GTR's screeningResult (transfer.ScreeningResult).
//
// It holds lists in memory and reads and writes them through readers and writers its callers
// give it; it must not open files or network connections, talk to a database, import
// net/http, or log. Persisting lists, the CLI command and the HTTP endpoint live elsewhere and
// use these pieces:
//
//   - Import (or ReadCSV, ReadSDN, ReadSDNAdvanced with a callback per entry) reads a list
//     from an io.Reader, streaming, with progress reports; Builder compiles entries into a
//     List.
//   - A List is immutable; an Index is an immutable set of lists by name ("is this address on
//     any loaded list?"); Index.With swaps in a new version of one list.
//   - WriteSnapshot and ReadSnapshot save and load a built List in a versioned, CRC-32C
//     checksummed binary format, so a node restarts without importing again.
//   - A Screener combines the index with zero or more Providers under a per-call timeout and
//     swaps its index atomically when a new list version is imported.
//
// # Keys
//
// Lists are keyed by the first 128 bits of the SHA-256 of the normalised address
// (NormalizeAddress: EVM and bech32 addresses lower-cased, all others only trimmed). The key
// does not depend on the network: an EVM address listed for Ethereum also matches on Arbitrum,
// and the network the list gives is reported with the hit. SHA-256 costs about 100 ns a lookup
// more than a non-cryptographic hash would, but no one can craft an address that collides with
// a listed one, and other tools can compute the same keys.
//
// # Memory budget
//
// A List takes 25 bytes of heap per address: 20-byte slots (the 16-byte key and a 4-byte
// record number) in an ordered linear-probing table with a load factor of 0.8. Entities
// (name, risk score, tags, list id) and networks are stored once each, so their cost depends
// on how many distinct ones the list has, not on its addresses. Building a list needs about
// twice that for a moment (the added entries, then the table they are sorted into); reading a
// snapshot needs the table only.
//
// # Measured
//
// On the project's build machine (2 vCPUs of a KVM guest, Go 1.26; other test suites were
// running alongside, so wall times vary with their load) with a generated list of 10 million
// addresses (60 % EVM, 30 % bech32, 10 % Tron; one entity per 1,000 addresses):
//
//	go test ./internal/screening -run '^$' -bench Lookup -count 5
//	go test ./internal/screening -run '^$' -bench Load -benchtime 1x -count 3
//
//	                                             median              heap per address
//	lookup, address on a list                    0.55 µs, 0 allocs
//	lookup, address on no list                   0.45-0.54 µs, 0 allocs
//	build from 10 M entries (generating them)    4.7-5.0 s (4.5 s CPU)  25.2 B
//	read a 10 M snapshot file (200 MB)           0.5-0.6 s              25.2 B
//	import a 10 M-row CSV file (650 MB)          6.1 s (9 s when the two cores are shared)  25.3 B
//
// A lookup is the SHA-256 of the address (about 130 ns) and one random read in the table,
// which on this guest (4 KiB pages, nested paging) costs about 190 to 300 ns; the rest is
// normalisation and, on a hit, building the Hit. An import reads and parses on one core while
// another builds.
package screening
