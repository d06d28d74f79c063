package policy_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/transfer"
)

// TestDefaultJurisdictions: every row is valid, uses the ivms vocabulary, names a source and
// its date, and the table covers the jurisdictions the product promises.
func TestDefaultJurisdictions(t *testing.T) {
	t.Parallel()
	rows := policy.DefaultJurisdictions()
	byCode := map[string]policy.Jurisdiction{}
	for _, j := range rows {
		t.Run(j.Code, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, j.Validate(engine.KnownRequirement))
			require.NotEmpty(t, j.Name)
			require.NotEmpty(t, j.Source)
			_, err := time.Parse("2006-01-02", j.SourceDate)
			require.NoError(t, err, "source_date is a date")
			require.NotEmpty(t, j.RequiredOriginator)
			require.NotEmpty(t, j.RequiredBeneficiary)
			require.NotEmpty(t, j.UnhostedRule, "every row says how unhosted wallets are treated")
		})
		require.NotContains(t, byCode, j.Code, "codes are unique")
		byCode[j.Code] = j
	}
	for _, code := range []string{"FATF", "EU", "US", "GB", "CH", "SG", "HK", "JP", "KR", "CA", "AE"} {
		require.Contains(t, byCode, code)
	}
	eu := byCode["EU"]
	require.True(t, eu.Threshold.IsZero(), "EU: from the first euro")
	require.Equal(t, "1000", eu.UnhostedProofThreshold.String(), "EU: ownership proof above EUR 1,000")
	require.Equal(t, "3000", byCode["US"].Threshold.String())
	require.Equal(t, "SGD", byCode["SG"].Currency)
	require.NotEmpty(t, byCode["JP"].Notes, "Japan's sources disagree and the row says so")
}

func rates() *policy.Rates {
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	return policy.NewRates([]policy.FXRate{
		{Base: "ETH", Quote: "EUR", Rate: decimal.RequireFromString("2500"), AsOf: asOf},
		{Base: "EUR", Quote: "USD", Rate: decimal.RequireFromString("1.08"), AsOf: asOf},
		{Base: "EUR", Quote: "CHF", Rate: decimal.RequireFromString("0.95"), AsOf: asOf},
		{Base: "EUR", Quote: "SGD", Rate: decimal.RequireFromString("1.45"), AsOf: asOf},
	})
}

func row(t testing.TB, code string) *policy.Jurisdiction {
	for _, j := range policy.DefaultJurisdictions() {
		if j.Code == code {
			return &j
		}
	}
	t.Fatalf("no row %s", code)
	return nil
}

// TestStricterSideApplies: of the two jurisdictions, the exchange is required when either
// requires it, and the required fields are the union.
func TestStricterSideApplies(t *testing.T) {
	t.Parallel()
	eth := transfer.Asset{Network: "ethereum", Symbol: "ETH"}
	tests := []struct {
		name         string
		ours, theirs string
		amount       string
		applies      bool
		jurisdiction string
	}{
		{"US below its threshold, EU from zero", "US", "EU", "0.2", true, "EU"},
		{"US alone below USD 3,000", "US", "", "0.2", false, "US"},
		{"US alone above USD 3,000", "US", "", "2", true, "US"},
		{"FATF and Singapore below both", "FATF", "SG", "0.1", false, "FATF"},
		{"Korea with no FX rate to KRW counts as above", "KR", "", "0.1", true, "KR"},
		{"Switzerland from zero", "FATF", "CH", "0.01", true, "CH"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := policy.ThresholdInput{Ours: row(t, tc.ours), Asset: eth, Amount: decimal.RequireFromString(tc.amount)}
			if tc.theirs != "" {
				in.Theirs = row(t, tc.theirs)
			}
			th := policy.EvaluateThreshold(in, rates())
			require.Equal(t, tc.applies, th.Applies, th.Reason)
			require.Equal(t, tc.jurisdiction, th.Jurisdiction)
		})
	}
	th := policy.EvaluateThreshold(policy.ThresholdInput{Ours: row(t, "US"), Theirs: row(t, "EU"), Asset: eth,
		Amount: decimal.RequireFromString("2")}, rates())
	require.Contains(t, th.RequiredOriginator, "geographic_address", "the union of both rows")
	require.Contains(t, th.RequiredOriginator, "geographic_address+national_identification+customer_identification|date_of_birth+place_of_birth")
}

func TestUnhostedProofRule(t *testing.T) {
	t.Parallel()
	eth := transfer.Asset{Network: "ethereum", Symbol: "ETH"}
	tests := []struct {
		name     string
		ours     string
		amount   string
		required bool
	}{
		{"EU above EUR 1,000", "EU", "0.5", true}, // EUR 1,250
		{"EU at EUR 1,000 exactly", "EU", "0.4", false},
		{"EU below", "EU", "0.1", false},
		{"US has no proof rule", "US", "100", false},
		{"Switzerland from zero", "CH", "0.001", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, rule := policy.UnhostedProofRule(policy.ThresholdInput{Ours: row(t, tc.ours), Asset: eth,
				Amount: decimal.RequireFromString(tc.amount)}, rates())
			require.Equal(t, tc.required, req, rule)
			if req {
				require.Contains(t, rule, tc.ours)
			}
		})
	}
	req, rule := policy.UnhostedProofRule(policy.ThresholdInput{Ours: row(t, "EU"), Asset: transfer.Asset{Symbol: "XYZ"},
		Amount: decimal.RequireFromString("1")}, rates())
	require.True(t, req, "a value that cannot be converted counts as above")
	require.Contains(t, rule, "no FX rate")
}
