// Package counterparty describes the other VASPs in a hosted VASP's directory: identity,
// standing and the routes that reach them. It performs no I/O.
package counterparty

import (
	"fmt"
	"time"
)

// Standing is a VASP's compliance decision about a counterparty.
type Standing string

const (
	// StandingAllowed counterparties passed due diligence.
	StandingAllowed Standing = "allowed"
	// StandingBlocked counterparties are refused: no transfer is sent to or accepted from them.
	StandingBlocked Standing = "blocked"
	// StandingUnknown counterparties have not been assessed.
	StandingUnknown Standing = "unknown"
)

// Valid reports whether s is a known standing.
func (s Standing) Valid() bool {
	return s == StandingAllowed || s == StandingBlocked || s == StandingUnknown
}

// TRP is how a counterparty is reached over the OpenVASP Travel Rule Protocol.
type TRP struct {
	// URL is the inquiry URL; TravelAddress its ta… or LNURL form. One of them suffices.
	URL           string `json:"url,omitempty" doc:"Inquiry URL of the counterparty's TRP server."`
	TravelAddress string `json:"travel_address,omitempty" doc:"The counterparty's travel address (ta… or LNURL)."`
	// APIVersion is the api-version header we send; empty means 3.1.0.
	APIVersion string `json:"api_version,omitempty"`
	// AllowPrivate lets callbacks go to loopback or private addresses (development only).
	AllowPrivate bool `json:"allow_private,omitempty" doc:"Allow callbacks to loopback or private addresses (development only)."`
}

// TRISA is how a counterparty is reached over TRISA.
type TRISA struct {
	Endpoint   string `json:"endpoint,omitempty" doc:"host:port of the counterparty's TRISA gRPC service."`
	CommonName string `json:"common_name,omitempty" doc:"Common name of its mTLS certificate."`
	// CertPEM is the counterparty's identity certificate or CA pool, when pinned.
	CertPEM string `json:"cert_pem,omitempty" doc:"PEM certificate pool that signs its identity certificate."`
}

// Routes are the ways a counterparty can be reached.
type Routes struct {
	TRP       *TRP   `json:"trp,omitempty"`
	TRISA     *TRISA `json:"trisa,omitempty"`
	Email     string `json:"email,omitempty" doc:"Compliance contact for e-mail (sunrise) exchanges."`
	Preferred string `json:"preferred,omitempty" enum:"trisa,trp" doc:"Preferred protocol when several are configured."`
}

// Counterparty is another VASP as one hosted VASP knows it.
type Counterparty struct {
	ID           string    `json:"id"`
	VASPID       string    `json:"vasp_id" doc:"The hosted VASP whose directory holds this entry."`
	Name         string    `json:"name" doc:"Legal name."`
	LEI          string    `json:"lei,omitempty"`
	Country      string    `json:"country,omitempty" doc:"ISO 3166-1 alpha-2 country of registration."`
	Jurisdiction string    `json:"jurisdiction,omitempty" doc:"Jurisdiction table code; defaults to the country."`
	Website      string    `json:"website,omitempty"`
	Standing     Standing  `json:"standing" enum:"allowed,blocked,unknown"`
	HostedVASPID string    `json:"hosted_vasp_id,omitempty" doc:"Set when the counterparty is hosted on this node (internal route)."`
	Routes       Routes    `json:"routes"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Hosted reports whether the counterparty is a tenant of this node.
func (c *Counterparty) Hosted() bool { return c.HostedVASPID != "" }

// Validate reports the first problem with c, naming the field.
func (c *Counterparty) Validate() error {
	if c.Name == "" {
		return fmt.Errorf("name is required")
	}
	if !c.Standing.Valid() {
		return fmt.Errorf("standing must be allowed, blocked or unknown")
	}
	return nil
}
