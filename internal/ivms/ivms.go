// Package ivms handles IVMS101 identity data on top of github.com/trisacrypto/trisa's
// pkg/ivms101 protobuf types: tolerant decoding of what peers send, strict encoding of what we
// send, and validation with field paths. It performs no I/O.
package ivms

import "github.com/trisacrypto/trisa/pkg/ivms101"

// Originator is the IVMS101 Originator: the persons sending and their account numbers.
type Originator struct {
	Persons        []*ivms101.Person
	AccountNumbers []string
}

// Beneficiary is the IVMS101 Beneficiary: the persons receiving and their account numbers.
type Beneficiary struct {
	Persons        []*ivms101.Person
	AccountNumbers []string
}
