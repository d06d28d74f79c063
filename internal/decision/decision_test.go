package decision

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/screening"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// memTx answers the few queries the service makes, from memory; any other query panics (the
// service must not make it).
type memTx struct {
	store.Tx
	sets     map[string]*policy.Set // by direction
	settings *policy.DecisionSettings
	rates    []policy.FXRate
	reads    int
}

func (m *memTx) PolicySetVersion(_ context.Context, _, direction string) (int, error) {
	m.reads++
	if s := m.sets[direction]; s != nil {
		return s.Version, nil
	}
	return 0, nil
}

func (m *memTx) GetPolicySet(_ context.Context, _, direction string, version int) (*policy.Set, error) {
	m.reads++
	s := m.sets[direction]
	if s == nil || (version != 0 && version != s.Version) {
		return nil, store.ErrNotFound
	}
	return s, nil
}

func (m *memTx) GetDecisionSettings(context.Context, string) (*policy.DecisionSettings, error) {
	if m.settings == nil {
		return nil, store.ErrNotFound
	}
	return m.settings, nil
}

func (m *memTx) ListFXRates(context.Context) ([]policy.FXRate, error) { return m.rates, nil }

const (
	listedETH = "0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c"
	cleanETH  = "0x52908400098527886e0f7030069857d2e4169ee7"
	ourETH    = "0xde709f2102306220921060314715629080e2fb77"
)

// newService returns a service whose screener holds a list with listedETH and n generated
// addresses.
func newService(t testing.TB, n int, now time.Time) *Service {
	t.Helper()
	b := screening.NewBuilder("ofac-sdn", n+1)
	require.NoError(t, b.Add(screening.Entry{Address: listedETH, Network: "ethereum", Entity: "Example Mixer", ID: "4242", Tags: []string{"CYBER2"}}))
	for i := range n {
		require.NoError(t, b.Add(screening.Entry{Address: "0x" + strings.Repeat("0", 32) + hex8(i), Entity: "generated"}))
	}
	l, err := b.Build(screening.Version{ID: "2026-11-20"})
	require.NoError(t, err)
	idx, err := screening.NewIndex(l)
	require.NoError(t, err)
	s, err := New(Config{Screener: screening.NewScreener(screening.Config{Index: idx}), Clock: func() time.Time { return now }})
	require.NoError(t, err)
	return s
}

func hex8(i int) string {
	const digits = "0123456789abcdef"
	var b [8]byte
	for j := 7; j >= 0; j-- {
		b[j] = digits[i&15]
		i >>= 4
	}
	return string(b[:])
}

const beneficiaryJSON = `{"beneficiaryPersons": [{"naturalPerson": {"name": {"nameIdentifier": [
  {"primaryIdentifier": "Dupont", "secondaryIdentifier": "Bruno", "nameIdentifierType": "LEGL"}]},
  "countryOfResidence": "FR"}}], "accountNumber": ["` + ourETH + `"]}`

const originatorJSON = `{"originatorPersons": [{"naturalPerson": {"name": {"nameIdentifier": [
  {"primaryIdentifier": "Schmidt", "secondaryIdentifier": "Anna", "nameIdentifierType": "LEGL"}]},
  "dateAndPlaceOfBirth": {"dateOfBirth": "1985-04-12", "placeOfBirth": "Hamburg"},
  "countryOfResidence": "DE"}}], "accountNumber": ["` + cleanETH + `"]}`

// deposit is a received transfer at our address, from cleanETH, for "Bruno Dupont".
func deposit(t testing.TB, kycName string) *engine.DecisionInput {
	t.Helper()
	o, err := ivms.DecodeOriginator([]byte(originatorJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	b, err := ivms.DecodeBeneficiary([]byte(beneficiaryJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	v := &vasp.VASP{ID: "beta", Name: "Beta", Country: "FR", Jurisdiction: "EU", Settings: vasp.DefaultSettings()}
	cp := &counterparty.Counterparty{ID: "cp-alpha", Name: "Alpha Exchange", Country: "DE", Jurisdiction: "EU", Standing: counterparty.StandingAllowed}
	tr := &transfer.Transfer{ID: "t1", VASPID: "beta", Direction: transfer.Incoming, Initiator: transfer.InitiatorOriginator,
		Status: transfer.StatusACK, Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"}, Amount: decimal.RequireFromString("1.5"),
		OriginAddress: cleanETH, DestinationAddress: ourETH, Originator: o, Beneficiary: b, CustomerName: kycName,
		OriginatingVASP: &transfer.VASPRef{ID: "cp-alpha", Name: "Alpha Exchange", Country: "DE"},
		Threshold:       &transfer.Threshold{Applies: true, Jurisdiction: "EU", Currency: "EUR"}}
	return &engine.DecisionInput{Point: policy.PointAddressConfirmed, VASP: v, Transfer: tr, Counterparty: cp, Route: transfer.RouteTRP}
}

func rates() []policy.FXRate {
	return []policy.FXRate{{Base: "ETH", Quote: "EUR", Rate: decimal.RequireFromString("2500")},
		{Base: "EUR", Quote: "USD", Rate: decimal.RequireFromString("1.08")}}
}

func incomingSet(version int, ps ...policy.Policy) *policy.Set {
	return &policy.Set{VASPID: "beta", Direction: policy.DirectionIncoming, Version: version, Policies: ps}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := newService(t, 10, now)
	ctx := context.Background()
	accept := policy.Policy{Name: "accept-matching", Condition: `counterparty.standing == "allowed" && name_match.verdict == "match"`, Action: policy.ActionApprove}
	mismatch := policy.Policy{Name: "review-mismatch", Condition: `name_match.verdict != "match"`, Action: policy.ActionReview, Reason: "name mismatch"}
	sanctioned := policy.Policy{Name: "decline-sanctioned", Condition: `screening.listed`, Action: policy.ActionReject}
	tests := []struct {
		name    string
		kyc     string
		origin  string
		set     *policy.Set
		action  string
		source  string
		winner  string
		verdict string
	}{
		{"no set: the VASP's setting (review)", "Bruno Dupont", cleanETH, nil, engine.ActionReview, "default", "", "match"},
		{"matching name accepted", "Bruno Dupont", cleanETH, incomingSet(1, sanctioned, mismatch, accept), policy.ActionApprove, "policy", "accept-matching", "match"},
		{"reordered, diacritics", "DUPONT Brunó", cleanETH, incomingSet(1, sanctioned, mismatch, accept), policy.ActionApprove, "policy", "accept-matching", "match"},
		{"another person held", "Claire Martin", cleanETH, incomingSet(1, sanctioned, mismatch, accept), policy.ActionReview, "policy", "review-mismatch", "mismatch"},
		{"no KYC name: missing", "", cleanETH, incomingSet(1, sanctioned, mismatch, accept), policy.ActionReview, "policy", "review-mismatch", "missing"},
		{"sanctioned origin declined", "Bruno Dupont", listedETH, incomingSet(1, accept, sanctioned), policy.ActionReject, "policy", "decline-sanctioned", "match"},
		{"nothing matches: the default", "Bruno Dupont", cleanETH, incomingSet(1, sanctioned), engine.ActionReview, "default", "", "match"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tx := &memTx{sets: map[string]*policy.Set{}, rates: rates()}
			in := deposit(t, tc.kyc)
			if tc.set != nil {
				tx.sets[policy.DirectionIncoming] = tc.set
				in.VASP.ID = fmt.Sprintf("vasp-%d", i) // versions are per VASP: one VASP per case
			}
			in.Transfer.OriginAddress = tc.origin
			require.NoError(t, s.Assess(ctx, tx, in))
			require.Equal(t, tc.verdict, in.Transfer.NameMatch.Verdict)
			d, err := s.Decide(ctx, tx, in)
			require.NoError(t, err)
			require.Equal(t, tc.action, d.Action)
			require.Equal(t, tc.source, d.Source)
			require.Equal(t, tc.winner, d.Policy)
			require.NotEmpty(t, d.Reason)
			raw, err := json.Marshal(d)
			require.NoError(t, err)
			for _, name := range []string{"Dupont", "Bruno", "Schmidt", "Anna", "Hamburg", "1985", "Martin", "Example Mixer"} {
				require.NotContains(t, string(raw), name, "the decision's inputs hold no personal data")
			}
			require.Contains(t, string(raw), `"facts"`)
			if tc.set != nil {
				require.Contains(t, string(raw), `"policy_set":{"direction":"incoming","version":1}`)
			}
		})
	}
}

func TestFacts(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := newService(t, 0, now)
	tx := &memTx{sets: map[string]*policy.Set{}, rates: rates()}
	in := deposit(t, "Bruno Dupont")
	in.Transfer.OriginAddress = listedETH
	require.NoError(t, s.Assess(context.Background(), tx, in))
	f := factsOf(in, policy.NewRates(rates()), now)
	require.Equal(t, "TRAVELRULE", f.Transfer.Kind)
	require.Equal(t, 3750.0, f.Transfer.Value["EUR"])
	require.InDelta(t, 4050.0, f.Transfer.Value["USD"], 0.01)
	require.Equal(t, "DE", f.Transfer.OriginatorCountry)
	require.Equal(t, "FR", f.Transfer.BeneficiaryCountry)
	require.Equal(t, "natural", f.Transfer.BeneficiaryType)
	require.Equal(t, "DE", f.Transfer.OriginatingVASPCountry)
	require.Equal(t, "EU", f.Transfer.BeneficiaryVASPJurisdiction)
	require.Equal(t, "trp", f.Counterparty.Route)
	require.True(t, f.Screening.Origin.Listed)
	require.Equal(t, []string{"ofac-sdn"}, f.Screening.Origin.Lists)
	require.Equal(t, []string{"ofac-sdn:4242"}, f.Screening.Origin.EntityIDs)
	require.Equal(t, 10.0, f.Screening.MaxRiskScore)
	require.False(t, f.Screening.Destination.Listed)
	require.True(t, f.Screening.Listed)
	require.Equal(t, "match", f.NameMatch.Fields["primary_identifier"])
	require.False(t, f.Proof.Given)
	require.Equal(t, now, f.Now)
}

// TestCompiledOncePerVersion: a decision does no compile work until the set changes.
func TestCompiledOncePerVersion(t *testing.T) {
	t.Parallel()
	s := newService(t, 0, time.Now())
	ctx := context.Background()
	tx := &memTx{sets: map[string]*policy.Set{policy.DirectionIncoming: incomingSet(1, policy.Policy{Name: "a", Condition: "true", Action: policy.ActionReview})}}
	p1, err := s.program(ctx, tx, "beta", policy.DirectionIncoming)
	require.NoError(t, err)
	reads := tx.reads
	p2, err := s.program(ctx, tx, "beta", policy.DirectionIncoming)
	require.NoError(t, err)
	require.Same(t, p1, p2, "the same compiled program")
	require.Equal(t, reads+1, tx.reads, "only the version is read")
	tx.sets[policy.DirectionIncoming] = incomingSet(2, policy.Policy{Name: "b", Condition: "false", Action: policy.ActionReject})
	p3, err := s.program(ctx, tx, "beta", policy.DirectionIncoming)
	require.NoError(t, err)
	require.NotSame(t, p1, p3)
	require.Equal(t, 2, p3.Set.Version)
	tx.sets[policy.DirectionIncoming] = incomingSet(3, policy.Policy{Name: "c", Condition: "transfer.nope", Action: policy.ActionReject})
	_, err = s.program(ctx, tx, "beta", policy.DirectionIncoming)
	require.Error(t, err, "a stored set that no longer compiles stops the decision rather than let it through")
}

func TestNameMatchThresholdSetting(t *testing.T) {
	t.Parallel()
	s := newService(t, 0, time.Now())
	in := deposit(t, "Bruno Dupond") // one letter off
	tx := &memTx{sets: map[string]*policy.Set{}}
	require.NoError(t, s.Assess(context.Background(), tx, in))
	require.Equal(t, 0.9, in.Transfer.NameMatch.Threshold)
	lenient := in.Transfer.NameMatch.Verdict
	tx.settings = &policy.DecisionSettings{NameMatchThreshold: 0.99}
	require.NoError(t, s.Assess(context.Background(), tx, in))
	require.Equal(t, 0.99, in.Transfer.NameMatch.Threshold)
	require.Equal(t, "mismatch", in.Transfer.NameMatch.Verdict, "a strict threshold refuses the typo (was %s)", lenient)
}

// TestDocsExamplesCompile keeps the ready-made examples of docs/policies.md valid.
func TestDocsExamplesCompile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/policies.md")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```yaml\n(policies:.*?)```").FindAllStringSubmatch(string(b), -1)
	require.Len(t, blocks, 2, "the withdrawal and the deposit examples")
	c, err := policy.NewCompiler()
	require.NoError(t, err)
	for i, dir := range []string{policy.DirectionOutgoing, policy.DirectionIncoming} {
		m, err := yaml.Parser().Unmarshal([]byte(blocks[i][1]))
		require.NoError(t, err)
		js, err := json.Marshal(m)
		require.NoError(t, err)
		var body struct{ Policies []policy.Policy }
		require.NoError(t, json.Unmarshal(js, &body))
		require.NotEmpty(t, body.Policies)
		_, err = c.Compile(policy.Set{Direction: dir, Policies: body.Policies})
		require.NoError(t, err, "%s example", dir)
	}
}

// BenchmarkDecision measures one decision at address confirmation: screening of both addresses
// against a 1-million-address list, name matching, and a six-policy set (compiled once).
func BenchmarkDecision(b *testing.B) {
	s := newService(b, 1_000_000, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	tx := &memTx{rates: rates(), sets: map[string]*policy.Set{policy.DirectionIncoming: incomingSet(1,
		policy.Policy{Name: "decline-sanctioned", Condition: `screening.listed`, Action: policy.ActionReject},
		policy.Policy{Name: "review-high-risk", Condition: `[transfer.originator_country, transfer.originating_vasp_country].exists(c, c in ["IR", "KP", "MM"])`, Action: policy.ActionReview},
		policy.Policy{Name: "review-risky", Condition: `screening.max_risk_score >= 7 || screening.incomplete`, Action: policy.ActionReview},
		policy.Policy{Name: "not-ready-at-night", Condition: `now.getHours("Europe/Berlin") < 6`, Action: policy.ActionNotReady},
		policy.Policy{Name: "review-mismatch", Condition: `name_match.verdict != "match"`, Action: policy.ActionReview},
		policy.Policy{Name: "accept-matching", Condition: `counterparty.standing == "allowed" && name_match.verdict == "match" && transfer.value.EUR < 10000`, Action: policy.ActionApprove},
	)}}
	in := deposit(b, "Bruno Dupont")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := s.Assess(ctx, tx, in); err != nil {
			b.Fatal(err)
		}
		d, err := s.Decide(ctx, tx, in)
		if err != nil || d.Action != policy.ActionApprove {
			b.Fatal(d.Action, err)
		}
	}
}
