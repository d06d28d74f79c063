package cli

import (
	"errors"
	"strings"
)

// addressRules is the address check the engine uses.
type addressRules struct{}

func (addressRules) Validate(network, a string) error {
	if a == "" || len(a) > 256 || strings.ContainsAny(a, " \t\r\n") {
		return errors.New("malformed address")
	}
	return nil
}

func (addressRules) Key(network, a string) string {
	a = strings.TrimSpace(a)
	if strings.HasPrefix(a, "0x") || strings.HasPrefix(strings.ToLower(a), "bc1") || strings.HasPrefix(strings.ToLower(a), "ltc1") {
		return strings.ToLower(a)
	}
	return a
}
