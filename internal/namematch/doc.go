// Package namematch decides whether a name received from a counterparty VASP is the name of the
// customer it claims to be: the beneficiary name of an incoming transfer (or the originator name,
// post-transaction) against the KYC name the backend holds.
//
// Names are plain strings plus a Kind (natural or legal person). A Matcher first prepares a name
// once (Unicode folding, transliteration to Latin, tokens, Double Metaphone keys, nickname groups,
// honorifics and legal forms removed) and then compares prepared names without allocating.
// Verify gives a verdict per field in the shape of GTR's PII verification (primary identifier,
// secondary identifier or legal name: match, mismatch or missing) plus an overall verdict, a score
// in [0,1] and the pass that decided it, for the audit trail.
//
// The package is pure: it performs no I/O, imports no other waybill package (the engine maps
// IVMS101 names to Parts) and never puts a name into an error or an explanation.
package namematch
