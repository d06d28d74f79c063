package config

// Decisions configures policies, screening and name matching.
type Decisions struct{}

func (d Decisions) validate() []string { return nil }
