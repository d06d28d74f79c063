package config

// Web configures the dashboard for compliance officers.
type Web struct{}

func (w Web) validate() []string { return nil }
