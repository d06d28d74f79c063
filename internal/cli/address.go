package cli

import "github.com/waybill/waybill/internal/address"

// addressRules gives the engine the address package's rules.
type addressRules struct{}

func (addressRules) Validate(network, a string) error { return address.Validate(network, a) }

func (addressRules) Key(network, a string) string { return address.Key(network, a) }
