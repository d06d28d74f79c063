package config

import "time"

// Decisions configures screening and the decision service (policies and name-matching
// thresholds are per VASP, in the database).
type Decisions struct {
	// ScreeningTimeout bounds each screening call to the providers: a provider that has not
	// answered by then gives TIMEOUT instead of holding the decision.
	ScreeningTimeout time.Duration `koanf:"screening_timeout"`
	// ListRefresh is how often a running node looks for screening list versions imported by
	// another process (waybill screening import) and loads them.
	ListRefresh time.Duration `koanf:"list_refresh"`
}

func (d Decisions) validate() []string {
	var p []string
	if d.ScreeningTimeout < 10*time.Millisecond || d.ScreeningTimeout > time.Minute {
		p = append(p, "decisions.screening_timeout must be between 10ms and 1m")
	}
	if d.ListRefresh < time.Second {
		p = append(p, "decisions.list_refresh must be at least 1s")
	}
	return p
}
