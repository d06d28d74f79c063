package decision

import (
	"strings"
	"time"

	"github.com/trisacrypto/trisa/pkg/ivms101"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/screening"
	"github.com/waybill/waybill/internal/transfer"
)

// factsOf builds what the policies see from a decision input, after assessment. It copies no
// identity data: customers appear only as their countries and kinds (natural or legal).
func factsOf(in *engine.DecisionInput, rates *policy.Rates, now time.Time) *policy.Facts {
	t := in.Transfer
	f := &policy.Facts{Point: in.Point, Now: now.UTC()}
	tf := &f.Transfer
	tf.Direction = string(t.Direction)
	tf.Kind = t.Kind
	if tf.Kind == "" {
		tf.Kind = engine.KindTravelRule
		if t.Threshold != nil && !t.Threshold.Applies {
			tf.Kind = engine.KindBelowThreshold
		}
	}
	tf.Network, tf.Asset = t.Asset.Network, t.Asset.Symbol
	tf.Amount = t.Amount.InexactFloat64()
	tf.Value = values(t, rates)
	tf.PostTransaction, tf.Unhosted = t.PostTransaction, t.Unhosted
	tf.OriginAddress, tf.DestinationAddress = t.OriginAddress, t.DestinationAddress
	if t.Threshold != nil {
		tf.ThresholdApplies, tf.ThresholdJurisdiction = t.Threshold.Applies, t.Threshold.Jurisdiction
	}
	ourJur, theirJur := in.VASP.Jurisdiction, ""
	if cp := in.Counterparty; cp != nil {
		theirJur = cp.Jurisdiction
		if theirJur == "" {
			theirJur = cp.Country
		}
	}
	if t.Direction == transfer.Outgoing {
		tf.OriginatingVASPCountry, tf.OriginatingVASPJurisdiction = in.VASP.Country, ourJur
		tf.BeneficiaryVASPJurisdiction = theirJur
		if t.BeneficiaryVASP != nil {
			tf.BeneficiaryVASPCountry = t.BeneficiaryVASP.Country
		}
	} else {
		tf.BeneficiaryVASPCountry, tf.BeneficiaryVASPJurisdiction = in.VASP.Country, ourJur
		tf.OriginatingVASPJurisdiction = theirJur
		if t.OriginatingVASP != nil {
			tf.OriginatingVASPCountry = t.OriginatingVASP.Country
		}
	}
	if t.Originator != nil {
		tf.OriginatorCountry, tf.OriginatorType = partyFacts(t.Originator.Persons)
	}
	if t.Beneficiary != nil {
		tf.BeneficiaryCountry, tf.BeneficiaryType = partyFacts(t.Beneficiary.Persons)
	}

	cf := &f.Counterparty
	cf.Standing = "unknown"
	cf.Route = string(in.Route)
	if cp := in.Counterparty; cp != nil {
		cf.Known, cf.ID, cf.Name, cf.LEI, cf.Country = true, cp.ID, cp.Name, cp.LEI, cp.Country
		cf.Jurisdiction, cf.Standing, cf.Hosted = theirJur, string(cp.Standing), cp.Hosted()
	}

	sf := &f.Screening
	sf.Origin, sf.Destination = emptyScreening(), emptyScreening()
	for i := range t.Screening {
		r := &t.Screening[i]
		a := addressFacts(r)
		switch r.Role {
		case screening.RoleOrigin:
			sf.Origin = a
		case screening.RoleDestination:
			sf.Destination = a
		}
	}
	for _, a := range []*policy.AddressScreening{&sf.Origin, &sf.Destination} {
		sf.Listed = sf.Listed || a.Listed
		sf.MaxRiskScore = max(sf.MaxRiskScore, a.RiskScore)
		sf.Incomplete = sf.Incomplete || a.Status == screening.StatusError || a.Status == screening.StatusTimeout
	}

	nf := &f.NameMatch
	nf.Verdict, nf.Fields = "none", map[string]string{}
	if nm := t.NameMatch; nm != nil {
		nf.Checked, nf.Verdict, nf.Score = true, nm.Verdict, nm.Score
		for _, fv := range nm.Fields {
			nf.Fields[fv.Field] = fv.Verdict
		}
	}

	if p := t.OwnershipProof; p != nil {
		f.Proof = policy.ProofFacts{Required: p.Required, Given: true, Verified: p.Verified, Type: p.Type, Strength: p.Strength}
	}
	return f
}

func emptyScreening() policy.AddressScreening {
	return policy.AddressScreening{Status: screening.StatusNone, Lists: []string{}, Tags: []string{}, EntityIDs: []string{}}
}

// addressFacts turns one screening result into facts: list names without versions, tags, and
// entity identifiers (never entity names, which may name persons).
func addressFacts(r *transfer.ScreeningResult) policy.AddressScreening {
	a := emptyScreening()
	a.Screened = strings.TrimSpace(r.Address) != ""
	a.Status = r.Status
	if r.RiskScore != nil {
		a.RiskScore = r.RiskScore.InexactFloat64()
	}
	a.Tags = append(a.Tags, r.RiskTags...)
	for _, l := range splitList(r.MatchedList) {
		name, _, _ := strings.Cut(l, "@")
		a.Lists = append(a.Lists, name)
	}
	a.Listed = len(a.Lists) > 0
	a.EntityIDs = append(a.EntityIDs, splitList(r.EntityID)...)
	return a
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// values is the transfer's value by currency: the fiat value as given or converted, the
// threshold's value, and EUR and USD converted with the FX table when it can.
func values(t *transfer.Transfer, rates *policy.Rates) map[string]float64 {
	out := map[string]float64{}
	var base *transfer.FiatValue
	if t.FiatValue != nil {
		base = t.FiatValue
		out[t.FiatValue.Currency] = t.FiatValue.Amount.InexactFloat64()
	}
	if t.Threshold != nil && t.Threshold.Value != nil {
		v := t.Threshold.Value
		if base == nil {
			base = v
		}
		if _, ok := out[v.Currency]; !ok {
			out[v.Currency] = v.Amount.InexactFloat64()
		}
	}
	for _, cur := range []string{"EUR", "USD"} {
		if _, ok := out[cur]; ok {
			continue
		}
		if base != nil {
			if v, _, ok := rates.Convert(base.Amount, base.Currency, cur); ok {
				out[cur] = v.InexactFloat64()
				continue
			}
		}
		if v, _, ok := rates.Convert(t.Amount, t.Asset.Symbol, cur); ok {
			out[cur] = v.InexactFloat64()
		}
	}
	return out
}

// partyFacts returns the country and kind of a party's first person: residence or registration,
// else the country of the first address, else the national identifier's issuer.
func partyFacts(persons []*ivms101.Person) (country, kind string) {
	if len(persons) == 0 || persons[0] == nil {
		return "", ""
	}
	p := persons[0]
	if np := p.GetNaturalPerson(); np != nil {
		country = np.GetCountryOfResidence()
		if country == "" {
			for _, a := range np.GetGeographicAddresses() {
				if country = a.GetCountry(); country != "" {
					break
				}
			}
		}
		if country == "" {
			country = np.GetNationalIdentification().GetCountryOfIssue()
		}
		return strings.ToUpper(country), "natural"
	}
	if lp := p.GetLegalPerson(); lp != nil {
		country = lp.GetCountryOfRegistration()
		if country == "" {
			for _, a := range lp.GetGeographicAddresses() {
				if country = a.GetCountry(); country != "" {
					break
				}
			}
		}
		return strings.ToUpper(country), "legal"
	}
	return "", ""
}

// receivedParty returns the party whose names a received transfer is checked by: the
// beneficiary of a deposit, the originator of a post-transaction request about our withdrawal.
func receivedParty(t *transfer.Transfer) []*ivms101.Person {
	if t.Direction == transfer.Incoming {
		if t.Beneficiary != nil {
			return t.Beneficiary.Persons
		}
		return nil
	}
	if t.Originator != nil {
		return t.Originator.Persons
	}
	return nil
}

// namesOf lists every name of the persons, for matching.
func namesOf(persons []*ivms101.Person) []ivms.Name {
	var out []ivms.Name
	for _, p := range persons {
		if p != nil {
			out = append(out, ivms.Names(p)...)
		}
	}
	return out
}
