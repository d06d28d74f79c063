package config

// TRP configures the OpenVASP Travel Rule Protocol route.
type TRP struct{}

func (t TRP) validate() []string { return nil }

// TRISA configures the TRISA route.
type TRISA struct{}

func (t TRISA) validate() []string { return nil }

// Email configures the e-mail (sunrise) route and its SMTP client.
type Email struct{}

func (e Email) validate() []string { return nil }
